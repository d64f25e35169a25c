"""What bindings a grant should have and what to write to get there (console/rbac/bindings.py): pure."""

from __future__ import annotations

import copy
import json

from console.rbac.bindings import (
    BindingRef,
    binding_name,
    desired_bindings,
    diff_bindings,
    fit_name,
    fnv32a,
    grant_label,
    ref_of,
    update_patch,
)
from console.rbac.scopes import Scope
from console.rbac.useraccess import UserAccess

DEV_ONLY = json.dumps([{"key": "openova.io/env-type", "value": "dev"}])
NAMESPACES = {
    "shop-dev": {"openova.io/application": "shop", "openova.io/env-type": "dev"},
    "shop-prod": {"openova.io/application": "shop", "openova.io/env-type": "prod"},
    "blog-dev": {"openova.io/application": "blog", "openova.io/env-type": "dev"},
    "catalyst-system": {"openova.io/managed-by": "flux"},
    "kube-system": {},
}


def _role(tier: str, enforced: str = "") -> dict:
    annotations = {"catalyst.openova.io/enforced-scopes": enforced} if enforced else {}
    return {"metadata": {"name": f"openova:tier-{tier}", "annotations": annotations}}


def _grant(tier: str = "viewer", scopes: list[dict] | None = None, name: str = "alice", **user: object) -> UserAccess:
    return UserAccess.from_object(
        {
            "metadata": {"name": name, "namespace": "catalyst-system", "uid": "u-1", "generation": 1},
            "spec": {
                "user": user or {"keycloakSubject": "sub-1"},
                "sovereignRef": "omantel.openova.cloud",
                "tier": tier,
                "scopes": scopes or [],
            },
        }
    )


def test_fnv32a_is_gos_hash():
    # Values of Go's hash/fnv New32a for the same bytes.
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968


def test_names_fit_63_characters_with_a_stable_hash_suffix():
    assert binding_name("alice", "viewer") == "useraccess-alice-viewer"
    long = "a-very-long-grant-name-that-goes-on-and-on-and-on-and-on-forever"
    name = binding_name(long, "developer")
    raw = f"useraccess-{long}-developer"
    assert len(name) == 63 and name == binding_name(long, "developer")
    assert name.startswith(raw[:50]) and name != binding_name(long + "x", "developer")
    suffix = name.rpartition("-")[2]
    assert int(suffix, 36) == fnv32a(raw.encode())
    assert grant_label("short") == "short" and len(grant_label(long + long)) == 63
    assert fit_name(grant_label(long + long)) == grant_label(long + long)  # a label is its own label


def test_no_scopes_is_one_cluster_role_binding_for_the_user_and_groups():
    plan = desired_bindings(
        _grant(keycloakSubject="sub-1", keycloakGroups=["/acme/admins"]), _role("viewer"), NAMESPACES
    )
    assert plan.cluster_wide and plan.refs() == [BindingRef("ClusterRoleBinding", "", "useraccess-alice-viewer")]
    [binding] = plan.bindings
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "openova:tier-viewer",
    }
    assert [subject["name"] for subject in binding["subjects"]] == ["oidc:sub-1", "oidc:/acme/admins"]
    assert binding["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "sovereign-console",
        "access.openova.io/useraccess": "alice",
        "access.openova.io/tier": "viewer",
        "openova.io/sovereign": "omantel.openova.cloud",
    }
    assert "ownerReferences" not in binding["metadata"]  # a namespaced grant cannot own a cluster-scoped object


def test_only_wildcards_is_cluster_wide_too():
    plan = desired_bindings(_grant(scopes=[{"key": "application", "value": "*"}]), _role("viewer"), NAMESPACES)
    assert plan.cluster_wide and len(plan.bindings) == 1


def test_scopes_are_anded_over_namespace_labels():
    scopes = [{"key": "application", "value": "shop"}, {"key": "env-type", "value": "prod"}]
    plan = desired_bindings(_grant(scopes=scopes), _role("viewer"), NAMESPACES)
    assert not plan.cluster_wide
    assert plan.refs() == [BindingRef("RoleBinding", "shop-prod", "useraccess-alice-viewer")]
    wildcard_and_app = [{"key": "application", "value": "shop"}, {"key": "env-type", "value": "*"}]
    assert [
        ref.namespace for ref in desired_bindings(_grant(scopes=wildcard_and_app), _role("viewer"), NAMESPACES).refs()
    ] == [
        "shop-dev",
        "shop-prod",
    ]


def test_the_developer_tier_enforces_dev_namespaces_even_over_the_grants_own_value():
    plan = desired_bindings(_grant("developer"), _role("developer", DEV_ONLY), NAMESPACES)
    assert plan.injected == (Scope("openova.io/env-type", "dev"),) and not plan.cluster_wide
    assert [ref.namespace for ref in plan.refs()] == ["blog-dev", "shop-dev"]
    prod = desired_bindings(
        _grant("developer", [{"key": "env-type", "value": "prod"}]), _role("developer", DEV_ONLY), NAMESPACES
    )
    assert [ref.namespace for ref in prod.refs()] == ["blog-dev", "shop-dev"]
    present = desired_bindings(
        _grant("developer", [{"key": "env-type", "value": "dev"}]), _role("developer", DEV_ONLY), NAMESPACES
    )
    assert present.injected == () and present.enforced == (Scope("openova.io/env-type", "dev"),)


def test_only_a_binding_beside_its_grant_is_owned_by_it():
    plan = desired_bindings(_grant(scopes=[{"key": "managed-by", "value": "flux"}]), _role("viewer"), NAMESPACES)
    [binding] = plan.bindings
    assert binding["metadata"]["namespace"] == "catalyst-system"
    assert binding["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "access.openova.io/v1alpha1",
            "kind": "UserAccess",
            "name": "alice",
            "uid": "u-1",
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    elsewhere = desired_bindings(_grant(scopes=[{"key": "application", "value": "blog"}]), _role("viewer"), NAMESPACES)
    assert "ownerReferences" not in elsewhere.bindings[0]["metadata"]


def test_a_converged_grant_needs_no_writes_even_with_extra_labels_and_subjects_reordered():
    plan = desired_bindings(_grant(keycloakSubject="s", keycloakGroups=["/g"]), _role("viewer"), NAMESPACES)
    existing = copy.deepcopy(plan.bindings[0])
    existing["metadata"]["labels"]["kyverno.io/added"] = "yes"
    existing["metadata"]["resourceVersion"] = "42"
    existing["subjects"].reverse()
    assert not diff_bindings(plan.bindings, [existing])


def test_the_diff_creates_updates_recreates_and_deletes():
    scopes = [{"key": "env-type", "value": "dev"}]
    plan = desired_bindings(_grant(scopes=scopes), _role("viewer"), NAMESPACES)
    blog, shop = (copy.deepcopy(binding) for binding in plan.bindings)  # sorted: blog-dev, shop-dev
    assert (blog["metadata"]["namespace"], shop["metadata"]["namespace"]) == ("blog-dev", "shop-dev")
    drifted = copy.deepcopy(shop)
    drifted["subjects"].append({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:intruder"})
    other_role = copy.deepcopy(blog)
    other_role["roleRef"]["name"] = "cluster-admin"
    stray = copy.deepcopy(shop)
    stray["metadata"]["namespace"] = "shop-prod"
    diff = diff_bindings(plan.bindings, [drifted, other_role, stray])
    assert [ref_of(binding) for binding in diff.recreate] == [ref_of(blog)]  # roleRef is immutable
    assert [change.ref for change in diff.update] == [ref_of(shop)]
    assert diff.delete == (ref_of(stray),) and diff.create == ()
    patch = update_patch(diff.update[0])
    assert patch["subjects"] == shop["subjects"] and patch["metadata"]["labels"] == shop["metadata"]["labels"]
    assert diff.writes == 1 + 2 + 1
    assert not diff_bindings([], []) and diff_bindings(plan.bindings, []).create == tuple(plan.bindings)


def test_a_missing_owner_reference_is_added_beside_others():
    plan = desired_bindings(_grant(scopes=[{"key": "managed-by", "value": "flux"}]), _role("viewer"), NAMESPACES)
    existing = copy.deepcopy(plan.bindings[0])
    existing["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "keep", "uid": "c-1"}]
    [change] = diff_bindings(plan.bindings, [existing]).update
    owners = update_patch(change)["metadata"]["ownerReferences"]
    assert [owner["uid"] for owner in owners] == ["c-1", "u-1"]


def test_status_refs_name_namespaces_only_for_role_bindings():
    assert BindingRef("ClusterRoleBinding", "", "b").as_status() == {"kind": "ClusterRoleBinding", "name": "b"}
    assert BindingRef("RoleBinding", "ns", "b").as_status() == {"kind": "RoleBinding", "namespace": "ns", "name": "b"}
    assert (
        BindingRef("RoleBinding", "ns", "b").path() == "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings/b"
    )
