"""The feed keeps the graph in step with the sandbox cluster: objects and their edges appear and vanish live."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from console.kube.api import KubeApi
from console.kube.kinds import RenderContext
from console.kube.registry import KINDS
from console.kube.watch_cache import KindWatch, WatchCache
from console.topology.feed import TopologyFeed
from console.topology.graph import TopologyGraph
from console.topology.model import edge_id

pytestmark = pytest.mark.sandbox

CONTEXT = RenderContext(now=datetime.now(UTC), cluster_id="sovereign-omantel.openova.cloud")


async def until(feed: TopologyFeed, condition: Callable[[TopologyGraph], bool], timeout: float = 10.0) -> None:
    """Wait for the graph to satisfy `condition`, re-checking each time the feed moves."""
    deadline = asyncio.get_running_loop().time() + timeout
    revision = feed.revision
    while not condition(feed.graph):
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, f"the graph did not reach the expected state in time ({feed.status})"
        revision = await feed.wait_changed(revision, timeout=remaining)


@pytest.fixture
async def feed(kube_api: KubeApi) -> AsyncIterator[TopologyFeed]:
    cache = WatchCache(kube_api)
    following = TopologyFeed(cache, KINDS, CONTEXT)
    task = asyncio.create_task(following.run())
    try:
        await until(following, lambda _: following.status.state == "live", timeout=30)
        yield following
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await cache.close()


def _deployment(name: str) -> dict:
    labels = {"app": name}
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:1.27"}],
                    "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}}],
                },
            },
        },
    }


def _pods(graph: TopologyGraph, namespace: str) -> set[str]:
    return {node.id for node in graph.nodes.values() if node.type == "pods" and node.namespace == namespace}


async def test_the_seeded_world_is_drawn_once_listed(feed: TopologyFeed):
    graph = feed.graph
    assert feed.status.state == "live" and feed.status.message == ""
    assert "deployments:acme-prod-wordpress/wordpress" in graph.nodes
    wordpress = "applications:acme-prod-wordpress/wordpress"
    realized = {edge.target for edge in graph.edges_from(wordpress) if edge.kind == "realizes"}
    assert "deployments:acme-prod-wordpress/wordpress" in realized


async def test_objects_and_edges_appear_and_vanish_with_the_cluster(
    feed: TopologyFeed, cluster_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    """Once listed, the feed reads only the journal's keys: no kind is compared whole again."""
    whole_reads: list[str] = []
    objects = KindWatch.objects

    def counted(watch: KindWatch) -> list[dict]:
        whole_reads.append(watch.resource.plural)
        return objects(watch)

    monkeypatch.setattr(KindWatch, "objects", counted)
    namespace, name = f"feed-{uuid.uuid4().hex[:6]}", "web"
    created = await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})
    assert created.status_code == 201, created.text
    config = {"metadata": {"name": f"{name}-config"}, "data": {"greeting": "hello"}}
    service = {"metadata": {"name": name}, "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}}
    for path, body in (
        (f"/api/v1/namespaces/{namespace}/configmaps", config),
        (f"/apis/apps/v1/namespaces/{namespace}/deployments", _deployment(name)),
        (f"/api/v1/namespaces/{namespace}/services", service),
    ):
        response = await cluster_http.post(path, json=body)
        assert response.status_code == 201, response.text

    namespace_id = f"namespaces:{namespace}"
    deployment, service_id = f"deployments:{namespace}/{name}", f"services:{namespace}/{name}"
    config_id = f"configmaps:{namespace}/{name}-config"

    def drawn(graph: TopologyGraph) -> bool:
        pods = _pods(graph, namespace)
        return (
            len(pods) == 2
            and {namespace_id, deployment, service_id, config_id} <= graph.nodes.keys()
            and all(edge_id("selects", service_id, pod) in graph.edges for pod in pods)
            and all(edge_id("mounts", pod, config_id) in graph.edges for pod in pods)
        )

    await until(feed, drawn)
    graph = feed.graph
    assert edge_id("contains", namespace_id, deployment) in graph.edges
    assert edge_id("contains", graph.scope.id, namespace_id) in graph.edges
    for pod in _pods(graph, namespace):
        replica_set = graph.nodes[pod].owner
        assert graph.nodes[replica_set].owner == deployment
        assert edge_id("owns", replica_set, pod) in graph.edges
    assert graph.nodes[config_id].labels == {}  # a ConfigMap node holds metadata, never data

    revision, pods = feed.revision, _pods(graph, namespace)
    assert (await cluster_http.delete(f"/api/v1/namespaces/{namespace}/services/{name}")).status_code == 200
    await until(feed, lambda graph: service_id not in graph.nodes)
    assert not [edge for edge in graph.edges.values() if service_id in (edge.source, edge.target)]
    changes = graph.changes_since(revision)
    assert changes is not None and service_id in changes.nodes_removed
    selections = {edge_id("selects", service_id, pod) for pod in pods}
    assert selections | {edge_id("contains", namespace_id, service_id)} <= changes.edges_removed

    assert (await cluster_http.delete(f"/api/v1/namespaces/{namespace}/configmaps/{name}-config")).status_code == 200
    await until(feed, lambda graph: config_id not in graph.nodes)
    assert not [edge for edge in graph.edges.values() if edge.kind == "mounts" and edge.target == config_id]

    deleted = await cluster_http.delete(f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
    assert deleted.status_code == 200
    await until(feed, lambda graph: deployment not in graph.nodes and not _pods(graph, namespace))
    assert whole_reads == []
