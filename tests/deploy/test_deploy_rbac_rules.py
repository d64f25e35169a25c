"""The console's RBAC in deploy/base: reads cover every registered kind, writes are exactly the listed ones,
and the tier ClusterRoles are the sandbox's (rules, levels, the developer's enforced scope)."""

from __future__ import annotations

import pytest
from deploy_manifests import BASE, find, parse, render
from sovereign_sandbox.world.access import TIERS, _roles, tier_role_name

from console.compliance.feed import CONTEXT_RESOURCES, REPORT_RESOURCES
from console.kube.discovery import CRD_PATH
from console.kube.registry import KINDS
from console.rbac import reconciler

READ = {"get", "list", "watch"}
TIER_ROLES = tuple(tier_role_name(tier) for tier in TIERS)
# (role kind, apiGroup, resource, verb, resourceNames) of every verb beyond reading
ALLOWED_WRITES = {
    *(("ClusterRole", "", resource, "impersonate", ()) for resource in ("users", "groups")),
    *(
        ("ClusterRole", "authorization.k8s.io", review, "create", ())
        for review in ("selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews")
    ),
    *(
        ("ClusterRole", "rbac.authorization.k8s.io", resource, verb, ())
        for resource in ("rolebindings", "clusterrolebindings")
        for verb in ("create", "patch", "update", "delete")
    ),
    ("ClusterRole", "rbac.authorization.k8s.io", "clusterroles", "bind", TIER_ROLES),
    *(("Role", "access.openova.io", "useraccesses", verb, ()) for verb in ("patch", "update")),
    *(("Role", "access.openova.io", "useraccesses/status", verb, ()) for verb in ("patch", "update")),
    ("Role", "access.openova.io", "useraccesses/finalizers", "update", ()),
    *(("Role", "coordination.k8s.io", "leases", verb, ()) for verb in ("create", "update", "patch")),
}


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return parse(render(BASE))


def _grants(role: dict) -> set[tuple[str, str, str, str, tuple[str, ...]]]:
    return {
        (role["kind"], group, resource, verb, tuple(rule.get("resourceNames") or ()))
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def _reads(role: dict) -> set[tuple[str, str]]:
    granted = _grants(role)
    return {
        (group, resource)
        for (_, group, resource, _, names) in granted
        if not names and all((role["kind"], group, resource, verb, ()) in granted for verb in READ)
    }


def test_every_registered_kind_is_listed_and_watched(base: list[dict]) -> None:
    reads = _reads(find(base, "ClusterRole", "sovereign-console"))
    registered = {(k.resource.group, k.resource.plural) for k in KINDS.values() if k.resource is not None}
    assert len(registered) > 30
    assert sorted(registered - reads) == []
    # and what the console's own feeds read as itself: CRDs (the kind catalog), compliance, RBAC (who-can,
    # the reconciler)
    feeds = {(path.group, path.plural) for path in (*REPORT_RESOURCES, *CONTEXT_RESOURCES, CRD_PATH)}
    rbac = {
        (reconciler.CLUSTER_ROLES.group, plural)
        for plural in ("clusterroles", "roles", "clusterrolebindings", "rolebindings")
    }
    assert sorted((feeds | rbac) - reads) == []
    # nothing read beyond those
    assert sorted(reads - registered - feeds - rbac) == []


def test_no_rule_writes_beyond_the_listed_ones(base: list[dict]) -> None:
    roles = [find(base, "ClusterRole", "sovereign-console"), find(base, "Role", "sovereign-console")]
    for role in roles:
        for rule in role["rules"]:
            assert "*" not in rule["apiGroups"] + rule["resources"] + rule["verbs"], rule
            assert "nonResourceURLs" not in rule
    writes = {grant for role in roles for grant in _grants(role) if grant[3] not in READ}
    assert writes == ALLOWED_WRITES
    # the namespaced Role's reads are for the status subresource and the Lease only
    role_reads = {grant[1:3] for grant in _grants(roles[1]) if grant[3] in READ}
    assert role_reads == {("access.openova.io", "useraccesses/status"), ("coordination.k8s.io", "leases")}


def test_the_bindings_name_the_console_service_account(base: list[dict]) -> None:
    subject = [{"kind": "ServiceAccount", "name": "sovereign-console", "namespace": "catalyst-system"}]
    cluster = find(base, "ClusterRoleBinding", "sovereign-console")
    assert cluster["subjects"] == subject and cluster["roleRef"]["name"] == "sovereign-console"
    role = find(base, "RoleBinding", "sovereign-console")
    assert role["subjects"] == subject and role["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sovereign-console"
    }  # fmt: skip
    assert role["metadata"]["namespace"] == "catalyst-system"


class _Collect:
    def __init__(self) -> None:
        self.objects: list[dict] = []

    def add(self, obj: dict) -> None:
        self.objects.append(obj)

    def timestamp(self, _: float) -> str:
        return ""


def test_the_tier_roles_are_the_sandbox_tiers(base: list[dict]) -> None:
    seeded = _Collect()
    _roles(seeded, 0.0)  # type: ignore[arg-type]
    for expected in (obj for obj in seeded.objects if obj["metadata"]["name"] in TIER_ROLES):
        shipped = find(base, "ClusterRole", expected["metadata"]["name"])
        assert shipped["rules"] == expected["rules"]
        assert shipped["metadata"]["annotations"] == expected["metadata"]["annotations"]
        assert shipped["metadata"]["labels"].items() >= expected["metadata"]["labels"].items()
    developer = find(base, "ClusterRole", "openova:tier-developer")["metadata"]["annotations"]
    assert developer["catalyst.openova.io/enforced-scopes"] == '[{"key":"openova.io/env-type","value":"dev"}]'
