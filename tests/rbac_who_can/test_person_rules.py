"""rules_matrix: what a person may do in a namespace, from a SelfSubjectRulesReview made as them."""

from __future__ import annotations

from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.world.people import persona_user

from console.kube.api import ActingAs, KubeApi
from console.rbac.person_rules import MATRIX_RESOURCES, MATRIX_VERBS, MatrixResource, matrix_of, rules_matrix


def _as(api: KubeApi, username: str) -> KubeApi:
    """The console's connection acting as a seeded person, with the groups their Keycloak token carries."""
    person = persona_user(username)
    return api.as_person(ActingAs(user=person.name, groups=person.groups))


async def _namespace(api: KubeApi, selector: str) -> str:
    listed = await api.get("/api/v1/namespaces", {"labelSelector": selector})
    return sorted(item["metadata"]["name"] for item in listed["items"])[0]


def test_rows_are_the_consoles_resources_and_action_subresources() -> None:
    labels = [resource.label for resource in MATRIX_RESOURCES]
    assert len(labels) == len(set(labels))
    for label in ("pods", "pods/exec", "pods/log", "secrets", "deployments.apps", "deployments.apps/scale"):
        assert label in labels
    assert labels.index("pods/exec") == labels.index("pods") + 1
    assert "helmreleases.helm.toolkit.fluxcd.io" in labels and "nodes" in labels


def test_wildcards_and_resource_names_are_expanded() -> None:
    resources = [
        MatrixResource("", "pods"),
        MatrixResource("", "pods", "exec"),
        MatrixResource("apps", "deployments"),
        MatrixResource("apps", "deployments", "scale"),
        MatrixResource("", "configmaps"),
    ]
    matrix = matrix_of(
        "web",
        [
            {"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get"]},
            {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["update"]},
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]},
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["update"], "resourceNames": ["b", "a"]},
        ],
        resources=resources,
        incomplete=True,
        evaluation_error="role missing",
    )
    assert matrix.verbs == MATRIX_VERBS and matrix.incomplete and matrix.evaluation_error == "role missing"
    assert all(matrix.row("pods").allowed.values())
    assert not any(matrix.row("pods/exec").allowed.values())  # "pods" does not cover its subresources
    assert [verb for verb, ok in matrix.row("deployments.apps").allowed.items() if ok] == ["get"]
    assert [verb for verb, ok in matrix.row("deployments.apps/scale").allowed.items() if ok] == ["get", "update"]
    configmaps = matrix.row("configmaps")
    assert not configmaps.allows("update") and configmaps.named == {"update": ("a", "b")}


async def test_a_viewer_reads_but_changes_nothing(sandbox: Sandbox, kube_api: KubeApi) -> None:
    namespace = await _namespace(kube_api, "openova.io/application=wordpress,openova.io/env-type=dev")
    matrix = await rules_matrix(_as(kube_api, "viewer"), namespace)
    assert matrix.namespace == namespace and not matrix.incomplete and matrix.evaluation_error == ""
    pods = matrix.row("pods")
    assert [pods.allows(verb) for verb in ("get", "list", "watch")] == [True, True, True]
    assert not any(pods.allows(verb) for verb in ("create", "update", "patch", "delete"))
    assert matrix.row("pods/log").allows("get")
    assert not matrix.row("pods/exec").allows("create")
    assert not matrix.row("secrets").allows("get")  # a viewer never sees secret values
    assert matrix.row("deployments.apps").allows("list") and not matrix.row("deployments.apps").allows("delete")


async def test_a_developer_opens_shells_only_in_dev_namespaces(sandbox: Sandbox, kube_api: KubeApi) -> None:
    developer = _as(kube_api, "developer")
    dev = await rules_matrix(developer, await _namespace(kube_api, "openova.io/env-type=dev"))
    assert dev.row("pods/exec").allows("create")
    assert dev.row("pods").allows("list") and not dev.row("pods").allows("delete")
    prod = await rules_matrix(developer, await _namespace(kube_api, "openova.io/env-type=prod"))
    assert not prod.row("pods/exec").allows("create")
    assert not any(any(row.allowed.values()) for row in prod.rows if row.resource.group != "authorization.k8s.io")
