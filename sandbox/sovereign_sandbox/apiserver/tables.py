"""The `meta.k8s.io/v1 Table` form kubectl asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sovereign_sandbox.apiserver.printers import Column, created_at_column, name_column
from sovereign_sandbox.apiserver.printers_platform import flow_schema_order
from sovereign_sandbox.storage.resources import ResourceType

__all__ = ["wants_table", "table"]

_DEFAULT_COLUMNS = (name_column(), created_at_column())
# Kinds whose printer sorts the rows of a list (the real FlowSchema printer lists them in matching order).
_ROW_ORDER = {("flowcontrol.apiserver.k8s.io", "flowschemas"): flow_schema_order}
_METADATA_FIELDS = (
    "name",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
)


def wants_table(accept: str | None) -> bool:
    """Whether the Accept header's first usable media type is a Table."""
    for media_type in (accept or "").split(","):
        parameters = {
            key.strip(): value.strip() for key, _, value in (part.partition("=") for part in media_type.split(";")[1:])
        }
        if parameters.get("as") == "Table" and parameters.get("g") == "meta.k8s.io":
            return True
        if media_type.strip().startswith(("application/json", "*/*")) and "as" not in parameters:
            return False
    return False


def _definition(column: Column) -> dict[str, Any]:
    return {
        "name": column.name,
        "type": column.type,
        "format": column.format,
        "description": column.description,
        "priority": column.priority,
    }


def _row_object(resource: ResourceType, obj: dict[str, Any], include_object: str) -> dict[str, Any] | None:
    if include_object == "None":
        return None
    if include_object == "Object":
        return obj
    metadata = obj.get("metadata") or {}
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {key: metadata[key] for key in _METADATA_FIELDS if key in metadata},
    }


def table(
    resource: ResourceType,
    objects: Iterable[dict[str, Any]],
    *,
    resource_version: str = "",
    continue_token: str = "",
    remaining: int | None = None,
    include_object: str = "Metadata",
    headers: bool = True,
) -> dict[str, Any]:
    """A Table of `objects` (stored form) with `resource`'s printer columns."""
    columns = resource.columns or _DEFAULT_COLUMNS
    order = _ROW_ORDER.get((resource.group, resource.plural))
    if order is not None:
        objects = sorted(objects, key=order)
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": [column.value(obj) for column in columns]}
        row_object = _row_object(resource, obj, include_object)
        if row_object is not None:
            row["object"] = row_object
        rows.append(row)
    metadata: dict[str, Any] = {}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    if continue_token:
        metadata["continue"] = continue_token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [_definition(column) for column in columns] if headers else [],
        "rows": rows,
    }
