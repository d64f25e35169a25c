"""The access matrix: effective tiers per person and application (ORed grants, highest wins, enforced scopes
merged), the `*` column for cluster-wide grants, and the warnings an owner should see."""

from __future__ import annotations

import json

from console.rbac.keycloak_admin import KcUser
from console.rbac.matrix import ALL_APPLICATIONS, build_matrix, condition_summary, enforced_by_tier
from console.rbac.scopes import Scope

DEV = Scope("openova.io/env-type", "dev")
ENFORCED = {"developer": [DEV]}


def _namespace(name: str, application: str = "", env: str = "", org: str = "acme") -> dict:
    labels = {"openova.io/organization": org}
    if application:
        labels["openova.io/application"] = application
    if env:
        labels["openova.io/env-type"] = env
    return {"metadata": {"name": name, "labels": labels}}


NAMESPACES = [
    _namespace("acme-dev-billing", "billing", "dev"),
    _namespace("acme-prod-billing", "billing", "prod"),
    _namespace("acme-dev-wordpress", "wordpress", "dev"),
    _namespace("acme-prod-wordpress", "wordpress", "prod"),
    _namespace("globex-prod-portal", "portal", "prod", org="globex"),
    _namespace("kube-system", org=""),
]


def _grant(name: str, tier: str, scopes: list[tuple[str, str]] = (), subject: str = "", **extra) -> dict:
    user = {"keycloakSubject": subject or f"sub-{name}", "email": extra.pop("email", f"{name}@example.org")}
    if "groups" in extra:
        user = {"keycloakGroups": extra.pop("groups")}
    return {
        "metadata": {"name": name, "namespace": "catalyst-system", **extra.pop("metadata", {})},
        "spec": {
            "user": user,
            "sovereignRef": "omantel.openova.cloud",
            "tier": tier,
            "scopes": [{"key": key, "value": value} for key, value in scopes],
        },
        "status": extra.pop("status", {}),
    }


def _row(matrix, who: str):
    return next(row for row in matrix.rows if row.who == who)


def test_applications_come_from_namespace_labels_after_the_all_column():
    assert build_matrix([], NAMESPACES).applications == (ALL_APPLICATIONS, "billing", "portal", "wordpress")


def test_an_unscoped_grant_covers_every_application_as_star():
    matrix = build_matrix([_grant("ann", "admin")], NAMESPACES, enforced=ENFORCED)
    row = _row(matrix, "ann@example.org")
    assert set(row.cells) == {ALL_APPLICATIONS, "billing", "portal", "wordpress"}
    assert row.cells[ALL_APPLICATIONS].tier == "admin" and row.cells[ALL_APPLICATIONS].grants == ("ann",)
    applications = [cell for key, cell in row.cells.items() if key != ALL_APPLICATIONS]
    assert all(cell.tier == "admin" and cell.inherited and not cell.partial for cell in applications)
    assert row.warnings == ()


def test_the_highest_tier_wins_per_cell_and_a_lower_rest_makes_it_partial():
    grants = [
        _grant("mei-viewer", "viewer", subject="mei", email="mei@example.org"),
        _grant(
            "mei-dev", "developer", [("openova.io/application", "wordpress")], subject="mei", email="mei@example.org"
        ),
    ]
    row = _row(build_matrix(grants, NAMESPACES, enforced=ENFORCED), "mei@example.org")
    wordpress = row.cells["wordpress"]
    assert (wordpress.tier, wordpress.partial, wordpress.inherited) == ("developer", True, False)
    assert wordpress.grants == ("mei-dev", "mei-viewer")
    assert wordpress.namespaces == (("acme-dev-wordpress", "developer"), ("acme-prod-wordpress", "viewer"))
    assert (row.cells["billing"].tier, row.cells["billing"].inherited) == ("viewer", True)
    assert row.cells[ALL_APPLICATIONS].tier == "viewer"
    assert [grant.name for grant in row.grants] == ["mei-dev", "mei-viewer"]
    assert row.grants[0].effective == (Scope("openova.io/application", "wordpress"), DEV)


def test_a_scoped_grant_reaches_only_matching_namespaces():
    grants = [_grant("ops", "operator", [("openova.io/organization", "acme"), ("openova.io/env-type", "prod")])]
    row = _row(build_matrix(grants, NAMESPACES, enforced=ENFORCED), "ops@example.org")
    assert set(row.cells) == {"billing", "wordpress"}
    assert row.cells["billing"].namespaces == (("acme-dev-billing", ""), ("acme-prod-billing", "operator"))
    assert row.cells["billing"].partial


def test_a_developer_grant_lacking_env_type_dev_is_warned_about():
    grants = [
        _grant("dana-billing", "developer", [("openova.io/application", "billing")]),
        _grant("dev-ok", "developer", [("openova.io/application", "billing"), ("openova.io/env-type", "dev")]),
    ]
    matrix = build_matrix(grants, NAMESPACES, enforced=ENFORCED)
    assert _row(matrix, "dana-billing@example.org").warnings == (
        "developer-tier UserAccess for billing missing env-type=dev scope (dana-billing)",
    )
    # the reconciler injects it anyway: the cell shows what the grant really reaches
    assert _row(matrix, "dana-billing@example.org").cells["billing"].namespaces[0] == ("acme-dev-billing", "developer")
    assert _row(matrix, "dev-ok@example.org").warnings == ()


def test_a_false_condition_an_unknown_subject_and_a_grant_reaching_nothing_are_warned_about():
    failing = {
        "conditions": [
            {"type": "TierResolved", "status": "True", "reason": "Resolved"},
            {"type": "BindingsReconciled", "status": "False", "reason": "Forbidden", "message": "cannot bind"},
        ]
    }
    grants = [
        _grant("gone", "viewer", subject="nobody", status=failing),
        _grant("ghost", "viewer", [("openova.io/application", "ghost")], subject="known"),
    ]
    users = [KcUser(id="known", username="kim", email="kim@example.org"), KcUser(id="new", username="newcomer")]
    matrix = build_matrix(grants, NAMESPACES, enforced=ENFORCED, users=users)
    assert _row(matrix, "gone@example.org").warnings == (
        "gone: BindingsReconciled is False (Forbidden: cannot bind)",
        "gone: nobody is not a Keycloak user",
    )
    assert _row(matrix, "ghost@example.org").warnings == ("ghost (application=ghost) matches no namespace",)
    # a Keycloak user without any grant has a row with no cells (a cell editor can grant them something)
    newcomer = _row(matrix, "newcomer")
    assert (newcomer.subject, dict(newcomer.cells), newcomer.grants) == ("new", {}, ())
    # without Keycloak nobody is called unknown
    assert _row(build_matrix(grants, NAMESPACES), "gone@example.org").warnings == (
        "gone: BindingsReconciled is False (Forbidden: cannot bind)",
    )


def test_group_grants_and_invalid_grants_get_rows_of_their_own():
    grants = [
        _grant("acme-admins", "admin", [("openova.io/organization", "acme")], groups=["/acme/admins"]),
        {"metadata": {"name": "broken"}, "spec": {"user": {"keycloakSubject": "x"}, "tier": "viewer"}},
    ]
    matrix = build_matrix(grants, NAMESPACES, enforced=ENFORCED)
    group = _row(matrix, "/acme/admins (group)")
    assert (group.key, group.groups, group.cells["wordpress"].tier) == (
        "group:/acme/admins",
        ("/acme/admins",),
        "admin",
    )
    assert _row(matrix, "x").warnings == ("broken is not a valid UserAccess: spec.sovereignRef is required",)


def test_rows_are_ordered_by_their_highest_tier():
    grants = [_grant("a", "viewer"), _grant("b", "owner"), _grant("c", "developer", [("openova.io/env-type", "dev")])]
    assert [row.who for row in build_matrix(grants, NAMESPACES, enforced=ENFORCED).rows] == [
        "b@example.org",
        "c@example.org",
        "a@example.org",
    ]


def test_enforced_scopes_are_read_from_the_tier_cluster_roles():
    roles = [
        {
            "metadata": {
                "name": "openova:tier-developer",
                "annotations": {
                    "catalyst.openova.io/enforced-scopes": json.dumps([{"key": "openova.io/env-type", "value": "dev"}])
                },
            }
        },
        {"metadata": {"name": "openova:tier-viewer", "annotations": {}}},
        {"metadata": {"name": "other", "annotations": {"catalyst.openova.io/enforced-scopes": "[]"}}},
    ]
    assert enforced_by_tier(roles) == {"developer": [DEV]}


def test_a_grants_condition_summary():
    assert condition_summary({}) == ("Pending", "progressing")
    assert condition_summary({"conditions": [{"type": "A", "status": "True"}]}) == ("Reconciled", "ok")
    assert condition_summary({"conditions": [{"type": "A", "status": "Unknown"}]}) == ("Reconciling", "progressing")
    failing = {"conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "False", "reason": "Nope"}]}
    assert condition_summary(failing) == ("B: Nope", "error")
