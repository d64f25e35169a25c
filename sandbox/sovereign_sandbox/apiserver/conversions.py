"""Conversions between a stored object and the version it is served at (events.k8s.io ↔ core Events)."""

from __future__ import annotations

from typing import Any

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
    return obj


def storage_resource(catalogue: Catalogue, resource: ResourceType) -> ResourceType:
    """The type whose form objects are stored in (core/v1 events for events.k8s.io/v1)."""
    if _is_events_v1(resource):
        return catalogue.get("", "v1", "events") or resource
    return resource
