"""No graph change is lost: 1,000 changes to objects that are graph nodes with edges (ConfigMaps, bare Pods,
Deployments, Services, PodDisruptionBudgets, Ingresses in one namespace), made while the API server drops
watches, answers 410 Gone, restarts without its watch history and refuses lists with 429/500, end with the
feed's architecture graph equal to one a brand-new cache and feed draw from a fresh list afterwards: the
namespace's nodes (status, labels, owner … whole) and every edge touching them, and every node and edge id of
the whole cluster."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest
from fault_schedule import inject_fault

from console.kube.api import KubeApi, ResourcePath
from console.kube.kinds import RenderContext
from console.kube.registry import KINDS
from console.kube.watch_cache import WatchCache
from console.topology.feed import TopologyFeed
from console.topology.model import GraphNode

pytestmark = pytest.mark.sandbox

CONTEXT = RenderContext(now=datetime.now(UTC), cluster_id="sovereign-omantel.openova.cloud")
CHANGES = 1000
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
APPS = ("a", "b", "c")  # the label values pods carry and selectors choose among
# The kinds changed, each with the name prefix of its objects and how many may be alive at once. Every object
# gets a new name (`config-7`), so one deleted stays deleted: a delete the feed missed is never healed by a
# later re-create.
PREFIXES = {
    "pods": "pod",
    "configmaps": "config",
    "services": "svc",
    "poddisruptionbudgets": "pdb",
    "ingresses": "ing",
    "deployments": "deploy",
}
ALIVE_AT_MOST = {
    "pods": 15,
    "configmaps": 6,
    "services": 4,
    "poddisruptionbudgets": 3,
    "ingresses": 3,
    "deployments": 3,
}
API_GROUPS = {
    "deployments": "/apis/apps/v1",
    "poddisruptionbudgets": "/apis/policy/v1",
    "ingresses": "/apis/networking.k8s.io/v1",
}
# How often each kind is changed, relatively: pods and the ConfigMaps they mount most.
WEIGHTS = {"pods": 30, "configmaps": 20, "services": 15, "poddisruptionbudgets": 10, "ingresses": 10, "deployments": 15}


async def until(
    feeds: tuple[TopologyFeed, ...], condition: Callable[[], bool], timeout: float, describe: Callable[[], str]
) -> None:
    """Wait for `condition`, re-checking each time any of the feeds moves (never on the clock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        remaining = deadline - loop.time()
        assert remaining > 0, f"not reached in {timeout} s: {describe()}"
        waits = [asyncio.ensure_future(feed.wait_changed(feed.revision, timeout=remaining)) for feed in feeds]
        _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for wait in pending:
            wait.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


@asynccontextmanager
async def following(kube_api: KubeApi) -> AsyncIterator[tuple[TopologyFeed, WatchCache]]:
    """A feed over its own watch cache, live (every graph kind listed) before it is handed out."""
    cache = WatchCache(kube_api, max_backoff_seconds=0.2)
    feed = TopologyFeed(cache, KINDS, CONTEXT)
    task = asyncio.create_task(feed.run())
    try:
        await until((feed,), lambda: feed.status.state == "live", timeout=30, describe=lambda: str(feed.status))
        yield feed, cache
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await cache.close()


@dataclass(frozen=True)
class Drawing:
    """What the graph shows of one namespace: its nodes whole, and every edge with an end among them."""

    nodes: dict[str, GraphNode]
    edges: frozenset[str]

    @staticmethod
    def of(feed: TopologyFeed, namespace: str) -> Drawing:
        graph = feed.graph
        namespace_node = f"namespaces:{namespace}"
        nodes = {id_: node for id_, node in graph.nodes.items() if node.namespace == namespace or id_ == namespace_node}
        edges = frozenset(id_ for id_, edge in graph.edges.items() if edge.source in nodes or edge.target in nodes)
        return Drawing(nodes, edges)


def _ids(feed: TopologyFeed) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(feed.graph.nodes), frozenset(feed.graph.edges)


def _difference(churned: TopologyFeed, fresh: TopologyFeed, namespace: str) -> str:
    ours, theirs = Drawing.of(churned, namespace), Drawing.of(fresh, namespace)
    changed = sorted(id_ for id_ in ours.nodes.keys() & theirs.nodes.keys() if ours.nodes[id_] != theirs.nodes[id_])
    (our_nodes, our_edges), (their_nodes, their_edges) = _ids(churned), _ids(fresh)
    only = {
        "nodes only churned": our_nodes - their_nodes,
        "nodes only fresh": their_nodes - our_nodes,
        "edges only churned": our_edges - their_edges,
        "edges only fresh": their_edges - our_edges,
    }
    listed = ", ".join(f"{what} {sorted(ids)[:20]}" for what, ids in only.items())
    return f"{listed}, namespace nodes that differ {changed[:20]}; feeds {churned.status} / {fresh.status}"


@dataclass
class Churn:
    """Random changes to one namespace's graph objects through the plain HTTP listener (like kubectl)."""

    http: httpx.AsyncClient
    namespace: str
    rng: random.Random
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PREFIXES, 0))  # plural → names used
    alive: dict[str, list[str]] = field(default_factory=lambda: {plural: [] for plural in PREFIXES})

    def _collection(self, plural: str) -> str:
        return f"{API_GROUPS.get(plural, '/api/v1')}/namespaces/{self.namespace}/{plural}"

    def _referenced(self, plural: str) -> str:
        """A name a reference carries: mostly an object of `plural` alive now, else one of the last few names
        (deleted by now) or of the next two (not created yet): edges must appear and vanish with either end."""
        alive = self.alive[plural]
        if alive and self.rng.random() < 0.6:
            return self.rng.choice(alive)
        newest = self.created[plural]
        return f"{PREFIXES[plural]}-{self.rng.randrange(max(0, newest - 6), newest + 2)}"

    def _pod_spec(self) -> dict:
        """A pod spec that mounts one ConfigMap and reads another into its environment."""
        container = {
            "name": "main",
            "image": "nginx:1.27",
            "envFrom": [{"configMapRef": {"name": self._referenced("configmaps")}}],
        }
        return {
            "containers": [container],
            "volumes": [{"name": "config", "configMap": {"name": self._referenced("configmaps")}}],
        }

    def _ingress_spec(self) -> dict:
        backend = {"service": {"name": self._referenced("services"), "port": {"number": 80}}}
        return {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}

    def _body(self, plural: str, name: str) -> dict:
        app = self.rng.choice(APPS)
        if plural == "pods":
            return {"metadata": {"name": name, "labels": {"app": app}}, "spec": self._pod_spec()}
        if plural == "configmaps":
            return {"metadata": {"name": name, "labels": {"app": app}}, "data": {"v": "0"}}
        if plural == "services":
            return {"metadata": {"name": name}, "spec": {"selector": {"app": app}, "ports": [{"port": 80}]}}
        if plural == "poddisruptionbudgets":
            return {"metadata": {"name": name}, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}}}
        if plural == "ingresses":
            return {"metadata": {"name": name}, "spec": self._ingress_spec()}
        labels = {"deployment": name}
        template = {"metadata": {"labels": {**labels, "app": app}}, "spec": self._pod_spec()}
        spec = {"replicas": self.rng.randint(0, 2), "selector": {"matchLabels": labels}, "template": template}
        return {"metadata": {"name": name}, "spec": spec}

    def _patch(self, plural: str) -> dict:
        """A change that moves an edge: a pod's labels, what a selector selects, where an ingress routes …"""
        app = self.rng.choice(APPS)
        if plural == "pods":  # which Services and budgets select it (a pod's spec is immutable)
            return {"metadata": {"labels": {"app": app}}}
        if plural == "configmaps":
            return {"metadata": {"labels": {"app": app}}, "data": {"v": str(self.rng.random())}}
        if plural == "services":
            return {"spec": {"selector": {"app": app}}}
        if plural == "poddisruptionbudgets":
            return {"spec": {"selector": {"matchLabels": {"app": app}}}}
        if plural == "ingresses":
            return {"spec": self._ingress_spec()}
        # A Deployment: a rollout (a new ReplicaSet, its pods replaced) and a scale.
        template = {"metadata": {"labels": {"app": app}}, "spec": self._pod_spec()}
        return {"spec": {"replicas": self.rng.randint(0, 2), "template": template}}

    async def change(self) -> None:
        """Create, change or delete one object of a kind chosen by WEIGHTS."""
        plural = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        collection, alive = self._collection(plural), self.alive[plural]
        roll = self.rng.random()
        if not alive or (roll < 0.4 and len(alive) < ALIVE_AT_MOST[plural]):
            name = f"{PREFIXES[plural]}-{self.created[plural]}"
            self.created[plural] += 1
            alive.append(name)
            response = await self.http.post(collection, json=self._body(plural, name))
        elif roll < 0.75:
            path = f"{collection}/{self.rng.choice(alive)}"
            response = await self.http.patch(path, json=self._patch(plural), headers=MERGE_PATCH)
        else:
            name = alive.pop(self.rng.randrange(len(alive)))
            # Pods go at once (no grace period; other kinds ignore it): node and edges must vanish now.
            response = await self.http.delete(f"{collection}/{name}", params={"gracePeriodSeconds": "0"})
        assert response.status_code in (200, 201), response.text


def _relists(cache: WatchCache) -> dict[str, int]:
    """How many full lists the pods and ConfigMaps watches made (the resources the refusals name)."""
    watches = {plural: cache.peek(ResourcePath("", "v1", plural)) for plural in ("pods", "configmaps")}
    return {plural: watch.relists for plural, watch in watches.items() if watch is not None}


async def test_a_thousand_graph_changes_through_faults_end_equal_to_a_freshly_drawn_graph(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient, sandbox
):
    namespace = f"topo-churn-{uuid.uuid4().hex[:6]}"
    assert (await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})).status_code == 201
    churn = Churn(cluster_http, namespace, random.Random(16))
    async with following(kube_api) as (churned, cache):
        relists_before = _relists(cache)
        try:
            for step in range(CHANGES):
                inject_fault(step, sandbox, "/api/v1/pods", "/api/v1/configmaps")
                await churn.change()
            async with following(kube_api) as (fresh, _):
                # The two feeds read the cluster at different instants, and its controllers (rollouts, garbage
                # collection, the kubelet) still finish what the churn started: wait until both have caught up
                # (and every watch of the churned feed is live again, its relists done).
                await until(
                    (churned, fresh),
                    lambda: (
                        churned.status.state == "live"
                        and Drawing.of(churned, namespace) == Drawing.of(fresh, namespace)
                        and _ids(churned) == _ids(fresh)
                    ),
                    timeout=20,
                    describe=lambda: _difference(churned, fresh, namespace),
                )
                drawing = Drawing.of(churned, namespace)
        finally:
            sandbox.faults.clear()
        # The refused lists (429 on pods, 500 on ConfigMaps) made each of those watches list again.
        relists = _relists(cache)
        assert relists.keys() == relists_before.keys() == {"pods", "configmaps"}
        assert all(relists[plural] > relists_before[plural] for plural in relists), (relists_before, relists)
    # The churn left a graph worth comparing: objects of every kind it touched, and edges of each sort.
    drawn_types = {node.type for node in drawing.nodes.values()}
    assert drawn_types >= {*PREFIXES, "replicasets"}, drawn_types
    drawn_edges = {edge.partition("|")[0] for edge in drawing.edges}
    assert drawn_edges >= {"contains", "owns", "mounts", "selects", "routes-to"}, drawn_edges
