import copy

import pytest
from seeded_world import CONTEXT, assert_rows_fill_columns, objects_of, rows_of

from console.kube.kinds_catalog.platform import (
    CERTIFICATES,
    CILIUM_CLUSTERWIDE_NETWORK_POLICIES,
    CILIUM_NETWORK_POLICIES,
    CNPG_CLUSTERS,
    CNPG_DATABASES,
    EXTERNAL_SECRETS,
    GATEWAYS,
    HTTP_ROUTES,
    KINDS,
    selector_text,
)
from console.kube.registry import KINDS as REGISTERED
from console.kube.tones import cnpg_state


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.id)
def test_seeded_rows_fill_every_column(kind):
    rows = list(rows_of(kind).values())
    assert rows, kind.id
    assert_rows_fill_columns(kind, rows)
    assert REGISTERED[kind.id] is kind


def test_gateway_shows_class_listeners_programmed_and_address():
    row = rows_of(GATEWAYS)["catalyst-system/public"]
    assert row.cells["class"] == "cilium"
    assert row.cells["listeners"] == "http:80, https:443"
    assert (row.cells["programmed"], row.cell_tones["programmed"]) == ("True", "ok")
    assert row.cells["address"] == "168.119.41.18"
    assert (row.cells["status"], row.tone) == ("Programmed", "ok")


def test_unprogrammed_gateway_is_an_error():
    gateway = copy.deepcopy(objects_of(GATEWAYS)[0])
    programmed = next(c for c in gateway["status"]["conditions"] if c["type"] == "Programmed")
    programmed.update(status="False", reason="AddressNotAssigned")
    row = GATEWAYS.render(gateway, CONTEXT)
    assert (row.cells["status"], row.tone, row.cell_tones["programmed"]) == ("AddressNotAssigned", "err", "err")


def test_http_route_shows_hostnames_and_parents():
    rows = rows_of(HTTP_ROUTES)
    own = rows["catalyst-system/sovereign-console"]
    assert (own.cells["hostnames"], own.cells["parents"]) == ("console.omantel.openova.cloud", "public")
    other = rows["openova-prod-gitea/gitea"]
    assert other.cells["parents"] == "catalyst-system/public"
    assert (other.cells["status"], other.tone) == ("Accepted", "ok")


def test_http_route_not_accepted_or_without_status():
    route = copy.deepcopy(objects_of(HTTP_ROUTES)[0])
    route["status"]["parents"][0]["conditions"][1].update(status="False", reason="BackendNotFound")
    assert (HTTP_ROUTES.render(route, CONTEXT).cells["status"], HTTP_ROUTES.render(route, CONTEXT).tone) == (
        "BackendNotFound",
        "err",
    )
    del route["status"]
    assert HTTP_ROUTES.render(route, CONTEXT).tone == "warn"


def test_cilium_policies_show_selector_and_validity():
    row = rows_of(CILIUM_NETWORK_POLICIES)["acme-prod-wordpress/allow-same-namespace"]
    assert row.cells["endpoint_selector"] == "app.kubernetes.io/instance=wordpress"
    assert (row.cells["valid"], row.cells["status"], row.tone) == ("True", "Valid", "ok")
    clusterwide = rows_of(CILIUM_CLUSTERWIDE_NETWORK_POLICIES)["allow-kube-dns"]
    assert clusterwide.cells["endpoint_selector"] == "(all endpoints)"
    assert not CILIUM_CLUSTERWIDE_NETWORK_POLICIES.namespaced


def test_invalid_cilium_policy_and_selector_expressions():
    policy = {
        "metadata": {"name": "p", "namespace": "n"},
        "spec": {"endpointSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}},
        "status": {"conditions": [{"type": "Valid", "status": "False"}]},
    }
    row = CILIUM_NETWORK_POLICIES.render(policy, CONTEXT)
    assert (row.cells["status"], row.tone, row.cell_tones["valid"]) == ("Invalid", "err", "err")
    assert row.cells["endpoint_selector"] == "tier In (a,b)"
    assert selector_text({"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}) == "gpu Exists"


def test_certificate_shows_secret_issuer_and_expiry_in_relative_time():
    row = rows_of(CERTIFICATES)["catalyst-system/wildcard-omantel-tls"]
    assert (row.cells["ready"], row.cells["secret"], row.cells["issuer"]) == (
        "True",
        "wildcard-omantel-tls",
        "letsencrypt-prod",
    )
    assert row.cells["expires"] == "in 65d"
    assert row.sort_keys["expires"] < rows_of(CERTIFICATES)["openova-prod-harbor/harbor-tls"].sort_keys["expires"]
    assert (row.cells["status"], row.tone) == ("Ready", "ok")
    assert "expires" not in row.cell_tones


def test_failed_certificate_is_an_error():
    row = rows_of(CERTIFICATES)["bankdhofar-prod-portal/portal-tls"]
    assert (row.cells["ready"], row.cells["status"], row.tone) == ("False", "Failed", "err")
    assert row.cells["expires"] == ""


def test_certificate_near_or_past_expiry_is_toned():
    certificate = copy.deepcopy(objects_of(CERTIFICATES)[0])
    certificate["status"]["notAfter"] = "2026-12-01T12:00:00Z"
    soon = CERTIFICATES.render(certificate, CONTEXT)
    assert (soon.cells["expires"], soon.cell_tones["expires"]) == ("in 4d", "warn")
    certificate["status"]["notAfter"] = "2026-11-24T12:00:00Z"
    expired = CERTIFICATES.render(certificate, CONTEXT)
    assert (expired.cells["expires"], expired.cell_tones["expires"]) == ("3d ago", "err")


def test_external_secrets_show_store_interval_and_sync_state():
    rows = rows_of(EXTERNAL_SECRETS)
    healthy = rows["openova-prod-keycloak/keycloak-credentials"]
    assert (healthy.cells["store"], healthy.cells["refresh"]) == ("openbao", "1h")
    assert (healthy.cells["status"], healthy.tone) == ("SecretSynced", "ok")
    failing = rows["acme-dev-billing/billing-credentials"]
    assert (failing.cells["status"], failing.tone) == ("SecretSyncedError", "err")


def test_failing_over_cnpg_cluster_is_degraded():
    row = rows_of(CNPG_CLUSTERS)["bankdhofar-prod-corebanking/corebanking-db"]
    assert (row.cells["status"], row.cells["state"], row.tone) == ("Failing over", "Degraded", "err")
    assert (row.cells["instances"], row.cells["ready_instances"], row.cell_tones["ready_instances"]) == (
        "3",
        "2",
        "warn",
    )
    assert row.sort_keys["instances"] == 3.0


def test_healthy_cnpg_cluster_is_reconciled():
    row = rows_of(CNPG_CLUSTERS)["openova-prod-keycloak/keycloak-db"]
    assert (row.cells["state"], row.tone, row.cells["primary"]) == ("Reconciled", "ok", "keycloak-db-1")


@pytest.mark.parametrize(
    ("phase", "state"),
    [
        ("Cluster in healthy state", "Reconciled"),
        ("Failing over", "Degraded"),
        ("Not enough disk space", "Reconciling"),
        ("Cluster cannot proceed to reconciliation due to an unknown plugin being required", "Reconciling"),
        ("Unable to create required cluster objects", "Reconciling"),
        ("Cluster is unrecoverable and needs manual intervention", "Degraded"),
        ("Setting up primary", "Reconciling"),
    ],
)
def test_cnpg_state(phase, state):
    assert cnpg_state(phase)[0] == state


def test_cnpg_databases_show_cluster_database_and_applied():
    rows = rows_of(CNPG_DATABASES)
    applied = rows["openova-prod-keycloak/keycloak"]
    assert (applied.cells["cluster"], applied.cells["database"], applied.cells["applied"]) == (
        "keycloak-db",
        "keycloak",
        "True",
    )
    assert applied.tone == "ok"
    failed = rows["bankdhofar-prod-corebanking/corebanking"]
    assert (failed.cells["applied"], failed.cells["status"], failed.tone) == ("False", "Failed", "err")
    assert "connection refused" in failed.cells["message"]
