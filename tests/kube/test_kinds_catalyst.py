import pytest
from seeded_world import CONTEXT, assert_rows_fill_columns, rows_of

from console.kube.kinds_catalog.catalyst import (
    APPLICATIONS,
    CONTINUUMS,
    ENVIRONMENTS,
    KINDS,
    ORGANIZATIONS,
    USER_ACCESSES,
)
from console.kube.registry import KINDS as REGISTERED


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.id)
def test_seeded_rows_fill_every_column(kind):
    rows = list(rows_of(kind).values())
    assert rows, kind.id
    assert_rows_fill_columns(kind, rows)
    assert REGISTERED[kind.id] is kind


def test_served_group_versions():
    assert {kind.id: (kind.resource.group, kind.resource.version) for kind in KINDS} == {
        "applications": ("apps.openova.io", "v1alpha1"),
        "environments": ("catalyst.openova.io", "v1alpha1"),
        "organizations": ("orgs.openova.io", "v1alpha1"),
        "continuums": ("dr.openova.io", "v1alpha1"),
        "useraccesses": ("access.openova.io", "v1alpha1"),
    }


def test_application_printer_columns_and_phase():
    rows = rows_of(APPLICATIONS)
    ready = rows["openova-prod-keycloak/keycloak"]
    assert [ready.cells[key] for key in ("blueprint", "version", "environment", "placement")] == [
        "bp-keycloak",
        "24.7.3",
        "openova-prod",
        "host",
    ]
    assert (ready.cells["status"], ready.tone) == ("Ready", "ok")
    degraded = rows["acme-dev-billing/billing"]
    assert (degraded.cells["status"], degraded.tone) == ("Degraded", "err")


def test_application_placement_falls_back_to_the_spec():
    pending = {"metadata": {"name": "a", "namespace": "n"}, "spec": {"placement": {"vcluster": "dmz"}}}
    row = APPLICATIONS.render(pending, CONTEXT)
    assert (row.cells["placement"], row.cells["status"], row.tone) == ("dmz", "Pending", "warn")
    provisioning = {
        "metadata": {"name": "b"},
        "spec": {"placement": "active-active"},
        "status": {"phase": "Provisioning"},
    }
    row = APPLICATIONS.render(provisioning, CONTEXT)
    assert (row.cells["placement"], row.tone) == ("active-active", "warn")


def test_environment_columns():
    row = rows_of(ENVIRONMENTS)["openova-prod"]
    assert [row.cells[key] for key in ("organization", "env_type", "placement", "status")] == [
        "openova",
        "prod",
        "multi-region",
        "Ready",
    ]
    assert not ENVIRONMENTS.namespaced


def test_organization_columns_and_vcluster_phase():
    rows = rows_of(ORGANIZATIONS)
    bank = rows["bankdhofar"]
    assert [bank.cells[key] for key in ("slug", "org_kind", "tier", "billing", "sovereign", "vcluster")] == [
        "bankdhofar",
        "customer",
        "corporate",
        "real",
        "omantel.openova.cloud",
        "Ready",
    ]
    assert (bank.cells["status"], bank.tone, bank.cell_tones["vcluster"]) == ("Ready", "ok", "ok")
    assert rows["acme"].cells["vcluster"] == ""


def test_continuum_shows_lease_and_degraded_phase():
    row = rows_of(CONTINUUMS)["bankdhofar-prod-corebanking/corebanking"]
    assert [row.cells[key] for key in ("application", "primary", "lease", "lag")] == [
        "corebanking",
        "hz-fsn-rtz-prod",
        "hz-fsn-rtz-prod",
        "42s",
    ]
    assert (row.cells["status"], row.tone) == ("Degraded", "err")


@pytest.mark.parametrize(("phase", "tone"), [("Healthy", "ok"), ("SwitchingOver", "warn"), ("Failed", "err")])
def test_continuum_phase_tones(phase, tone):
    assert CONTINUUMS.render({"metadata": {"name": "c"}, "status": {"phase": phase}}, CONTEXT).tone == tone


def test_user_access_shows_user_tier_scopes_and_bindings():
    rows = rows_of(USER_ACCESSES)
    developer = rows["catalyst-system/developer"]
    assert developer.cells["user"] == "developer@omantel.openova.cloud"
    assert developer.cells["tier"] == "developer"
    assert developer.cells["scopes"] == "openova.io/env-type=dev"
    assert (developer.cells["bindings"], developer.sort_keys["bindings"]) == ("2", 2.0)
    assert (developer.cells["status"], developer.tone) == ("Reconciled", "ok")
    acme = rows["catalyst-system/acme-admin"]
    assert (acme.cells["scopes"], acme.cells["bindings"]) == ("openova.io/organization=acme", "5")
    assert rows["catalyst-system/owner"].cells["scopes"] == ""


def test_user_access_user_fallbacks_and_failing_condition():
    grant = {
        "metadata": {"name": "g", "namespace": "catalyst-system", "labels": {"catalyst.openova.io/tier": "viewer"}},
        "spec": {
            "user": {"keycloakGroups": ["/acme/admins", "/acme/devs"]},
            "scopes": [{"key": "openova.io/application", "value": "wordpress"}, {"key": "env", "value": "dev"}],
        },
        "status": {
            "conditions": [
                {"type": "TierResolved", "status": "True"},
                {"type": "BindingsReconciled", "status": "False", "reason": "NamespaceListFailed"},
            ]
        },
    }
    row = USER_ACCESSES.render(grant, CONTEXT)
    assert row.cells["user"] == "/acme/admins, /acme/devs"
    assert row.cells["tier"] == "viewer"
    assert row.cells["scopes"] == "openova.io/application=wordpress, env=dev"
    assert (row.cells["status"], row.tone, row.cells["bindings"]) == ("NamespaceListFailed", "err", "0")
    grant["spec"]["user"] = {"keycloakSubject": "abc"}
    del grant["status"]
    row = USER_ACCESSES.render(grant, CONTEXT)
    assert (row.cells["user"], row.cells["status"], row.tone) == ("abc", "Pending", "warn")
