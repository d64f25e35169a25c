"""Capacity management: a ResourceQuota and a LimitRange in every Organization namespace (what the
Environment's Flux Kustomization applies), their usage as the quota controller counts it, and a
HorizontalPodAutoscaler on each multi-replica Deployment of a production Environment."""

from __future__ import annotations

from datetime import datetime

from sovereign_sandbox.storage.hpa_defaults import default_behavior
from sovereign_sandbox.world.context import DAY, HOUR, MINUTE, WorldContext

__all__ = ["capacity", "quantity_text"]

_ORGANIZATION = "openova.io/organization"
_ENVIRONMENT = "openova.io/environment"
# The quota an Environment type gets; raised to twice the usage where a namespace already needs more.
_HARD = {
    "prod": {"pods": 40, "requests.cpu": 8.0, "requests.memory": 16 * 2**30, "persistentvolumeclaims": 10},
    "dev": {"pods": 20, "requests.cpu": 4.0, "requests.memory": 8 * 2**30, "persistentvolumeclaims": 5},
}
_STORAGE = 200 * 2**30


_SUFFIXES = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def parse_quantity(text: str) -> float:
    """The seeded quantities ("250m", "1", "512Mi", "20Gi") as plain numbers."""
    number = text.rstrip("kmMGTi")
    return float(number) * _SUFFIXES[text[len(number) :]]


def quantity_text(value: float, kind: str) -> str:
    """A quantity as the API server prints sums: `1500m`, `2`, `768Mi`, `16Gi`, `40`."""
    if kind == "cpu":
        millis = round(value * 1000)
        return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"
    if kind == "bytes":
        amount = int(value)
        for suffix, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if amount and amount % size == 0:
                return f"{amount // size}{suffix}"
        return str(amount)
    return str(int(value))


def _kind_of(resource: str) -> str:
    if resource.endswith(".cpu"):
        return "cpu"
    if resource.endswith((".memory", ".storage")):
        return "bytes"
    return "count"


def _usage(context: WorldContext, namespace: str) -> tuple[dict[str, float], bool]:
    """What the quota controller counts in `namespace`, and whether every container sets limits."""
    used = dict.fromkeys(
        ("pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "persistentvolumeclaims"), 0.0
    )
    used["requests.storage"] = 0.0
    all_limited = True
    for pod in context.pods_by_namespace.get(namespace, ()):
        if pod["status"].get("phase") in ("Succeeded", "Failed"):
            continue  # terminated pods no longer count
        used["pods"] += 1
        for container in pod["spec"]["containers"]:
            resources = container.get("resources") or {}
            requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
            used["requests.cpu"] += parse_quantity(requests.get("cpu", "0"))
            used["requests.memory"] += parse_quantity(requests.get("memory", "0"))
            all_limited = all_limited and "cpu" in limits and "memory" in limits
            used["limits.cpu"] += parse_quantity(limits.get("cpu", "0"))
            used["limits.memory"] += parse_quantity(limits.get("memory", "0"))
    for claim in context.objects:
        if claim["kind"] == "PersistentVolumeClaim" and claim["metadata"]["namespace"] == namespace:
            used["persistentvolumeclaims"] += 1
            used["requests.storage"] += parse_quantity(claim["spec"]["resources"]["requests"]["storage"])
    return used, all_limited


def _flux_labels(environment: str) -> dict:
    return {
        "kustomize.toolkit.fluxcd.io/name": environment,
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        "catalyst.openova.io/environment": environment,
    }


def _quota(context: WorldContext, namespace: dict) -> None:
    metadata = namespace["metadata"]
    name, labels = metadata["name"], metadata["labels"]
    environment = labels.get(_ENVIRONMENT, "")
    used, all_limited = _usage(context, name)
    standard = _HARD["dev" if environment.endswith("-dev") else "prod"]
    hard: dict[str, float] = {key: max(value, used[key] * 2) for key, value in standard.items()}
    hard["requests.storage"] = max(_STORAGE, used["requests.storage"] * 2)
    if all_limited:  # a limits quota would have refused pods without limits
        hard["limits.cpu"] = max(2 * hard["requests.cpu"], used["limits.cpu"] * 2)
        hard["limits.memory"] = max(2 * hard["requests.memory"], used["limits.memory"] * 2)
    hard_text = {key: quantity_text(value, _kind_of(key)) for key, value in sorted(hard.items())}
    context.add(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {
                "name": "tenant-quota",
                "namespace": name,
                "labels": _flux_labels(environment),
                "annotations": {},
                "creationTimestamp": context.timestamp(_age(context, metadata) - 30),
            },
            "spec": {"hard": hard_text},
            "status": {
                "hard": dict(hard_text),
                "used": {key: quantity_text(used[key], _kind_of(key)) for key in hard_text},
            },
        }
    )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {
                "name": "tenant-limits",
                "namespace": name,
                "labels": _flux_labels(environment),
                "annotations": {},
                "creationTimestamp": context.timestamp(_age(context, metadata) - 30),
            },
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                        "min": {"cpu": "10m", "memory": "16Mi"},
                    },
                    {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "200Gi"}},
                ]
            },
        }
    )


def _age(context: WorldContext, metadata: dict) -> float:
    created = datetime.strptime(metadata["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=context.now.tzinfo)
    return (context.now - created).total_seconds()


def _condition(context: WorldContext, kind: str, status: str, reason: str, message: str, ago: float) -> dict:
    return {
        "type": kind,
        "status": status,
        "lastTransitionTime": context.timestamp(ago),
        "reason": reason,
        "message": message,
    }


def _autoscaler(context: WorldContext, deployment: dict, pods: list[dict]) -> None:
    metadata, spec = deployment["metadata"], deployment["spec"]
    replicas = spec["replicas"]
    ages = sorted(_age(context, pod["metadata"]) for pod in pods)
    # A pod younger than an hour in a steady Deployment is one the autoscaler just asked for.
    scaled_up = bool(ages) and ages[0] < HOUR
    last_scale = ages[0] if scaled_up else context.between(2 * DAY, 9 * DAY)
    utilization = context.rng.randint(86, 97) if scaled_up else context.rng.randint(18, 64)
    able = (
        _condition(
            context, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", 3 * MINUTE
        )
        if scaled_up or utilization > 40
        else _condition(
            context,
            "AbleToScale",
            "True",
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
            context.between(MINUTE, 5 * MINUTE),
        )
    )
    active_since = min(_age(context, metadata) - 90, 30 * DAY)
    context.add(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {
                "name": metadata["name"],
                "namespace": metadata["namespace"],
                "labels": dict(metadata["labels"]),
                "annotations": dict(
                    (key, value) for key, value in metadata["annotations"].items() if key.startswith("meta.helm.sh/")
                ),
                "generation": 1,
                "creationTimestamp": context.timestamp(_age(context, metadata) - 2),
            },
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": metadata["name"]},
                "minReplicas": max(1, replicas - 1),
                "maxReplicas": replicas * 3,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 75}},
                    }
                ],
                "behavior": default_behavior(),
            },
            "status": {
                "observedGeneration": 1,
                "lastScaleTime": context.timestamp(last_scale),
                "currentReplicas": deployment.get("status", {}).get("replicas", replicas),
                "desiredReplicas": replicas,
                "currentMetrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "current": {
                                "averageUtilization": utilization,
                                "averageValue": quantity_text(utilization / 1000, "cpu"),
                            },
                        },
                    }
                ],
                "conditions": [
                    able,
                    _condition(
                        context,
                        "ScalingActive",
                        "True",
                        "ValidMetricFound",
                        "the HPA was able to successfully calculate a replica count from cpu resource utilization "
                        "(percentage of request)",
                        active_since,
                    ),
                    _condition(
                        context,
                        "ScalingLimited",
                        "False",
                        "DesiredWithinRange",
                        "the desired count is within the acceptable range",
                        active_since,
                    ),
                ],
            },
        }
    )


def capacity(context: WorldContext) -> None:
    """Add quotas, limit ranges and autoscalers (after the workloads and pods they count and scale)."""
    for namespace in list(context.namespaces.values()):
        if _ORGANIZATION in namespace["metadata"]["labels"]:
            _quota(context, namespace)
    sets_of: dict[tuple[str, str], str] = {}  # (namespace, ReplicaSet) → Deployment
    for item in context.objects:
        if item["kind"] == "ReplicaSet" and item["spec"]["replicas"]:
            sets_of[(item["metadata"]["namespace"], item["metadata"]["name"])] = item["metadata"]["ownerReferences"][0][
                "name"
            ]
    for deployment in [item for item in context.objects if item["kind"] == "Deployment"]:
        metadata = deployment["metadata"]
        environment = metadata["labels"].get(_ENVIRONMENT, "")
        if not environment.endswith("-prod") or deployment["spec"]["replicas"] < 2:
            continue
        pods = [
            pod
            for pod in context.pods_by_namespace.get(metadata["namespace"], ())
            if sets_of.get((metadata["namespace"], pod["metadata"]["ownerReferences"][0]["name"])) == metadata["name"]
        ]
        _autoscaler(context, deployment, pods)
