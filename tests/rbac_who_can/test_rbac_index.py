"""RbacIndex: which subjects a request is allowed to, from RBAC objects alone (no server)."""

from __future__ import annotations

from typing import Any

from rbac_objects import (
    binding,
    cluster_binding,
    cluster_role,
    group,
    role,
    rule,
    service_account,
    user,
)

from console.rbac.rbac_index import RbacIndex, WhoCanGrant, WhoCanSubject


def index_of(objects: list[dict[str, Any]]) -> RbacIndex:
    def kind(name: str) -> list[dict[str, Any]]:
        return [obj for obj in objects if obj["kind"] == name]

    return RbacIndex.from_objects(kind("ClusterRole"), kind("Role"), kind("ClusterRoleBinding"), kind("RoleBinding"))


def names(subjects: list[WhoCanSubject]) -> list[str]:
    return [f"{subject.kind}:{subject.user_name}" for subject in subjects]


def test_wildcards_in_verbs_resources_and_groups() -> None:
    index = index_of(
        [
            cluster_role("everything", [rule(["*"], ["*"], ["*"])]),
            cluster_role("any-verb-on-pods", [rule([""], ["pods"], ["*"])]),
            cluster_role("apps-anything-read", [rule(["apps"], ["*"], ["get"])]),
            cluster_binding("root", "everything", [group("system:masters")]),
            cluster_binding("pods", "any-verb-on-pods", [user("pod-person")]),
            cluster_binding("apps", "apps-anything-read", [user("apps-reader")]),
        ]
    )
    assert names(index.subjects_that_can("delete", "", "pods", "web")) == ["User:pod-person", "Group:system:masters"]
    assert names(index.subjects_that_can("get", "apps", "deployments", "web")) == [
        "User:apps-reader",
        "Group:system:masters",
    ]
    assert names(index.subjects_that_can("delete", "apps", "deployments")) == ["Group:system:masters"]
    # a wildcard resource covers subresources too; "pods", even with every verb, does not cover pods/exec
    assert names(index.subjects_that_can("create", "", "pods", "web", subresource="exec")) == ["Group:system:masters"]


def test_subresources_are_their_own_resources() -> None:
    index = index_of(
        [
            cluster_role("exec", [rule([""], ["pods/exec"], ["create"])]),
            cluster_role("scale-anything", [rule(["apps"], ["*/scale"], ["update"])]),
            cluster_role("pods", [rule([""], ["pods"], ["create"])]),
            cluster_binding("exec", "exec", [user("shell-person")]),
            cluster_binding("scale", "scale-anything", [user("scaler")]),
            cluster_binding("pods", "pods", [user("pod-maker")]),
        ]
    )
    assert names(index.subjects_that_can("create", "", "pods", "web", subresource="exec")) == ["User:shell-person"]
    assert names(index.subjects_that_can("create", "", "pods", "web")) == ["User:pod-maker"]
    assert names(index.subjects_that_can("update", "apps", "statefulsets", "web", subresource="scale")) == [
        "User:scaler"
    ]
    assert index.subjects_that_can("update", "apps", "statefulsets", "web") == []


def test_resource_names_allow_only_requests_naming_one_of_them() -> None:
    index = index_of(
        [
            cluster_role("one-config", [rule([""], ["configmaps"], ["get", "update"], names=["settings"])]),
            binding("web", "one-config", "one-config", [user("tuner")]),
        ]
    )
    assert names(index.subjects_that_can("get", "", "configmaps", "web", name="settings")) == ["User:tuner"]
    assert index.subjects_that_can("get", "", "configmaps", "web", name="other") == []
    assert index.subjects_that_can("get", "", "configmaps", "web") == []  # a list names no object


def test_aggregation_collects_the_rules_of_matching_roles_through_chains() -> None:
    index = index_of(
        [
            cluster_role("monitoring", aggregate=[{"matchLabels": {"rbac.example/aggregate-to-monitoring": "true"}}]),
            cluster_role(
                "metrics-reader",
                [rule(["metrics.k8s.io"], ["pods"], ["get"])],
                labels={"rbac.example/aggregate-to-monitoring": "true"},
            ),
            cluster_role(
                "edit",
                [rule(["apps"], ["deployments"], ["patch"])],
                aggregate=[{"matchExpressions": [{"key": "tier", "operator": "In", "values": ["edit", "admin"]}]}],
                labels={"rbac.example/aggregate-to-monitoring": "true"},
            ),
            cluster_role("pod-deleter", [rule([""], ["pods"], ["delete"])], labels={"tier": "edit"}),
            cluster_role("bad-selector", aggregate=[{"matchExpressions": [{"key": "tier", "operator": "Bogus"}]}]),
            cluster_binding("monitors", "monitoring", [group("monitors")]),
            cluster_binding("editors", "edit", [group("editors")]),
            cluster_binding("nobody", "bad-selector", [group("nobody")]),
        ]
    )
    assert names(index.subjects_that_can("get", "metrics.k8s.io", "pods", "web")) == ["Group:monitors"]
    # monitoring aggregates edit, which aggregates pod-deleter: the chain settles at once
    assert names(index.subjects_that_can("delete", "", "pods", "web")) == ["Group:editors", "Group:monitors"]
    assert names(index.subjects_that_can("patch", "apps", "deployments", "web")) == ["Group:editors", "Group:monitors"]
    rules = index.cluster_role_rules("bad-selector")
    assert rules == ()


def test_aggregation_cycles_are_cut() -> None:
    index = index_of(
        [
            cluster_role(
                "a", [rule([""], ["pods"], ["get"])], labels={"ring": "a"}, aggregate=[{"matchLabels": {"ring": "b"}}]
            ),
            cluster_role(
                "b",
                [rule([""], ["secrets"], ["get"])],
                labels={"ring": "b"},
                aggregate=[{"matchLabels": {"ring": "a"}}],
            ),
            cluster_binding("a", "a", [user("alice")]),
            cluster_binding("b", "b", [user("bob")]),
        ]
    )
    assert names(index.subjects_that_can("get", "", "secrets", "web")) == ["User:alice", "User:bob"]
    assert names(index.subjects_that_can("get", "", "pods", "web")) == ["User:alice", "User:bob"]


def test_role_bindings_grant_only_in_their_namespace_and_never_cluster_wide() -> None:
    index = index_of(
        [
            cluster_role("reader", [rule([""], ["pods"], ["get", "list"])]),
            role("web", "local-reader", [rule([""], ["pods"], ["list"])]),
            role("other", "local-reader", [rule([""], ["secrets"], ["list"])]),
            binding("web", "read-web", "reader", [user("web-reader")]),
            binding("web", "local", "local-reader", [user("local-reader")], role_kind="Role"),
            binding("other", "local", "local-reader", [user("other-reader")], role_kind="Role"),
            binding("web", "dangling", "no-such-role", [user("nobody")], role_kind="Role"),
            cluster_binding("read-all", "reader", [user("cluster-reader")]),
        ]
    )
    assert names(index.subjects_that_can("list", "", "pods", "web")) == [
        "User:cluster-reader",
        "User:local-reader",
        "User:web-reader",
    ]
    assert names(index.subjects_that_can("list", "", "pods", "other")) == ["User:cluster-reader"]
    assert names(index.subjects_that_can("list", "", "pods", "")) == ["User:cluster-reader"]  # all namespaces


def test_subjects_carry_every_grant_and_service_accounts_their_namespace() -> None:
    index = index_of(
        [
            cluster_role("deployer", [rule(["apps"], ["deployments"], ["create"])]),
            cluster_role("admin", [rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
            cluster_role("health", [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]),
            binding("web", "ci", "deployer", [service_account("ci"), service_account("flux", "flux-system")]),
            binding("web", "owners", "admin", [user("oidc:abc"), {"kind": "Unknown", "name": "x"}]),
            cluster_binding("deployers", "deployer", [user("oidc:abc")]),
            cluster_binding("health", "health", [group("system:authenticated")]),
        ]
    )
    subjects = index.subjects_that_can("create", "apps", "deployments", "web")
    assert names(subjects) == [
        "User:oidc:abc",
        "ServiceAccount:system:serviceaccount:web:ci",
        "ServiceAccount:system:serviceaccount:flux-system:flux",
    ]
    assert subjects[0].grants == (
        WhoCanGrant("ClusterRoleBinding", "", "deployers", "ClusterRole", "deployer"),
        WhoCanGrant("RoleBinding", "web", "owners", "ClusterRole", "admin"),
    )
    assert str(subjects[0].grants[1]) == "RoleBinding web/owners → ClusterRole admin"
    assert subjects[1].namespace == "web"  # a ServiceAccount subject without a namespace is the binding's
    assert index.subjects_that_can("get", "", "healthz", "") == []  # non-resource rules answer no resource
    assert index.binding_count == 4
