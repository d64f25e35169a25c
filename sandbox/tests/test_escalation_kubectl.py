"""RBAC escalation prevention as a real kube-apiserver enforces it: nobody grants, through a Role, ClusterRole,
RoleBinding or ClusterRoleBinding, permissions they do not hold, unless they may `escalate` or `bind`.

Driven through the real kubectl as the admin, impersonating each test's own user with `--as`, and raw HTTPS
for the Status bodies; refusals are compared with the real server's whole text.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from kubectl_runner import Kubectl

RBAC = "rbac.authorization.k8s.io/v1"
ONLY_AUTHENTICATED = '["system:authenticated"]'  # the groups of an impersonated user given none
CLUSTER_ADMIN_MISSING = '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}'


def _escalation(resource: str, name: str, user: str, groups: str, missing: str) -> str:
    return (
        f'{resource}.rbac.authorization.k8s.io "{name}" is forbidden: user "{user}" (groups={groups}) '
        f"is attempting to grant RBAC permissions not currently held:\n{missing}"
    )


def _apply(kubectl: Kubectl, *manifests: dict) -> None:
    kubectl.run("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": list(manifests)}))


def _role(name: str, namespace: str, rules: list[dict]) -> dict:
    return {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": rules}


def _grant(name: str, namespace: str, role_kind: str, role: str, user: str) -> dict:
    return {
        "apiVersion": RBAC,
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }


@pytest.fixture
def user() -> str:
    """A user name of this test only (bindings of other tests never apply to it)."""
    return f"user-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def binder(kubectl: Kubectl, namespace: str, user: str) -> str:
    """`user` may create and read RoleBindings in `namespace`, nothing more; returns the user."""
    rule = {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["rolebindings"], "verbs": ["create", "get"]}
    _apply(kubectl, _role("binder", namespace, [rule]), _grant("binder", namespace, "Role", "binder", user))
    return user


def test_binding_cluster_admin_without_holding_it_is_refused(kubectl: Kubectl, namespace: str, binder: str) -> None:
    refused = kubectl.run(
        "create",
        "rolebinding",
        "take-over",
        "--clusterrole=cluster-admin",
        f"--user={binder}",
        "-n",
        namespace,
        f"--as={binder}",
        "--as-group=g1",
        check=False,
    )
    message = _escalation("rolebindings", "take-over", binder, '["g1" "system:authenticated"]', CLUSTER_ADMIN_MISSING)
    assert (refused.returncode, refused.stderr) == (1, f"error: failed to create rolebinding: {message}\n")
    dry_run = kubectl.run(
        "create",
        "rolebinding",
        "take-over",
        "--clusterrole=cluster-admin",
        f"--user={binder}",
        "-n",
        namespace,
        "--dry-run=server",
        f"--as={binder}",
        check=False,
    )
    message = _escalation("rolebindings", "take-over", binder, ONLY_AUTHENTICATED, CLUSTER_ADMIN_MISSING)
    assert (dry_run.returncode, dry_run.stderr) == (1, f"error: failed to create rolebinding: {message}\n")
    secrets = kubectl.run("get", "secrets", "-n", namespace, f"--as={binder}", check=False)
    assert "Forbidden" in secrets.stderr, "the binding must not exist"


def test_the_refusal_is_a_forbidden_status(admin_https: httpx.Client, namespace: str, binder: str) -> None:
    binding = _grant("take-over", namespace, "ClusterRole", "cluster-admin", binder)
    answer = admin_https.post(
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings",
        json=binding,
        headers={"Impersonate-User": binder},
    )
    assert answer.status_code == 403
    assert answer.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": _escalation("rolebindings", "take-over", binder, ONLY_AUTHENTICATED, CLUSTER_ADMIN_MISSING),
        "reason": "Forbidden",
        "details": {"name": "take-over", "group": "rbac.authorization.k8s.io", "kind": "rolebindings"},
        "code": 403,
    }


def test_bind_on_the_named_role_lets_the_binding_through(kubectl: Kubectl, namespace: str, binder: str) -> None:
    def bind(role: str) -> dict:
        rule = {
            "apiGroups": ["rbac.authorization.k8s.io"],
            "resources": ["clusterroles"],
            "resourceNames": [role],
            "verbs": ["bind"],
        }
        return _role(f"bind-{role}", namespace, [rule])

    _apply(kubectl, bind("some-other-role"), _grant("bind-other", namespace, "Role", "bind-some-other-role", binder))
    arguments = ["create", "rolebinding", "delegated", "--clusterrole=cluster-admin", "--user=someone", "-n", namespace]
    assert "is attempting to grant RBAC permissions" in kubectl.run(*arguments, f"--as={binder}", check=False).stderr
    _apply(kubectl, bind("cluster-admin"), _grant("bind-admin", namespace, "Role", "bind-cluster-admin", binder))
    created = kubectl.run(*arguments, f"--as={binder}")
    assert created.stdout == "rolebinding.rbac.authorization.k8s.io/delegated created\n"


def test_permissions_held_may_be_granted_and_only_those(kubectl: Kubectl, namespace: str, binder: str) -> None:
    secrets = {"apiGroups": [""], "resources": ["secrets"]}
    _apply(
        kubectl,
        _role("secret-getter", namespace, [{**secrets, "verbs": ["get"]}]),
        _role("secret-reader", namespace, [{**secrets, "verbs": ["get", "list", "watch"]}]),
        _grant("holds-get", namespace, "Role", "secret-getter", binder),
    )
    granted = kubectl.run(
        "create", "rolebinding", "pass-on", "--role=secret-getter", "--user=bob", "-n", namespace, f"--as={binder}"
    )
    assert granted.returncode == 0
    refused = kubectl.run(
        "create",
        "rolebinding",
        "more",
        "--role=secret-reader",
        "--user=bob",
        "-n",
        namespace,
        f"--as={binder}",
        check=False,
    )
    missing = '{APIGroups:[""], Resources:["secrets"], Verbs:["list" "watch"]}'
    message = _escalation("rolebindings", "more", binder, ONLY_AUTHENTICATED, missing)
    assert refused.stderr == f"error: failed to create rolebinding: {message}\n"


def test_roles_need_the_rules_they_grant_or_escalate(kubectl: Kubectl, namespace: str, user: str) -> None:
    writes_roles = {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["roles"],
        "verbs": ["create", "get", "patch", "update"],
    }
    _apply(
        kubectl, _role("role-writer", namespace, [writes_roles]), _grant("rw", namespace, "Role", "role-writer", user)
    )
    arguments = ["create", "role", "peek", "--verb=get,list", "--resource=secrets,configmaps", "-n", namespace]
    refused = kubectl.run(*arguments, f"--as={user}", check=False)
    missing = "\n".join(
        f'{{APIGroups:[""], Resources:["{resource}"], Verbs:["get" "list"]}}' for resource in ("configmaps", "secrets")
    )
    assert refused.stderr == (
        f"Error from server (Forbidden): {_escalation('roles', 'peek', user, ONLY_AUTHENTICATED, missing)}\n"
    )
    escalate = {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["escalate"]}
    _apply(kubectl, _role("escalator", namespace, [escalate]), _grant("esc", namespace, "Role", "escalator", user))
    assert kubectl.run(*arguments, f"--as={user}").stdout == "role.rbac.authorization.k8s.io/peek created\n"


def test_updates_are_checked_too(kubectl: Kubectl, namespace: str, user: str) -> None:
    configmaps = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}
    writes_roles = {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["get", "patch"]}
    _apply(
        kubectl,
        _role("editable", namespace, [configmaps]),
        _role("role-patcher", namespace, [writes_roles, configmaps]),
        _grant("rp", namespace, "Role", "role-patcher", user),
    )
    patch = json.dumps([{"op": "add", "path": "/rules/-", "value": {**configmaps, "resources": ["secrets"]}}])
    refused = kubectl.run(
        "patch", "role", "editable", "-n", namespace, "--type=json", "-p", patch, f"--as={user}", check=False
    )
    missing = '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}'
    assert refused.stderr == (
        f"Error from server (Forbidden): {_escalation('roles', 'editable', user, ONLY_AUTHENTICATED, missing)}\n"
    )
    labelled = kubectl.run("label", "role", "editable", "-n", namespace, "tier=a", f"--as={user}")
    assert labelled.stdout == "role.rbac.authorization.k8s.io/editable labeled\n"


def _cluster_role(name: str, rules: list[dict], **extra: dict) -> dict:
    return {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules, **extra}


def test_aggregated_roles_count_by_what_they_collect(
    kubectl: Kubectl, namespace: str, binder: str, cluster_scoped: list[str]
) -> None:
    label = f"sandbox.test/aggregate-to-{namespace}"
    pods_getter = _cluster_role(f"{namespace}-pods", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])
    pods_getter["metadata"]["labels"] = {label: "true"}
    aggregated = _cluster_role(
        f"{namespace}-aggregated", [], aggregationRule={"clusterRoleSelectors": [{"matchLabels": {label: "true"}}]}
    )
    cluster_scoped += [f"clusterrole/{namespace}-pods", f"clusterrole/{namespace}-aggregated"]
    outsider = f"outsider-{namespace}"
    _apply(
        kubectl,
        pods_getter,
        aggregated,
        _grant("aggregated", namespace, "ClusterRole", f"{namespace}-aggregated", binder),
        _grant("outsider-binds", namespace, "Role", "binder", outsider),
    )
    passed_on = kubectl.run(
        "create",
        "rolebinding",
        "pods",
        f"--clusterrole={namespace}-pods",
        "--user=bob",
        "-n",
        namespace,
        f"--as={binder}",
    )
    assert passed_on.returncode == 0
    refused = kubectl.run(
        "create",
        "rolebinding",
        "all-of-it",
        f"--clusterrole={namespace}-aggregated",
        "--user=bob",
        "-n",
        namespace,
        f"--as={outsider}",
        check=False,
    )
    missing = '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}'
    message = _escalation("rolebindings", "all-of-it", outsider, ONLY_AUTHENTICATED, missing)
    assert refused.stderr == f"error: failed to create rolebinding: {message}\n"


def test_cluster_wide_writes_are_checked_cluster_wide(
    kubectl: Kubectl, admin_https: httpx.Client, user: str, cluster_scoped: list[str]
) -> None:
    writes = {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["clusterroles", "clusterrolebindings"],
        "verbs": ["create"],
    }
    binding = {
        "apiVersion": RBAC,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": f"{user}-writer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": f"{user}-writer"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    cluster_scoped += [f"clusterrole/{user}-writer", f"clusterrolebinding/{user}-writer", f"clusterrole/{user}-empty"]
    _apply(kubectl, _cluster_role(f"{user}-writer", [writes]), binding)
    refused = kubectl.run(
        "create",
        "clusterrolebinding",
        f"{user}-admin",
        "--clusterrole=cluster-admin",
        f"--user={user}",
        f"--as={user}",
        check=False,
    )
    message = _escalation("clusterrolebindings", f"{user}-admin", user, ONLY_AUTHENTICATED, CLUSTER_ADMIN_MISSING)
    assert refused.stderr == f"error: failed to create clusterrolebinding: {message}\n"
    # An aggregationRule can collect anything later, so setting one needs everything, whatever the rules.
    sneaky = _cluster_role(
        f"{user}-sneaky", [], aggregationRule={"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}
    )
    answer = admin_https.post(
        "/apis/rbac.authorization.k8s.io/v1/clusterroles", json=sneaky, headers={"Impersonate-User": user}
    )
    assert (answer.status_code, answer.json()["message"]) == (
        403,
        f'clusterroles.rbac.authorization.k8s.io "{user}-sneaky" is forbidden: '
        "must have cluster-admin privileges to use the aggregationRule",
    )
    plain = admin_https.post(
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        json=_cluster_role(f"{user}-empty", []),
        headers={"Impersonate-User": user},
    )
    assert plain.status_code == 201, plain.text
