"""Resource actions against the sandbox, made as the person: admins may, viewers are stopped by the API server."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.world.people import subject_of

from console.database.runtime import open_database
from console.identity.claims import identity_from_claims
from console.kube.access import AccessReviews
from console.kube.actions import (
    RECONCILE_REQUESTED_AT,
    RESTARTED_AT,
    ActionRefused,
    allowed_actions,
    delete,
    parse_replicas,
    reconcile_now,
    restart,
    resume,
    scale,
    suspend,
)
from console.kube.api import ActingAs, KubeApi
from console.kube.edits import Forbidden
from console.kube.registry import kind_for

NAMESPACE = "acme-dev-billing"
DEPLOYMENTS = kind_for("deployments")
HELM_RELEASES = kind_for("helmreleases")
PODS = kind_for("pods")


def _person(username: str, tier: str, groups: list[str]) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


ADMIN = _person("admin", "admin", ["/tiers/admin", "/sovereign-admins"])
VIEWER = _person("viewer", "viewer", ["/tiers/viewer"])


async def _deployment(cluster_http: httpx.AsyncClient) -> str:
    name = f"act-{uuid.uuid4().hex[:8]}"
    labels = {"app.kubernetes.io/name": name}
    response = await cluster_http.post(
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments",
        json={
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "x"}]}},
            },
        },
    )
    assert response.status_code == 201, response.text
    return name


async def _get(cluster_http: httpx.AsyncClient, path: str) -> httpx.Response:
    return await cluster_http.get(path)


def _deployment_path(name: str) -> str:
    return f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}"


@pytest.mark.parametrize("replicas", [-1, "-1", "abc", "", 1.5, "2.0", True, None, "٣"])
def test_replicas_must_be_a_non_negative_integer(replicas: object):
    with pytest.raises(ActionRefused, match=r"^Replicas must be a non-negative integer\.$"):
        parse_replicas(replicas)


def test_replicas_may_be_typed_as_text():
    assert parse_replicas(" 3 ") == 3
    assert parse_replicas(0) == 0


pytestmark_sandbox = pytest.mark.sandbox


@pytestmark_sandbox
async def test_an_admin_scales_through_the_scale_subresource(kube_api: KubeApi, cluster_http, tmp_path: Path):
    name = await _deployment(cluster_http)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    replicas = await scale(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name, "4", audit=audit, actor=ADMIN.user)

    assert replicas == 4
    assert (await _get(cluster_http, _deployment_path(name))).json()["spec"]["replicas"] == 4
    [record] = await audit.recent()
    assert (record.action, record.result, record.detail) == ("scale", "ok", "replicas=4")


@pytestmark_sandbox
async def test_bad_replicas_are_refused_and_audited(kube_api: KubeApi, cluster_http, tmp_path: Path):
    name = await _deployment(cluster_http)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    with pytest.raises(ActionRefused, match="Replicas must be a non-negative integer."):
        await scale(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name, "-2", audit=audit, actor=ADMIN.user)

    assert [(r.action, r.result) for r in await audit.recent()] == [("scale", "error")]
    assert (await _get(cluster_http, _deployment_path(name))).json()["spec"]["replicas"] == 1


@pytestmark_sandbox
async def test_an_admin_restarts_like_kubectl_rollout_restart(kube_api: KubeApi, cluster_http):
    name = await _deployment(cluster_http)

    requested_at = await restart(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name)

    live = (await _get(cluster_http, _deployment_path(name))).json()
    assert live["spec"]["template"]["metadata"]["annotations"][RESTARTED_AT] == requested_at
    assert requested_at.endswith("Z")


@pytestmark_sandbox
async def test_delete_needs_the_name_typed_then_deletes(kube_api: KubeApi, cluster_http, tmp_path: Path):
    name = await _deployment(cluster_http)
    admin = kube_api.as_person(ADMIN)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    with pytest.raises(ActionRefused, match=f"^Type {name} to confirm.$"):
        await delete(admin, DEPLOYMENTS, NAMESPACE, name, name.upper(), audit=audit, actor=ADMIN.user)
    assert (await _get(cluster_http, _deployment_path(name))).status_code == 200

    await delete(admin, DEPLOYMENTS, NAMESPACE, name, name, audit=audit, actor=ADMIN.user)

    gone = await _get(cluster_http, _deployment_path(name))
    assert gone.status_code == 404 or gone.json()["metadata"].get("deletionTimestamp")
    assert [(r.action, r.result) for r in await audit.recent()] == [("delete", "ok"), ("delete", "error")]


@pytestmark_sandbox
async def test_a_viewer_is_stopped_by_the_api_server_and_audited_as_denied(
    kube_api: KubeApi, cluster_http, tmp_path: Path
):
    name = await _deployment(cluster_http)
    viewer = kube_api.as_person(VIEWER)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    with pytest.raises(Forbidden) as scaling:
        await scale(viewer, DEPLOYMENTS, NAMESPACE, name, 3, audit=audit, actor=VIEWER.user)
    with pytest.raises(Forbidden) as deleting:
        await delete(viewer, DEPLOYMENTS, NAMESPACE, name, name, audit=audit, actor=VIEWER.user)
    with pytest.raises(Forbidden):
        await restart(viewer, DEPLOYMENTS, NAMESPACE, name, audit=audit, actor=VIEWER.user)

    assert f'User "{VIEWER.user}" cannot patch resource "deployments/scale"' in scaling.value.message
    assert f'User "{VIEWER.user}" cannot delete resource "deployments"' in deleting.value.message
    records = await audit.recent(actor=VIEWER.user)
    assert [(r.action, r.result) for r in records] == [("restart", "denied"), ("delete", "denied"), ("scale", "denied")]
    assert records[-1].detail == scaling.value.message
    live = (await _get(cluster_http, _deployment_path(name))).json()
    assert live["spec"]["replicas"] == 1 and not live["metadata"].get("deletionTimestamp")


@pytestmark_sandbox
async def test_an_admin_reconciles_suspends_and_resumes_a_flux_object(kube_api: KubeApi, cluster_http):
    admin = kube_api.as_person(ADMIN)
    path = "/apis/helm.toolkit.fluxcd.io/v2/namespaces/flux-system/helmreleases/acme-dev-billing"

    requested_at = await reconcile_now(admin, HELM_RELEASES, "flux-system", "acme-dev-billing")
    annotations = (await _get(cluster_http, path)).json()["metadata"]["annotations"]
    assert annotations[RECONCILE_REQUESTED_AT] == requested_at

    await suspend(admin, HELM_RELEASES, "flux-system", "acme-dev-billing")
    assert (await _get(cluster_http, path)).json()["spec"]["suspend"] is True

    await resume(admin, HELM_RELEASES, "flux-system", "acme-dev-billing")
    assert (await _get(cluster_http, path)).json()["spec"]["suspend"] is False


@pytestmark_sandbox
async def test_flux_actions_refuse_other_kinds(kube_api: KubeApi, cluster_http):
    name = await _deployment(cluster_http)
    with pytest.raises(ActionRefused, match="Deployment is not a Flux kind."):
        await suspend(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name)


@pytestmark_sandbox
async def test_allowed_actions_follow_each_persons_rbac(kube_api: KubeApi, cluster_http):
    name = await _deployment(cluster_http)
    reviews = AccessReviews()

    async def offered(person: ActingAs, kind=DEPLOYMENTS, namespace=NAMESPACE, name=name) -> set[str]:
        return await allowed_actions(kube_api.as_person(person), reviews, person.user, kind, namespace, name)

    assert await offered(VIEWER) == set()
    assert await offered(ADMIN) == {"edit", "force-apply", "delete", "scale", "restart"}
    assert await offered(ADMIN, HELM_RELEASES, "flux-system", "acme-dev-billing") >= {
        "reconcile",
        "suspend",
        "resume",
    }
    pod = (await kube_api.get(f"/api/v1/namespaces/{NAMESPACE}/pods"))["items"][0]["metadata"]["name"]
    assert "exec" in await offered(ADMIN, PODS, NAMESPACE, pod)
    assert "exec" not in await offered(VIEWER, PODS, NAMESPACE, pod)
