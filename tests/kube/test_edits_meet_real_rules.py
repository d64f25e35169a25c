"""The YAML editor against objects as real tools leave them, and against RBAC's escalation check.

Seeded objects carry the managedFields of the tools that made them (Flux's controllers, kubectl), so an
edit of a seeded Deployment's replicas meets a real field-manager conflict; a person allowed to edit Roles
but not holding what an edit would grant is refused by the API server, and sees its reason.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from console.kube.api import ActingAs, KubeApi
from console.kube.api_resources import discover_api_resources
from console.kube.edits import ApplyConflict, Forbidden, apply, dry_run, editable
from console.kube.printed_kinds import printed_kind
from console.kube.registry import kind_for

pytestmark = pytest.mark.sandbox

DEPLOYMENTS = kind_for("deployments")
NAMESPACE = "acme-dev-billing"
ADMIN = ActingAs(user="oidc:lead-editor", groups=("system:masters",))


def _owns_replicas(entry: dict) -> bool:
    return "f:replicas" in ((entry.get("fieldsV1") or {}).get("f:spec") or {})


async def _seeded_deployment_with_replicas_owned(cluster_http: httpx.AsyncClient) -> tuple[dict, str]:
    listed = await cluster_http.get("/apis/apps/v1/deployments")
    assert listed.status_code == 200
    for deployment in listed.json()["items"]:
        for entry in deployment["metadata"].get("managedFields") or []:
            if entry.get("operation") in ("Apply", "Update") and _owns_replicas(entry):
                return deployment, entry["manager"]
    raise AssertionError("no seeded Deployment has its replicas owned by a field manager")


async def test_editing_a_seeded_deployments_replicas_meets_the_tool_that_owns_them(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
):
    deployment, owner = await _seeded_deployment_with_replicas_owned(cluster_http)
    assert owner in ("helm-controller", "kustomize-controller", "kube-controller-manager", "kubectl-client-side-apply")
    metadata = deployment["metadata"]
    edited = editable(deployment)
    edited["spec"]["replicas"] = deployment["spec"]["replicas"] + 1
    person = kube_api.as_person(ADMIN)

    with pytest.raises(ApplyConflict) as conflict:
        await apply(person, DEPLOYMENTS, metadata["namespace"], metadata["name"], edited)

    assert (owner, ".spec.replicas") in conflict.value.managers
    accepted = await dry_run(person, DEPLOYMENTS, metadata["namespace"], metadata["name"], edited, force=True)
    assert accepted.resource_version
    live = await cluster_http.get(f"/apis/apps/v1/namespaces/{metadata['namespace']}/deployments/{metadata['name']}")
    assert live.json()["spec"]["replicas"] == deployment["spec"]["replicas"]


async def _role_kind(kube_api: KubeApi):
    (roles,) = [
        resource
        for resource in await discover_api_resources(kube_api)
        if resource.path.group == "rbac.authorization.k8s.io" and resource.path.plural == "roles"
    ]
    return printed_kind(roles, [], lambda obj: {}, kind_id="roles")


async def test_a_role_edit_granting_what_the_person_lacks_is_refused_with_the_servers_reason(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
):
    suffix = uuid.uuid4().hex[:6]
    person = ActingAs(user=f"oidc:role-editor-{suffix}", groups=("system:authenticated",))
    rbac = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{NAMESPACE}"
    for role in (
        {
            "metadata": {"name": f"pod-reader-{suffix}"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
        },
        {
            "metadata": {"name": f"role-editor-{suffix}"},
            "rules": [
                {
                    "apiGroups": ["rbac.authorization.k8s.io"],
                    "resources": ["roles"],
                    "verbs": ["get", "patch", "update"],
                },
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
            ],
        },
    ):
        # Made as the console last applied them (a plain POST would make its creator own every field).
        created = await cluster_http.patch(
            f"{rbac}/roles/{role['metadata']['name']}",
            params={"fieldManager": "sovereign-console"},
            headers={"Content-Type": "application/apply-patch+yaml"},
            json={"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", **role},
        )
        assert created.status_code == 201, created.text
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": f"role-editor-{suffix}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": f"role-editor-{suffix}"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": person.user}],
    }
    assert (await cluster_http.post(f"{rbac}/rolebindings", json=binding)).status_code == 201
    roles = await _role_kind(kube_api)
    reader = (await cluster_http.get(f"{rbac}/roles/pod-reader-{suffix}")).json()
    as_person = kube_api.as_person(person)

    held = editable(reader)
    held["rules"][0]["verbs"] = ["get"]
    held.setdefault("metadata", {}).setdefault("labels", {})["edited"] = "yes"
    await apply(as_person, roles, NAMESPACE, f"pod-reader-{suffix}", held)  # granting only what it holds: fine

    escalating = editable(reader)
    escalating["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})
    with pytest.raises(Forbidden) as refused:
        await apply(as_person, roles, NAMESPACE, f"pod-reader-{suffix}", escalating)

    assert f'roles.rbac.authorization.k8s.io "pod-reader-{suffix}" is forbidden: user "{person.user}"' in (
        refused.value.message
    )
    assert "is attempting to grant RBAC permissions not currently held" in refused.value.message
    assert 'Resources:["secrets"]' in refused.value.message
    live = (await cluster_http.get(f"{rbac}/roles/pod-reader-{suffix}")).json()
    assert all("secrets" not in rule.get("resources", []) for rule in live["rules"])
