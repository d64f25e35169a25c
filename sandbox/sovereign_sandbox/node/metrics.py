"""`metrics.k8s.io/v1beta1`: pod and node usage as metrics-server reports it, computed rather than stored.

Usage is a deterministic function of (container, 15-second window): a per-container share of its requests,
a slow ten-minute swell and a little noise, capped by its limits. Only running containers report.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any

from starlette.responses import Response

from sovereign_sandbox.apiserver.responses import RequestContext, json_response
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.node.containers import stable_hash
from sovereign_sandbox.storage.objects import now_rfc3339
from sovereign_sandbox.storage.resources import Catalogue, ResourceType

__all__ = ["GROUP", "HANDLERS", "METRICS_RESOURCES", "container_usage", "install", "parse_quantity"]

GROUP = "metrics.k8s.io"
_VERSION = "v1beta1"
_WINDOW_SECONDS = 15
_SWELL_WINDOWS = 40  # the slow variation's period: 40 windows, ten minutes
_QUANTITY = re.compile(r"^([0-9.]+)([a-zA-Z]*)$")
_SUFFIXES = {
    "": 1,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}
_DEFAULT_REQUESTS = (0.05, 64 * 2**20)  # (cores, bytes) for containers that request nothing

METRICS_RESOURCES: tuple[ResourceType, ...] = (
    ResourceType(GROUP, _VERSION, "nodes", "", "NodeMetrics", False, verbs=("get", "list"), tracks_generation=False),
    ResourceType(GROUP, _VERSION, "pods", "", "PodMetrics", True, verbs=("get", "list"), tracks_generation=False),
)


def install(catalogue: Catalogue) -> None:
    """Serve the metrics group (so `/apis` lists it and `kubectl top` finds it)."""
    for resource in METRICS_RESOURCES:
        catalogue.add(resource)


def parse_quantity(text: str) -> float:
    """A resource quantity ("250m", "1", "512Mi") as a plain number; 0 when malformed."""
    match = _QUANTITY.match(str(text).strip())
    if not match or match.group(2) not in _SUFFIXES:
        return 0.0
    return float(match.group(1)) * _SUFFIXES[match.group(2)]


def _unit(*parts: object) -> float:
    return stable_hash(*parts) / 2**64


def container_usage(seed: str, container: dict[str, Any], window: int) -> tuple[float, float]:
    """(cores, bytes) a container uses in `window` (a 15-second bucket number)."""
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    cpu_request = (
        parse_quantity(requests.get("cpu", "")) or parse_quantity(limits.get("cpu", "")) or _DEFAULT_REQUESTS[0]
    )
    memory_request = (
        parse_quantity(requests.get("memory", "")) or parse_quantity(limits.get("memory", "")) or _DEFAULT_REQUESTS[1]
    )
    phase = _unit(seed, "phase")
    swell = math.sin(2 * math.pi * (window / _SWELL_WINDOWS + phase))
    cpu = cpu_request * (0.04 + 0.6 * _unit(seed, "cpu")) * (1 + 0.3 * swell + 0.2 * (_unit(seed, window) - 0.5))
    memory = memory_request * (0.35 + 0.55 * _unit(seed, "memory")) * (1 + 0.04 * swell)
    if cpu_limit := parse_quantity(limits.get("cpu", "")):
        cpu = min(cpu, cpu_limit * 0.98)
    if memory_limit := parse_quantity(limits.get("memory", "")):
        memory = min(memory, memory_limit * 0.97)
    return max(cpu, 0.0005), memory


def _cpu(cores: float) -> str:
    return f"{int(cores * 1e9)}n"


def _memory(size: float) -> str:
    return f"{int(size // 1024)}Ki"


def _pod_usage(pod: dict[str, Any], window: int) -> list[tuple[str, float, float]]:
    """(container, cores, bytes) of a pod's running containers; empty when the pod is not Running."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return []
    running = {item["name"] for item in status.get("containerStatuses") or () if "running" in (item.get("state") or {})}
    uid = pod["metadata"].get("uid") or pod["metadata"]["name"]
    return [
        (container["name"], *container_usage(f"{uid}/{container['name']}", container, window))
        for container in (pod.get("spec") or {}).get("containers") or ()
        if container["name"] in running
    ]


def _pod_metrics(pod: dict[str, Any], window: int, usage: list[tuple[str, float, float]]) -> dict[str, Any]:
    metadata = pod["metadata"]
    shown = {"name": metadata["name"], "namespace": metadata.get("namespace", ""), "creationTimestamp": now_rfc3339()}
    if metadata.get("labels"):
        shown["labels"] = metadata["labels"]
    return {
        "metadata": shown,
        "timestamp": _timestamp(window),
        "window": f"{_WINDOW_SECONDS}s",
        "containers": [
            {"name": name, "usage": {"cpu": _cpu(cores), "memory": _memory(size)}} for name, cores, size in usage
        ],
    }


def _pods_by_node(pods: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for pod in pods:
        grouped.setdefault((pod.get("spec") or {}).get("nodeName") or "", []).append(pod)
    return grouped


def _node_metrics(node: dict[str, Any], window: int, pods: list[dict[str, Any]]) -> dict[str, Any]:
    """NodeMetrics: the usage of `pods` (those on the node) plus the system's own."""
    name = node["metadata"]["name"]
    cores = 0.12 + 0.2 * _unit(name, "system cpu")  # kubelet, containerd, the kernel
    size = (900 + 700 * _unit(name, "system memory")) * 2**20
    for pod in pods:
        for _, pod_cores, pod_size in _pod_usage(pod, window):
            cores, size = cores + pod_cores, size + pod_size
    metadata: dict[str, Any] = {"name": name, "creationTimestamp": now_rfc3339()}
    if node["metadata"].get("labels"):
        metadata["labels"] = node["metadata"]["labels"]
    return {
        "metadata": metadata,
        "timestamp": _timestamp(window),
        "window": f"{_WINDOW_SECONDS}s",
        "usage": {"cpu": _cpu(cores), "memory": _memory(size)},
    }


def _timestamp(window: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(window * _WINDOW_SECONDS))


def _not_found(context: RequestContext) -> ApiError:
    kind = "podmetrics" if context.resource.plural == "pods" else "nodemetrics"
    shown = f"{context.namespace}/{context.name}" if context.namespace else context.name
    return ApiError(
        404,
        "NotFound",
        f'{kind}.{GROUP} "{shown}" not found',
        {"name": context.name, "group": GROUP, "kind": kind},
    )


async def serve(context: RequestContext) -> Response:
    """GET one PodMetrics/NodeMetrics or a list of them (label and field selectors apply to the pods/nodes)."""
    catalogue, store = context.cluster.catalogue, context.cluster.store
    window = int(time.time() // _WINDOW_SECONDS)
    is_pods = context.resource.plural == "pods"
    source = catalogue.get("", "v1", context.resource.plural)
    assert source is not None
    if context.name:
        if not store.exists(source, context.namespace, context.name):
            raise _not_found(context)
        obj = store.get(source, context.namespace, context.name)
        if is_pods:
            usage = _pod_usage(obj, window)
            if not usage:
                raise _not_found(context)
            body = _pod_metrics(obj, window, usage)
            return json_response({"kind": "PodMetrics", "apiVersion": f"{GROUP}/{_VERSION}", **body})
        pods = _pods_by_node(store.list(catalogue.get("", "v1", "pods")).items).get(context.name, [])  # type: ignore[arg-type]
        body = _node_metrics(obj, window, pods)
        return json_response({"kind": "NodeMetrics", "apiVersion": f"{GROUP}/{_VERSION}", **body})
    query = context.query
    objects = store.list(
        source,
        context.namespace,
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
    ).items
    if is_pods:
        items = [_pod_metrics(pod, window, usage) for pod in objects if (usage := _pod_usage(pod, window))]
    else:
        by_node = _pods_by_node(store.list(catalogue.get("", "v1", "pods")).items)  # type: ignore[arg-type]
        items = [_node_metrics(node, window, by_node.get(node["metadata"]["name"], [])) for node in objects]
    kind = "PodMetricsList" if is_pods else "NodeMetricsList"
    return json_response({"kind": kind, "apiVersion": f"{GROUP}/{_VERSION}", "metadata": {}, "items": items})


HANDLERS = {resource.storage_key: serve for resource in METRICS_RESOURCES}
