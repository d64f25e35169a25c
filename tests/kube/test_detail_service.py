"""The resource detail view for one person (`console.kube.detail_service`), against the sandbox: no Reflex.

Objects are made by "someone else" (the sandbox's plain HTTP listener); the view reads them as the person
through the shared watch cache, as the detail page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.world.people import subject_of

from console.database.runtime import open_database
from console.identity.claims import identity_from_claims
from console.kube.access import AccessReviews
from console.kube.api import ActingAs, JsonObject, KubeApi, ResourcePath
from console.kube.catalog import KindCatalog
from console.kube.detail_service import (
    DetailAddress,
    DetailUpdate,
    follow_detail,
    metrics_path,
    open_detail,
    read_metrics,
    reveal_values,
)
from console.kube.list_service import Person
from console.kube.objects import labels_of, name_of
from console.kube.registry import kind_for
from console.kube.secrets import RevealFailed
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

NAMESPACE = "acme-dev-billing"
PODS = ResourcePath("", "v1", "pods")
WAIT_SECONDS = 20.0


def _acting_as(username: str, tier: str, groups: list[str]) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


ADMIN = _acting_as("admin", "admin", ["/tiers/admin", "/sovereign-admins"])
VIEWER = _acting_as("viewer", "viewer", ["/tiers/viewer"])


def _person(kube_api: KubeApi, acting_as: ActingAs) -> Person:
    return Person(acting_as.user, kube_api.as_person(acting_as), AccessReviews())


@pytest.fixture
async def cache(kube_api: KubeApi) -> AsyncIterator[WatchCache]:
    shared = WatchCache(kube_api, grace_seconds=0.1)
    yield shared
    await shared.close()


@pytest.fixture
def catalog(cache: WatchCache) -> KindCatalog:
    return KindCatalog(cache)


async def _post(cluster_http: httpx.AsyncClient, path: str, body: JsonObject) -> None:
    response = await cluster_http.post(path, json=body)
    assert response.status_code == 201, response.text


async def _deployment(cluster_http: httpx.AsyncClient, replicas: int = 2) -> str:
    """A Deployment whose pods the sandbox's controllers start, and a Service selecting them."""
    name = f"detail-{uuid.uuid4().hex[:8]}"
    labels = {"app.kubernetes.io/name": name}
    await _post(
        cluster_http,
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments",
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}]},
                },
            },
        },
    )
    await _post(
        cluster_http,
        f"/api/v1/namespaces/{NAMESPACE}/services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name},
            "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": 80}]},
        },
    )
    return name


async def _pod_of(cache: WatchCache, deployment: str) -> str:
    """The name of one of the deployment's pods, once the controllers made it (waits on the pods' watch)."""
    async with cache.subscribe(PODS) as watch:

        def found() -> list[str]:
            return [
                name_of(pod)
                for pod in watch.objects()
                if labels_of(pod).get("app.kubernetes.io/name") == deployment and name_of(pod)
            ]

        async with asyncio.timeout(WAIT_SECONDS):
            while not found():
                await watch.wait_changed(watch.revision, timeout=WAIT_SECONDS)
        return sorted(found())[0]


async def _until(updates: AsyncIterator[DetailUpdate], holds: Callable[[DetailUpdate], bool]) -> DetailUpdate:
    """The first update for which `holds` is true (each update comes when the cluster moved)."""
    async with asyncio.timeout(WAIT_SECONDS):
        async for update in updates:
            if holds(update):
                return update
    raise AssertionError("the view ended")


async def test_a_pod_opens_with_the_tabs_its_kind_offers(kube_api, cluster_http, cache, catalog):
    pod = await _pod_of(cache, await _deployment(cluster_http))
    opening = await open_detail(catalog, _person(kube_api, ADMIN), DetailAddress("pods", NAMESPACE, pod, "exec"))
    assert opening.kind is not None and opening.kind.id == "pods"
    assert [tab.id for tab in opening.tabs] == [
        "overview",
        "yaml",
        "logs",
        "exec",
        "events",
        "tree",
        "metrics",
        "compliance",
    ]
    assert opening.tabs[3].href == f"/cloud/resource/pods/{NAMESPACE}/{pod}/exec"
    assert (opening.tab, opening.problem, opening.can_reveal) == ("exec", "", False)
    assert opening.facts is not None
    assert [row["name"] for row in opening.facts.overview.containers] == ["web"]
    assert opening.facts.wanted_replicas == ""  # pods have no replica count
    assert opening.facts.tree is None  # only the tree tab computes it


async def test_a_deployment_offers_its_wanted_replicas_and_no_shell(kube_api, cluster_http, catalog):
    name = await _deployment(cluster_http, replicas=3)
    opening = await open_detail(catalog, _person(kube_api, ADMIN), DetailAddress("deployments", NAMESPACE, name))
    assert [tab.id for tab in opening.tabs] == ["overview", "yaml", "logs", "events", "tree", "compliance"]
    assert opening.facts is not None and opening.facts.wanted_replicas == "3"


async def test_what_cannot_be_shown_says_why(kube_api, cluster_http, catalog):
    admin = _person(kube_api, ADMIN)
    unknown = await open_detail(catalog, admin, DetailAddress("gadgets", NAMESPACE, "x"))
    assert (unknown.kind, unknown.tabs, unknown.problem) == (None, [], "Unknown kind “gadgets”.")
    missing = await open_detail(catalog, admin, DetailAddress("configmaps", NAMESPACE, "no-such-map", "logs"))
    assert (missing.problem, missing.tab, missing.facts) == ("Not Found", "overview", None)  # no Logs tab here
    signed_out = await open_detail(catalog, None, DetailAddress("configmaps", NAMESPACE, "no-such-map"))
    assert (signed_out.problem, signed_out.facts) == ("", None)
    assert [tab.id for tab in signed_out.tabs] == ["overview", "yaml", "events", "tree"]


async def test_a_secrets_values_are_revealed_only_to_those_who_may_read_them(
    kube_api, cluster_http, catalog, tmp_path: Path
):
    name = f"detail-{uuid.uuid4().hex[:8]}"
    await _post(
        cluster_http,
        f"/api/v1/namespaces/{NAMESPACE}/secrets",
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": {"token": "czNjcjN0"}},
    )
    address = DetailAddress("secrets", NAMESPACE, name)
    admin, viewer = _person(kube_api, ADMIN), _person(kube_api, VIEWER)
    opening = await open_detail(catalog, admin, address)
    assert opening.can_reveal and opening.facts is not None and opening.facts.overview.keys == ["token"]
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log
    values = await reveal_values(admin, kind_for("secrets"), address, audit)
    assert [(value.key, value.value) for value in values] == [("token", "s3cr3t")]
    refused = await open_detail(catalog, viewer, address)
    assert refused.problem.startswith("You may not view this Secret") and not refused.can_reveal
    with pytest.raises(RevealFailed) as denied:
        await reveal_values(viewer, kind_for("secrets"), address, audit)
    assert denied.value.denied
    with pytest.raises(RevealFailed, match="ConfigMaps have no values to reveal"):
        await reveal_values(admin, kind_for("configmaps"), DetailAddress("configmaps", NAMESPACE, name), audit)


async def test_a_followed_pod_shows_its_owners_and_someone_elses_change(kube_api, cluster_http, cache):
    deployment = await _deployment(cluster_http)
    pod = await _pod_of(cache, deployment)
    address = DetailAddress("pods", NAMESPACE, pod)
    view = follow_detail(cache, _person(kube_api, ADMIN), kind_for("pods"), address, idle_seconds=5)
    async with contextlib.aclosing(view) as updates:
        first = await _until(updates, lambda update: update.facts is not None and len(update.facts.owners) == 2)
        assert first.problem == "" and not first.replaced
        assert first.facts is not None
        assert [owner["kind"] for owner in first.facts.owners] == ["Deployment", "ReplicaSet"]
        assert first.facts.owners[0]["href"] == f"/cloud/resource/deployments/{NAMESPACE}/{deployment}/overview"
        response = await cluster_http.patch(
            f"/api/v1/namespaces/{NAMESPACE}/pods/{pod}",
            json={"metadata": {"labels": {"touched": "yes"}}},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert response.status_code == 200, response.text
        changed = await _until(updates, lambda update: update.facts is not None and update.replaced)
        assert changed.facts is not None and "touched=yes" in changed.facts.overview.labels
        assert changed.live_state == "live"
        await cluster_http.delete(f"/api/v1/namespaces/{NAMESPACE}/pods/{pod}")
        gone = await _until(updates, lambda update: update.problem == "Not Found")
        assert gone.facts is None


async def test_a_services_endpoints_come_from_its_endpoint_slices(kube_api, cluster_http, cache):
    name = await _deployment(cluster_http)
    view = follow_detail(
        cache, _person(kube_api, ADMIN), kind_for("services"), DetailAddress("services", NAMESPACE, name)
    )
    async with contextlib.aclosing(view) as updates:

        def has_endpoints(update: DetailUpdate) -> bool:
            endpoints = update.facts.overview.endpoints if update.facts is not None else update.endpoints
            return bool(endpoints) and len(endpoints or []) == 2

        update = await _until(updates, has_endpoints)
        assert update.problem == ""


async def test_the_tree_and_events_tabs_of_a_deployment(kube_api, cluster_http, cache):
    name = await _deployment(cluster_http)
    admin, deployments = _person(kube_api, ADMIN), kind_for("deployments")

    def pods_in_tree(update: DetailUpdate) -> int:
        lines = update.facts.tree if update.facts is not None else update.tree
        return sum(1 for line in lines or [] if line["kind"] == "Pod")

    tree_view = follow_detail(cache, admin, deployments, DetailAddress("deployments", NAMESPACE, name, "tree"))
    async with contextlib.aclosing(tree_view) as updates:
        update = await _until(updates, lambda update: pods_in_tree(update) == 2)
        lines = update.facts.tree if update.facts is not None else update.tree
        assert lines is not None
        assert [line["relation"] for line in lines][:2] == ["self", "child"]
        assert lines[1]["kind"] == "ReplicaSet"
    events_view = follow_detail(cache, admin, deployments, DetailAddress("deployments", NAMESPACE, name, "events"))
    async with contextlib.aclosing(events_view) as updates:
        update = await _until(updates, lambda update: bool(update.events))
        assert update.events is not None and update.events[0]["reason"] == "ScalingReplicaSet"


async def test_metrics_of_a_pod_and_of_a_node(kube_api, cache):
    async with cache.subscribe(PODS) as watch:
        await watch.wait_synced()
        running = next(
            pod
            for pod in watch.objects()
            if pod["metadata"]["namespace"] == "kube-system" and (pod.get("status") or {}).get("phase") == "Running"
        )
    namespace, pod = running["metadata"]["namespace"], name_of(running)
    containers = [container["name"] for container in running["spec"]["containers"]]
    api = kube_api.as_person(ADMIN)
    assert metrics_path(kind_for("pods"), namespace, pod).endswith(f"/namespaces/{namespace}/pods/{pod}")
    reading = await read_metrics(api, kind_for("pods"), namespace, pod)
    assert reading.note == "" and [row["name"] for row in reading.rows] == [*containers, "total"]
    node = await read_metrics(api, kind_for("worker-nodes"), "", "omantel-fsn-cp-1")
    assert node.note == "" and [row["name"] for row in node.rows] == ["node"]
    assert metrics_path(kind_for("configmaps"), namespace, "x") == ""


async def test_a_flux_object_shows_its_reconcile_facts(kube_api, catalog):
    address = DetailAddress("helmreleases", "flux-system", "openova-prod-keycloak", "reconcile")
    opening = await open_detail(catalog, _person(kube_api, ADMIN), address)
    assert opening.tab == "reconcile" and opening.facts is not None
    assert opening.facts.reconcile["state"] and opening.facts.reconcile["suspended"] in ("true", "false")
    discovered = await catalog.find("helmrepositories.source.toolkit.fluxcd.io")
    assert "reconcile" in [
        tab.id for tab in (await open_detail(catalog, None, DetailAddress(discovered.id, "", "x"))).tabs
    ]
