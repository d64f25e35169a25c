"""Conversions between a stored object and the version it is served at: events.k8s.io ↔ core Events, and
autoscaling/v1 ↔ v2 HorizontalPodAutoscalers (stored as defaulted v2, as the real server stores them)."""

from __future__ import annotations

import copy
from typing import Any

from sovereign_sandbox.storage.hpa_defaults import default_behavior, default_metrics
from sovereign_sandbox.storage.resources import Catalogue, ResourceType

__all__ = ["storage_resource", "to_storage", "to_view"]

Obj = dict[str, Any]
# events.k8s.io/v1 field → core/v1 field (the same storage; Kubernetes converts through the internal type).
_EVENT_FIELDS = {
    "regarding": "involvedObject",
    "note": "message",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}
_SHARED_EVENT_FIELDS = ("eventTime", "series", "reportingInstance", "action", "reason", "related", "type")


def _is_events_v1(resource: ResourceType) -> bool:
    return resource.group == "events.k8s.io"


def _is_hpa(resource: ResourceType) -> bool:
    return resource.group == "autoscaling" and resource.plural == "horizontalpodautoscalers"


def _cpu_utilization(metrics: list[Obj] | None, side: str) -> int | None:
    for metric in metrics or ():
        resource = metric.get("resource") or {}
        if metric.get("type") == "Resource" and resource.get("name") == "cpu":
            return (resource.get(side) or {}).get("averageUtilization")
    return None


def _hpa_v1(obj: Obj, api_version: str) -> Obj:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    view_spec = {key: spec[key] for key in ("scaleTargetRef", "minReplicas", "maxReplicas") if key in spec}
    target = _cpu_utilization(spec.get("metrics"), "target")
    if target is not None:
        view_spec["targetCPUUtilizationPercentage"] = target
    view: Obj = {"kind": obj.get("kind", "HorizontalPodAutoscaler"), "apiVersion": api_version}
    view["metadata"] = obj.get("metadata", {})
    view["spec"] = view_spec
    if "status" in obj:
        keys = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas")
        view_status = {key: status[key] for key in keys if key in status}
        current = _cpu_utilization(status.get("currentMetrics"), "current")
        if current is not None:
            view_status["currentCPUUtilizationPercentage"] = current
        view_status.setdefault("currentReplicas", 0)
        view_status.setdefault("desiredReplicas", 0)
        view["status"] = view_status
    return view


def _hpa_v2(obj: Obj, api_version: str) -> Obj:
    """The defaulted autoscaling/v2 form of an HPA written at v1 or v2."""
    stored = copy.copy(obj)
    spec = dict(obj.get("spec") or {})
    if api_version == "autoscaling/v1":
        target = spec.pop("targetCPUUtilizationPercentage", None)
        if target is not None:
            spec["metrics"] = [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
                }
            ]
        stored["apiVersion"] = "autoscaling/v2"
        stored.pop("status", None)
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):
        spec["metrics"] = default_metrics()
    spec.setdefault("behavior", default_behavior())
    stored["spec"] = spec
    return stored


def to_view(resource: ResourceType, obj: Obj) -> Obj:
    """The stored object as `resource`'s version serves it (same dict when nothing changes)."""
    if _is_events_v1(resource):
        view: Obj = {"kind": "Event", "apiVersion": resource.api_version, "metadata": obj.get("metadata", {})}
        view["eventTime"] = obj.get("eventTime")  # null for events written by core/v1 recorders, as upstream
        for name in _SHARED_EVENT_FIELDS[1:]:
            if obj.get(name) is not None:
                view[name] = obj[name]
        for served, stored in _EVENT_FIELDS.items():
            if obj.get(stored) is not None:
                view[served] = obj[stored]
        return view
    if _is_hpa(resource) and resource.version == "v1":
        return _hpa_v1(obj, resource.api_version)
    if obj.get("apiVersion") != resource.api_version:
        return {**obj, "apiVersion": resource.api_version}
    return obj


def to_storage(resource: ResourceType, obj: Obj) -> Obj:
    """A written object in its storage form (core/v1 for events)."""
    if _is_events_v1(resource):
        stored: Obj = {"kind": "Event", "apiVersion": "v1", "metadata": obj.get("metadata", {})}
        for name in _SHARED_EVENT_FIELDS:
            if obj.get(name) is not None:
                stored[name] = obj[name]
        for served, storage in _EVENT_FIELDS.items():
            if obj.get(served) is not None:
                stored[storage] = obj[served]
        return stored
    if _is_hpa(resource) and isinstance(obj.get("spec"), dict):
        return _hpa_v2(obj, resource.api_version)
    return obj


def storage_resource(catalogue: Catalogue, resource: ResourceType) -> ResourceType:
    """The type whose form objects are stored in (core/v1 events for events.k8s.io/v1, v2 HPAs for v1)."""
    if _is_events_v1(resource):
        return catalogue.get("", "v1", "events") or resource
    if _is_hpa(resource):
        return catalogue.get("autoscaling", "v2", resource.plural) or resource
    return resource
