"""RBAC: the evaluator's matching rules, then 403 bodies, impersonation and access reviews over HTTPS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from sovereign_sandbox.apiserver.server import CONSOLE_SERVICE_ACCOUNT, Sandbox
from sovereign_sandbox.auth.authentication import ANONYMOUS_ADMIN, User
from sovereign_sandbox.auth.authorization import Attributes
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.world.people import subject_of

RBAC = "rbac.authorization.k8s.io/v1"
ALICE = User("alice", ("team", "system:authenticated"))


def _role(name: str, rules: list[dict], *, namespace: str = "", labels: dict | None = None, **extra) -> dict:
    metadata: dict = {"name": name, "labels": labels or {}}
    if namespace:
        metadata["namespace"] = namespace
    return {
        "apiVersion": RBAC,
        "kind": "Role" if namespace else "ClusterRole",
        "metadata": metadata,
        "rules": rules,
        **extra,
    }


def _binding(name: str, role_kind: str, role: str, subjects: list[dict], *, namespace: str = "") -> dict:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "apiVersion": RBAC,
        "kind": "RoleBinding" if namespace else "ClusterRoleBinding",
        "metadata": metadata,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subjects,
    }


def _user(name: str = "alice") -> dict:
    return {"kind": "User", "name": name, "apiGroup": "rbac.authorization.k8s.io"}


def _cluster(*manifests: dict) -> Cluster:
    cluster = Cluster()
    cluster.load([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}} for name in ("dev", "prod")])
    cluster.load(manifests)
    return cluster


def _allowed(cluster: Cluster, user: User = ALICE, *args: str, **kwargs: str) -> bool:
    return cluster.authorize(user, Attributes(*args, **kwargs)).allowed


def test_verbs_groups_and_resources_match_like_rbac() -> None:
    cluster = _cluster(
        _role("reader", [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments"], "verbs": ["get", "list"]}]),
        _role("anything-batch", [{"apiGroups": ["batch"], "resources": ["*"], "verbs": ["*"]}]),
        _binding("alice-reader", "ClusterRole", "reader", [_user()]),
        _binding("team-batch", "ClusterRole", "anything-batch", [{"kind": "Group", "name": "team"}]),
    )
    assert _allowed(cluster, ALICE, "list", "", "pods")
    assert _allowed(cluster, ALICE, "get", "apps", "deployments", namespace="dev", name="web")
    assert not _allowed(cluster, ALICE, "delete", "", "pods", namespace="dev", name="web")
    assert not _allowed(cluster, ALICE, "list", "networking.k8s.io", "ingresses")
    assert _allowed(cluster, ALICE, "deletecollection", "batch", "cronjobs", namespace="dev")
    assert not _allowed(cluster, User("bob", ("system:authenticated",)), "list", "", "pods")


def test_subresources_need_their_own_rule_unless_a_wildcard_covers_them() -> None:
    cluster = _cluster(
        _role(
            "pods-and-logs",
            [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get"]},
                {"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["update"]},
            ],
        ),
        _role("all-core", [{"apiGroups": [""], "resources": ["*"], "verbs": ["create"]}]),
        _binding("a", "ClusterRole", "pods-and-logs", [_user()]),
        _binding("b", "ClusterRole", "all-core", [_user()]),
    )
    assert _allowed(cluster, ALICE, "get", "", "pods", "log", "dev", "web-0")
    assert not _allowed(cluster, ALICE, "get", "", "pods", "exec", "dev", "web-0")
    assert _allowed(cluster, ALICE, "create", "", "pods", "exec", "dev", "web-0")
    assert _allowed(cluster, ALICE, "update", "apps", "deployments", "scale", "dev", "web")
    assert not _allowed(cluster, ALICE, "update", "apps", "deployments", "", "dev", "web")


def test_resource_names_restrict_to_named_objects() -> None:
    cluster = _cluster(
        _role(
            "one-config", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app"], "verbs": ["*"]}]
        ),
        _binding("a", "ClusterRole", "one-config", [_user()]),
    )
    assert _allowed(cluster, ALICE, "get", "", "configmaps", namespace="dev", name="app")
    assert not _allowed(cluster, ALICE, "get", "", "configmaps", namespace="dev", name="other")
    assert not _allowed(cluster, ALICE, "list", "", "configmaps", namespace="dev")


def test_non_resource_urls_match_exactly_or_by_trailing_star() -> None:
    cluster = _cluster(
        _role("paths", [{"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]}]),
        _binding("a", "ClusterRole", "paths", [_user()]),
    )
    assert _allowed(cluster, ALICE, "get", path="/metrics")
    assert _allowed(cluster, ALICE, "get", path="/logs/kube-apiserver.log")
    assert not _allowed(cluster, ALICE, "get", path="/logs")
    assert not _allowed(cluster, ALICE, "post", path="/metrics")
    assert not _allowed(cluster, ALICE, "get", path="/metrics/cadvisor")


def test_role_bindings_grant_only_inside_their_namespace() -> None:
    cluster = _cluster(
        _role("edit", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        _role("secret-reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}], namespace="prod"),
        _binding("alice-edit", "ClusterRole", "edit", [_user()], namespace="dev"),
        _binding("alice-secrets", "Role", "secret-reader", [_user()], namespace="prod"),
    )
    assert _allowed(cluster, ALICE, "delete", "apps", "deployments", namespace="dev", name="web")
    assert not _allowed(cluster, ALICE, "delete", "apps", "deployments", namespace="prod", name="web")
    assert not _allowed(cluster, ALICE, "list", "apps", "deployments")  # all namespaces: cluster scope
    assert not _allowed(cluster, ALICE, "get", "", "nodes", name="node-1")
    assert _allowed(cluster, ALICE, "get", "", "secrets", namespace="prod", name="db")
    assert not _allowed(cluster, ALICE, "delete", "", "secrets", namespace="prod", name="db")


def test_aggregated_cluster_roles_collect_labelled_rules_live() -> None:
    cluster = _cluster(
        _role(
            "monitoring",
            [],
            aggregationRule={
                "clusterRoleSelectors": [
                    {"matchLabels": {"example.com/aggregate-to-monitoring": "true"}},
                    {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["metrics"]}]},
                ]
            },
        ),
        _role(
            "pods-view",
            [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
            labels={"example.com/aggregate-to-monitoring": "true"},
        ),
        _binding("alice-monitoring", "ClusterRole", "monitoring", [_user()]),
    )
    assert _allowed(cluster, ALICE, "get", "", "pods", namespace="dev", name="a")
    assert not _allowed(cluster, ALICE, "list", "", "nodes")
    clusterroles = cluster.catalogue.get("rbac.authorization.k8s.io", "v1", "clusterroles")
    cluster.store.create(
        clusterroles,
        None,
        _role(
            "nodes-view", [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]}], labels={"tier": "metrics"}
        ),
    )
    assert _allowed(cluster, ALICE, "list", "", "nodes")
    unlabelled = dict(cluster.store.get(clusterroles, None, "pods-view"))
    unlabelled["metadata"] = {**unlabelled["metadata"], "labels": {}}
    cluster.store.update(clusterroles, None, "pods-view", unlabelled)
    assert not _allowed(cluster, ALICE, "get", "", "pods", namespace="dev", name="a")


def test_service_account_subjects_and_groups() -> None:
    cluster = _cluster(
        _role("lease-editor", [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["*"]}]),
        _role("config-reader", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]),
        _binding(
            "robot", "ClusterRole", "lease-editor", [{"kind": "ServiceAccount", "name": "robot"}], namespace="dev"
        ),
        _binding("dev-sas", "ClusterRole", "config-reader", [{"kind": "Group", "name": "system:serviceaccounts:dev"}]),
    )
    robot = User("system:serviceaccount:dev:robot", ("system:serviceaccounts", "system:serviceaccounts:dev"))
    other = User("system:serviceaccount:prod:robot", ("system:serviceaccounts", "system:serviceaccounts:prod"))
    assert _allowed(cluster, robot, "update", "coordination.k8s.io", "leases", namespace="dev", name="leader")
    assert not _allowed(cluster, other, "update", "coordination.k8s.io", "leases", namespace="dev", name="leader")
    assert _allowed(cluster, robot, "get", "", "configmaps", namespace="prod", name="x")
    assert not _allowed(cluster, other, "get", "", "configmaps", namespace="prod", name="x")


def test_masters_and_bootstrap_roles() -> None:
    cluster = _cluster()
    assert _allowed(cluster, ANONYMOUS_ADMIN, "delete", "", "nodes", name="n")
    assert _allowed(cluster, ANONYMOUS_ADMIN, "post", path="/anything")
    assert _allowed(cluster, ALICE, "get", path="/apis/apps/v1")
    assert _allowed(cluster, ALICE, "get", path="/openapi/v3/apis/apps/v1")
    assert _allowed(cluster, ALICE, "create", "authorization.k8s.io", "selfsubjectaccessreviews")
    assert _allowed(cluster, ALICE, "create", "authentication.k8s.io", "selfsubjectreviews")
    assert not _allowed(cluster, ALICE, "create", "authorization.k8s.io", "subjectaccessreviews")
    anonymous = User("system:anonymous", ("system:unauthenticated",))
    assert _allowed(cluster, anonymous, "get", path="/healthz")
    assert not _allowed(cluster, anonymous, "get", path="/api")
    reason = cluster.authorize(ALICE, Attributes("get", path="/api")).reason
    assert reason == (
        'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" '
        'to Group "system:authenticated"'
    )


def test_the_console_service_account_reads_every_kind(sandbox: Sandbox) -> None:
    account = User(
        CONSOLE_SERVICE_ACCOUNT,
        ("system:serviceaccounts", "system:serviceaccounts:catalyst-system", "system:authenticated"),
    )
    readable = [resource for resource in sandbox.cluster.catalogue if "list" in resource.verbs]
    assert len(readable) > 30
    for resource in readable:
        for verb in ("list", "watch", "get"):
            assert sandbox.call(
                sandbox.cluster.authorize, account, Attributes(verb, resource.group, resource.plural)
            ).allowed


# Over HTTPS with real clients.


@pytest.fixture(scope="module")
def https(sandbox: Sandbox) -> Iterator[callable]:
    """`https(token)` → an httpx client on the sandbox's HTTPS listener authenticating with `token`."""
    clients: list[httpx.Client] = []

    def make(token: str) -> httpx.Client:
        http = httpx.Client(
            base_url=sandbox.https_url, verify=str(sandbox.ca_path), headers={"Authorization": f"Bearer {token}"}
        )
        clients.append(http)
        return http

    yield make
    for http in clients:
        http.close()


def _python_client(kubeconfig: Path) -> client.ApiClient:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(kubeconfig), client_configuration=configuration)
    return client.ApiClient(configuration)


def _oidc(username: str) -> str:
    return f"oidc:{subject_of(username)}"


def test_forbidden_bodies_match_the_real_server(sandbox: Sandbox, persona_kubeconfigs: dict[str, Path], https) -> None:
    viewer, newcomer = _oidc("viewer"), _oidc("newcomer")
    with _python_client(persona_kubeconfigs["viewer"]) as api:
        core = client.CoreV1Api(api)
        with pytest.raises(ApiException) as raised:
            core.list_namespaced_secret("acme-dev-wordpress")
        assert raised.value.status == 403
        body = json.loads(raised.value.body)
        assert body == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": f'secrets is forbidden: User "{viewer}" cannot list resource "secrets" in API group "" '
            'in the namespace "acme-dev-wordpress"',
            "reason": "Forbidden",
            "details": {"kind": "secrets"},
            "code": 403,
        }
        with pytest.raises(ApiException) as raised:
            client.AppsV1Api(api).patch_namespaced_deployment_scale(
                "wordpress", "acme-dev-wordpress", {"spec": {"replicas": 3}}
            )
        body = json.loads(raised.value.body)
        assert body["message"] == (
            f'deployments.apps "wordpress" is forbidden: User "{viewer}" cannot patch resource "deployments/scale" '
            'in API group "apps" in the namespace "acme-dev-wordpress"'
        )
        assert body["details"] == {"name": "wordpress", "group": "apps", "kind": "deployments"}
    newcomer_http = https(sandbox.persona_tokens["newcomer"])
    answer = newcomer_http.get("/api/v1/nodes")
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f'nodes is forbidden: User "{newcomer}" cannot list resource "nodes" in API group "" at the cluster scope'
    )
    answer = newcomer_http.get("/api/v1/namespaces/default/secrets/token")
    assert answer.json()["message"].startswith(f'secrets "token" is forbidden: User "{newcomer}" cannot get resource')
    assert answer.json()["details"] == {"name": "token", "kind": "secrets"}
    answer = newcomer_http.get("/metrics")
    assert answer.status_code == 403
    assert answer.json()["message"] == f'forbidden: User "{newcomer}" cannot get path "/metrics"'
    assert newcomer_http.get("/apis").status_code == 200
    assert https("not-a-token").get("/api").status_code == 401


def _impersonating(http: httpx.Client, *headers: tuple[str, str]) -> dict:
    answer = http.post(
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
        headers=httpx.Headers(list(headers)),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["status"]["userInfo"]


def test_the_console_impersonates_users_with_repeated_group_headers(sandbox: Sandbox, https) -> None:
    console = https(sandbox.console_token)
    viewer = _oidc("viewer")
    info = _impersonating(
        console,
        ("Impersonate-User", viewer),
        ("Impersonate-Group", "oidc:/tiers/viewer"),
        ("Impersonate-Group", "oidc:/acme/admins,oidc:/other"),
        ("Impersonate-Extra-Scopes", "openid"),
    )
    assert info == {
        "username": viewer,
        "groups": ["oidc:/tiers/viewer", "oidc:/acme/admins,oidc:/other", "system:authenticated"],
        "extra": {"scopes": ["openid"]},
    }
    as_viewer = {"Impersonate-User": viewer, "Impersonate-Group": "oidc:/tiers/viewer"}
    assert console.get("/api/v1/namespaces/acme-dev-wordpress/pods", headers=as_viewer).status_code == 200
    denied = console.get("/api/v1/namespaces/acme-dev-wordpress/secrets", headers=as_viewer)
    assert denied.status_code == 403
    assert f'User "{viewer}" cannot list resource "secrets"' in denied.json()["message"]
    info = _impersonating(console, ("Impersonate-User", "system:serviceaccount:kyverno:kyverno"))
    assert info["groups"] == ["system:serviceaccounts", "system:serviceaccounts:kyverno", "system:authenticated"]


def test_impersonation_is_refused_without_the_verb(sandbox: Sandbox, https) -> None:
    viewer_http = https(sandbox.persona_tokens["viewer"])
    answer = viewer_http.get("/api/v1/pods", headers={"Impersonate-User": "alice"})
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f'users "alice" is forbidden: User "{_oidc("viewer")}" cannot impersonate resource "users" '
        'in API group "" at the cluster scope'
    )
    assert answer.json()["details"] == {"name": "alice", "kind": "users"}
    console = https(sandbox.console_token)
    answer = console.get("/api/v1/pods", headers={"Impersonate-User": "alice", "Impersonate-Uid": "1234"})
    assert answer.status_code == 403
    assert answer.json()["message"] == (
        f'uids.authentication.k8s.io "1234" is forbidden: User "{CONSOLE_SERVICE_ACCOUNT}" cannot impersonate '
        'resource "uids" in API group "authentication.k8s.io" at the cluster scope'
    )
    answer = console.get("/api/v1/pods", headers={"Impersonate-Group": "system:masters"})
    assert answer.status_code == 400
    assert "without impersonating a user" in answer.json()["message"]


def test_access_reviews_through_the_python_client(sandbox: Sandbox, persona_kubeconfigs: dict[str, Path]) -> None:
    def can(persona: str, verb: str, resource: str, namespace: str = "", group: str = "", sub: str = "") -> bool:
        with _python_client(persona_kubeconfigs[persona]) as api:
            attributes = client.V1ResourceAttributes(
                verb=verb, resource=resource, namespace=namespace, group=group, subresource=sub
            )
            review = client.V1SelfSubjectAccessReview(
                spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=attributes)
            )
            answer = client.AuthorizationV1Api(api).create_self_subject_access_review(review)
            assert answer.spec.resource_attributes.verb == verb
            return answer.status.allowed

    assert can("viewer", "list", "pods")
    assert not can("viewer", "get", "secrets", "acme-dev-wordpress")
    assert can("developer", "create", "pods", "acme-dev-wordpress", sub="exec")
    assert not can("developer", "create", "pods", "acme-prod-wordpress", sub="exec")
    assert can("acme-admin", "delete", "deployments", "acme-prod-wordpress", "apps")
    assert not can("acme-admin", "delete", "deployments", "openova-prod-gitea", "apps")
    assert can("owner", "delete", "namespaces") and not can("admin", "delete", "namespaces")
    assert not can("newcomer", "get", "pods", "default")

    with _python_client(persona_kubeconfigs["developer"]) as api:
        rules = client.AuthorizationV1Api(api).create_self_subject_rules_review(
            client.V1SelfSubjectRulesReview(spec=client.V1SelfSubjectRulesReviewSpec(namespace="acme-dev-wordpress"))
        )
        assert rules.status.incomplete is False
        assert any("pods/exec" in rule.resources and "create" in rule.verbs for rule in rules.status.resource_rules)
        assert any("/api" in rule.non_resource_urls for rule in rules.status.non_resource_rules)
        whoami = client.AuthenticationV1Api(api).create_self_subject_review(client.V1SelfSubjectReview())
        assert whoami.status.user_info.username == _oidc("developer")
        assert whoami.status.user_info.groups == ["oidc:/tiers/developer", "system:authenticated"]


def test_subject_access_review_and_live_grants(sandbox: Sandbox, api_client: client.ApiClient, https) -> None:
    console = https(sandbox.console_token)
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {
            "user": "oidc:someone",
            "groups": ["system:authenticated"],
            "resourceAttributes": {"verb": "get", "resource": "configmaps", "namespace": "default"},
        },
    }
    answer = console.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", json=review)
    assert answer.status_code == 201 and answer.json()["status"] == {"allowed": False}
    rbac = client.RbacAuthorizationV1Api(api_client)
    rbac.create_namespaced_role_binding(
        "default",
        {
            "metadata": {"name": "someone-view"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "openova:tier-viewer"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:someone"}],
        },
    )
    try:
        status = console.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", json=review).json()["status"]
        assert status == {
            "allowed": True,
            "reason": 'RBAC: allowed by RoleBinding "someone-view/default" of ClusterRole "openova:tier-viewer" '
            'to User "oidc:someone"',
        }
    finally:
        rbac.delete_namespaced_role_binding("someone-view", "default")
    assert (
        https(sandbox.persona_tokens["viewer"])
        .post("/apis/authorization.k8s.io/v1/subjectaccessreviews", json=review)
        .status_code
        == 403
    )


def test_discovery_lists_the_review_kinds(https, sandbox: Sandbox) -> None:
    http = https(sandbox.persona_tokens["newcomer"])
    resources = http.get("/apis/authorization.k8s.io/v1").json()["resources"]
    assert {
        "name": "selfsubjectaccessreviews",
        "singularName": "selfsubjectaccessreview",
        "namespaced": False,
        "kind": "SelfSubjectAccessReview",
        "verbs": ["create"],
    } in resources
    names = [entry["name"] for entry in http.get("/apis/authentication.k8s.io/v1").json()["resources"]]
    assert names == ["selfsubjectreviews", "tokenreviews"]  # as a real cluster lists them
    assert http.get("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").status_code == 405
