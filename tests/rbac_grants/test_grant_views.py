"""What the grant pages show: rows of the Users table, its tier filter and search, the scope chips' refusals,
and the matrix cell editor's link to the multi-grant form."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from console.pages.access.matrix_state import grant_link
from console.pages.access.users_views import add_scope, chip_scopes, filtered_rows, grant_row
from console.rbac.scopes import Scope

SEEDED = {
    "metadata": {"name": "developer", "namespace": "catalyst-system"},
    "spec": {
        "user": {"keycloakSubject": "sub-dev", "email": "developer@example.org"},
        "tier": "developer",
        "scopes": [{"key": "openova.io/env-type", "value": "dev"}],
    },
    "status": {
        "bindings": [{"kind": "RoleBinding", "namespace": "a"}, {"kind": "RoleBinding", "namespace": "b"}],
        "conditions": [{"type": "BindingsReconciled", "status": "True"}],
    },
}
GROUP_GRANT = {
    "metadata": {"name": "acme-admins", "labels": {"catalyst.openova.io/tier": "admin"}},
    "spec": {"user": {"keycloakGroups": ["/acme/admins"]}, "scopes": []},
}


def test_a_grant_row_says_who_what_where_and_how_it_reconciled():
    row = grant_row(SEEDED)
    assert {key: row[key] for key in ("name", "who", "subject", "tier", "scopes", "bindings", "condition")} == {
        "name": "developer",
        "who": "developer@example.org",
        "subject": "sub-dev",
        "tier": "developer",
        "scopes": "env-type=dev",
        "bindings": "2",
        "condition": "Reconciled",
    }
    assert row["href"] == "/users/developer"
    group = grant_row(GROUP_GRANT)
    assert (group["who"], group["groups"], group["tier"], group["scopes"]) == (
        "/acme/admins",
        "",
        "admin",
        "cluster-wide",
    )
    assert (group["condition"], group["tone"]) == ("Pending", "progressing")
    revoking = grant_row({**SEEDED, "metadata": {"name": "x", "deletionTimestamp": "2026-01-01T00:00:00Z"}})
    assert revoking["condition"] == "Revoking"


def test_a_row_shows_the_scopes_the_tier_enforces_beside_the_grants_own():
    enforced = {"developer": [Scope("openova.io/env-type", "dev")]}
    written = {**SEEDED, "spec": {**SEEDED["spec"], "scopes": [{"key": "openova.io/application", "value": "billing"}]}}
    assert grant_row(written, enforced)["scopes"] == "application=billing, env-type=dev (enforced)"
    assert grant_row(SEEDED, enforced)["scopes"] == "env-type=dev"  # already written: nothing to add
    unscoped = {**SEEDED, "spec": {**SEEDED["spec"], "scopes": []}}
    assert grant_row(unscoped, enforced)["scopes"] == "env-type=dev (enforced)"
    assert grant_row(unscoped)["scopes"] == "cluster-wide"
    prod = {**SEEDED, "spec": {**SEEDED["spec"], "scopes": [{"key": "openova.io/env-type", "value": "prod"}]}}
    assert grant_row(prod, enforced)["scopes"] == "env-type=dev (enforced)"  # the enforced value wins


def test_rows_are_filtered_by_tier_and_search():
    both = [SEEDED, GROUP_GRANT]
    assert [r["name"] for r in filtered_rows(both, "all", "")] == ["acme-admins", "developer"]
    assert [r["name"] for r in filtered_rows(both, "admin", "")] == ["acme-admins"]
    assert [r["name"] for r in filtered_rows(both, "all", "ENV-TYPE")] == ["developer"]
    assert filtered_rows(both, "owner", "") == []


def test_scope_chips_refuse_with_the_spec_messages_and_change_nothing():
    chips, error = add_scope([], "colour", "red")
    assert (chips, error.split(" — ")[0]) == ([], "unknown scope key: colour")
    assert add_scope([], "application", "  ") == ([], "scope value is required")
    assert add_scope([], "", "x") == ([], "scope key is required")
    chips, error = add_scope([], "org", "acme")
    assert (chips, error) == ([{"key": "openova.io/organization", "value": "acme", "text": "organization=acme"}], "")
    assert add_scope(chips, "organization", "acme") == (chips, "organization=acme is already there")
    same_key, error = add_scope(chips, "organization", "globex")
    assert same_key == chips and error.startswith("organization is already scoped to acme: remove it first")
    assert chip_scopes(chips) == [{"key": "openova.io/organization", "value": "acme"}]


def test_the_cell_editor_opens_the_form_prefilled():
    link = urlparse(grant_link("sub-1", "developer", "wordpress"))
    assert link.path == "/rbac/grant"
    assert parse_qs(link.query) == {
        "tier": ["developer"],
        "user": ["sub-1"],
        "scope": ["openova.io/application=wordpress"],
    }
    assert parse_qs(urlparse(grant_link("sub-1", "", "*")).query) == {"tier": ["viewer"], "user": ["sub-1"]}
