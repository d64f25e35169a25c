"""The graph's backend figures, in process, on the sandbox's seeded world scaled to N pods (no HTTP):

full derivation (every object → nodes and typed edges), one incremental event (a pod relabelled, a pod added,
a Service's selector changed), a person's default view, bytes per delta (one status change, one new
Deployment with its pods), and the memory the graph holds.
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, datetime

from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import Kind, RenderContext
from console.kube.registry import KINDS
from console.topology.graph import TopologyGraph, graph_kinds
from console.topology.model import EveryNode, ViewOptions
from console.topology.view import build_view
from console.topology.wire import delta_frame, snapshot_frame

CONTEXT = RenderContext(now=datetime.now(UTC), cluster_id="sovereign-omantel.openova.cloud")
EVENT_RUNS = 200


def _kind_of(kinds: dict[str, Kind], obj: dict) -> Kind | None:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    for kind in kinds.values():
        if kind.kind == obj.get("kind") and kind.resource is not None and kind.resource.group == group:
            return kind
    return None


def _by_kind(objects: list[dict]) -> tuple[dict[str, list[dict]], dict[str, Kind]]:
    kinds = graph_kinds(KINDS)
    lookup: dict[tuple[str, str], Kind | None] = {}
    grouped: dict[str, list[dict]] = defaultdict(list)
    for obj in objects:
        key = (str(obj.get("apiVersion")), str(obj.get("kind")))
        if key not in lookup:
            lookup[key] = _kind_of(kinds, obj)
        kind = lookup[key]
        if kind is not None:
            grouped[kind.id].append(obj)
    return grouped, kinds


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(pods: int) -> dict[str, float]:
    """Figures at about `pods` pods (build the world, derive, apply events, view, deltas, memory)."""
    objects = build_world(seed=1, pods=pods, now=CONTEXT.now)
    grouped, kinds = _by_kind(objects)
    pod_count = len(grouped["pods"])

    gc.collect()
    tracemalloc.start()
    traced = TopologyGraph(KINDS, CONTEXT.cluster_id, CONTEXT)
    traced.rebuild(grouped)
    held, _ = tracemalloc.get_traced_memory()  # what a derived graph keeps (tracing slows it: timed apart)
    tracemalloc.stop()
    del traced
    gc.collect()
    started = time.perf_counter()
    graph = TopologyGraph(KINDS, CONTEXT.cluster_id, CONTEXT)
    graph.rebuild(grouped)
    derivation = time.perf_counter() - started

    pod_kind, service_kind = kinds["pods"], kinds["services"]
    relabel, add = [], []
    for index in range(EVENT_RUNS):
        pod = copy.deepcopy(grouped["pods"][index * 7 % pod_count])
        pod["metadata"]["labels"] = {**pod["metadata"].get("labels", {}), "bench": str(index)}
        pod["metadata"]["resourceVersion"] = f"bench-{index}"
        started = time.perf_counter()
        graph.upsert(pod_kind, pod)
        relabel.append(time.perf_counter() - started)
        fresh = copy.deepcopy(pod)
        fresh["metadata"]["name"] = f"bench-{index}"
        started = time.perf_counter()
        graph.upsert(pod_kind, fresh)
        add.append(time.perf_counter() - started)
    selector = []
    services = [service for service in grouped["services"] if (service.get("spec") or {}).get("selector")]
    for index in range(min(EVENT_RUNS, 50)):
        service = copy.deepcopy(services[index % len(services)])
        service["spec"]["selector"] = {**service["spec"]["selector"], "bench": str(index % 2)}
        started = time.perf_counter()
        graph.upsert(service_kind, service)
        selector.append(time.perf_counter() - started)

    options = ViewOptions()
    started = time.perf_counter()
    before = build_view(graph, options, EveryNode())
    view_seconds = time.perf_counter() - started
    snapshot_bytes = len(json.dumps(snapshot_frame(before, 1), separators=(",", ":")))

    deployment = copy.deepcopy(grouped["deployments"][0])
    status = deployment.setdefault("status", {})
    status["readyReplicas"] = 0
    status["availableReplicas"] = 0
    graph.upsert(kinds["deployments"], deployment)
    after = build_view(graph, options, EveryNode())
    status_delta = delta_frame(before, after, 2)
    new = copy.deepcopy(grouped["deployments"][1])
    new["metadata"]["name"] = "bench-new"
    graph.upsert(kinds["deployments"], new)
    added = build_view(graph, options, EveryNode())
    added_delta = delta_frame(after, added, 3)
    return {
        "pods": pod_count,
        "objects": sum(len(items) for items in grouped.values()),
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "derivation_ms": derivation * 1000,
        "relabel_ms": _median_ms(relabel),
        "relabel_p99_ms": sorted(relabel)[int(len(relabel) * 0.99) - 1] * 1000,
        "add_ms": _median_ms(add),
        "selector_ms": _median_ms(selector),
        "view_ms": view_seconds * 1000,
        "view_nodes": len(before.nodes),
        "snapshot_kib": snapshot_bytes / 1024,
        "status_delta_bytes": len(json.dumps(status_delta, separators=(",", ":"))) if status_delta else 0,
        "added_delta_bytes": len(json.dumps(added_delta, separators=(",", ":"))) if added_delta else 0,
        "graph_mib": held / 2**20,
    }
