"""PATCH bodies applied to objects: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge and apply."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from sovereign_sandbox.errors import ApiError, unsupported_media_type
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.strategic_merge import merge, strategic_merge

__all__ = [
    "APPLY_PATCH",
    "JSON_PATCH",
    "MERGE_PATCH",
    "PATCHERS",
    "STRATEGIC_MERGE_PATCH",
    "apply_patch",
    "json_patch",
    "merge_patch",
]

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

Patcher = Callable[[dict[str, Any], Any, ResourceType], dict[str, Any]]


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _patch_error(f'invalid JSON pointer "{path}"')
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _patch_error(message: str) -> ApiError:
    # The real server answers a JSON patch that does not apply with a generic 422 carrying the library's text.
    return ApiError(422, "Invalid", message)


def _parent(document: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = document
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _patch_error(f'doc is missing path: "{path}": missing value')
    return node, parts[-1]


def _get(document: Any, path: str) -> Any:
    node = document
    for part in _pointer(path):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise _patch_error(f'doc is missing path: "{path}": missing value')
    return node


def _add(document: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, key = _parent(document, parts, path)
    if isinstance(parent, dict):
        parent[key] = value
    elif isinstance(parent, list):
        index = len(parent) if key == "-" else int(key) if key.isdigit() else -1
        if not 0 <= index <= len(parent):
            raise _patch_error(f'add operation does not apply: doc is missing path: "{path}": missing value')
        parent.insert(index, value)
    else:
        raise _patch_error(f'doc is missing path: "{path}": missing value')
    return document


def _remove(document: Any, path: str) -> Any:
    parent, key = _parent(document, _pointer(path), path)
    if isinstance(parent, dict) and key in parent:
        del parent[key]
    elif isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
        del parent[int(key)]
    else:
        raise _patch_error(f'remove operation does not apply: doc is missing path: "{path}": missing value')
    return document


def json_patch(document: dict[str, Any], operations: Any) -> dict[str, Any]:
    """RFC 6902 operations add/remove/replace/move/copy/test applied in order to a copy."""
    if not isinstance(operations, list):
        raise ApiError(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    result: Any = copy.deepcopy(document)
    for operation in operations:
        kind, path = operation.get("op"), operation.get("path", "")
        if kind == "add":
            result = _add(result, path, copy.deepcopy(operation.get("value")))
        elif kind == "remove":
            result = _remove(result, path)
        elif kind == "replace":
            _get(result, path)
            result = (
                _add(_remove(result, path), path, copy.deepcopy(operation.get("value")))
                if path
                else copy.deepcopy(operation.get("value"))
            )
        elif kind in ("move", "copy"):
            value = copy.deepcopy(_get(result, operation.get("from", "")))
            if kind == "move":
                result = _remove(result, operation.get("from", ""))
            result = _add(result, path, value)
        elif kind == "test":
            if _get(result, path) != operation.get("value"):
                raise _patch_error(f"testing value {path} failed: test failed")
        else:
            raise _patch_error(f"Unexpected kind: {kind}")
    if not isinstance(result, dict):
        raise ApiError(400, "BadRequest", "the patch produced a non-object document")
    return result


def strategic_merge_patch(document: dict[str, Any], patch: Any, resource: ResourceType) -> dict[str, Any]:
    """Strategic merge patch: built-ins only (CRDs → 415, as the real server)."""
    if resource.custom:
        raise unsupported_media_type(STRATEGIC_MERGE_PATCH, [JSON_PATCH, MERGE_PATCH, APPLY_PATCH])
    return strategic_merge(document, patch, resource.kind)


def apply_patch(document: dict[str, Any], patch: Any, resource: ResourceType) -> dict[str, Any]:
    """An applied configuration merged into `document` without ownership (used for subresource views).

    Full server-side apply with field ownership is `sovereign_sandbox.storage.apply`, which the store runs.
    """
    if not isinstance(patch, dict):
        raise ApiError(400, "BadRequest", "error decoding YAML: the apply patch is not an object")
    return merge(document, patch, "" if resource.custom else resource.kind)


def _merge(document: dict[str, Any], patch: Any, resource: ResourceType) -> dict[str, Any]:
    if not isinstance(patch, dict):
        raise ApiError(400, "BadRequest", "json: cannot unmarshal array into Go value of type map[string]interface {}")
    return merge_patch(document, patch)


PATCHERS: dict[str, Patcher] = {
    JSON_PATCH: lambda document, patch, resource: json_patch(document, patch),
    MERGE_PATCH: _merge,
    STRATEGIC_MERGE_PATCH: strategic_merge_patch,
    APPLY_PATCH: apply_patch,
}
