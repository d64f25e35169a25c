"""The metrics tab: CPU (millicores) and memory from a metrics.k8s.io PodMetrics or NodeMetrics object."""

from __future__ import annotations

from console.kube.api import JsonObject
from console.kube.quantities import quantity_or_zero

METRICS_GROUP_VERSION = "/apis/metrics.k8s.io/v1beta1"


def quantity(text: object) -> float:
    """A Kubernetes quantity ("250m", "128Mi", "12345n") as a plain number; 0 when unreadable."""
    return quantity_or_zero(text)


def _row(name: str, usage: object) -> dict[str, str]:
    values = usage if isinstance(usage, dict) else {}
    cpu = quantity(values.get("cpu")) * 1000
    memory = quantity(values.get("memory")) / 2**20
    return {"name": name, "cpu": f"{cpu:.0f}m", "memory": f"{memory:.1f}Mi"}


def usage_rows(metrics: JsonObject) -> list[dict[str, str]]:
    """One row per container (PodMetrics) plus a total, or a single row (NodeMetrics)."""
    containers = metrics.get("containers")
    if not isinstance(containers, list):
        return [_row("node", metrics.get("usage"))]
    rows = [_row(str(c.get("name") or ""), c.get("usage")) for c in containers if isinstance(c, dict)]
    cpu = sum(quantity((c.get("usage") or {}).get("cpu")) for c in containers if isinstance(c, dict))
    memory = sum(quantity((c.get("usage") or {}).get("memory")) for c in containers if isinstance(c, dict))
    rows.append({"name": "total", "cpu": f"{cpu * 1000:.0f}m", "memory": f"{memory / 2**20:.1f}Mi"})
    return rows


def metrics_path(kind: str, namespace: str, name: str) -> str:
    """The metrics.k8s.io path of a Pod or Node ("" for other kinds)."""
    if kind == "Pod":
        return f"{METRICS_GROUP_VERSION}/namespaces/{namespace}/pods/{name}"
    if kind == "Node":
        return f"{METRICS_GROUP_VERSION}/nodes/{name}"
    return ""


__all__ = ["METRICS_GROUP_VERSION", "metrics_path", "quantity", "usage_rows"]
