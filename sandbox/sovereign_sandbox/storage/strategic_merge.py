"""Strategic merge patch for built-in kinds, and the list semantics it shares with server-side apply.

Lists of objects merge by their patchMergeKey (containers by `name`, volumeMounts by `mountPath`…), a few
primitive lists merge as sets (`metadata.finalizers`), every other list is replaced whole. Directives:
`$patch: replace|delete|merge` on maps and list items, `$retainKeys`, `$deleteFromPrimitiveList/<field>`,
`$setElementOrder/<field>`; a `null` value deletes its key.
"""

from __future__ import annotations

import copy
from typing import Any

from sovereign_sandbox.errors import ApiError

__all__ = ["SET_LISTS", "list_keys", "merge", "strategic_merge"]

# list field → the keys identifying its items (the first is the strategic-merge patchMergeKey; server-side
# apply keys items by all of them, as the listMapKeys of the OpenAPI schema).
_KEYED_LISTS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "ports": ("containerPort", "protocol"),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "conditions": ("type",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "ownerReferences": ("uid",),
    "resourceClaims": ("name",),
    "topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
}
# (kind, path of field names) → keys where a kind's list differs from the field-name default.
_KIND_KEYED_LISTS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {
    ("Service", ("spec", "ports")): ("port", "protocol"),
}
# Primitive lists merged as sets.
SET_LISTS = frozenset({"finalizers"})
# Keys a list item may omit because the server defaults them.
KEY_DEFAULTS = {"protocol": "TCP"}

_DELETE = object()  # a map removed by `$patch: delete`


def list_keys(kind: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The keys items of the list at `names` (field names from the object root) are merged by; () → atomic."""
    specific = _KIND_KEYED_LISTS.get((kind, names))
    if specific is not None:
        return specific
    return _KEYED_LISTS.get(names[-1], ()) if names else ()


def _bad_patch(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def _strip(value: Any) -> Any:
    """A patch fragment as stored: directives and nulls removed."""
    if isinstance(value, dict):
        return {key: _strip(item) for key, item in value.items() if not key.startswith("$") and item is not None}
    if isinstance(value, list):
        return [_strip(item) for item in value if not (isinstance(item, dict) and "$patch" in item)]
    return value


def merge(original: Any, patch: Any, kind: str, names: tuple[str, ...] = ()) -> Any:
    """Merge `patch` into a copy of `original` with the list semantics of `kind` (custom kinds: kind "")."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip(patch)
    if directive == "delete":
        return _DELETE
    if directive not in (None, "merge"):
        raise _bad_patch(f"Unknown patch type: {directive} in map: {patch}")
    result = dict(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
            continue
        child = (*names, key)
        if isinstance(value, list):
            result[key] = _merge_list(result.get(key), value, kind, child)
        elif isinstance(value, dict):
            merged = merge(result.get(key), value, kind, child)
            if merged is _DELETE:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = value
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list) and isinstance(value, list):
                result[field] = [item for item in result[field] if item not in value]
        elif key.startswith("$setElementOrder/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list) and isinstance(value, list):
                result[field] = _ordered(result[field], value, list_keys(kind, (*names, field))[:1])
    retained = patch.get("$retainKeys")
    if isinstance(retained, list):
        result = {key: value for key, value in result.items() if key in retained}
    return result


def _identity(item: Any, keys: tuple[str, ...]) -> Any:
    if keys and isinstance(item, dict):
        return tuple(item.get(key, KEY_DEFAULTS.get(key)) for key in keys)
    return repr(item) if isinstance(item, (dict, list)) else item


def _ordered(items: list[Any], order: list[Any], keys: tuple[str, ...]) -> list[Any]:
    """`items` sorted as `$setElementOrder` lists them; items it does not name keep their order, after."""
    position = {_identity(entry, keys): index for index, entry in enumerate(order)}
    named = [item for item in items if _identity(item, keys) in position]
    rest = [item for item in items if _identity(item, keys) not in position]
    return sorted(named, key=lambda item: position[_identity(item, keys)]) + rest


def _merge_list(original: Any, patch: list[Any], kind: str, names: tuple[str, ...]) -> list[Any]:
    keys = list_keys(kind, names)[:1] if kind else ()
    current = list(original) if isinstance(original, list) else []
    if names and names[-1] in SET_LISTS and all(not isinstance(item, (dict, list)) for item in patch):
        return current + [item for item in patch if item not in current]
    items = [item for item in patch if isinstance(item, dict)]
    if not keys or len(items) != len(patch):
        return _strip(patch)
    if any(item.get("$patch") == "replace" for item in items):
        return [_strip(item) for item in items if item.get("$patch") != "replace"]
    if any(keys[0] not in item for item in items):
        return _strip(patch)  # items without their merge key: the list is replaced, as the real server does
    result = current
    for item in items:
        identity = _identity(item, keys)
        index = next(
            (
                i
                for i, existing in enumerate(result)
                if isinstance(existing, dict) and _identity(existing, keys) == identity
            ),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
            continue
        merged = merge(result[index] if index is not None else {}, item, kind, names)
        if index is None:
            result.append(merged)
        else:
            result[index] = merged
    return result


def strategic_merge(document: dict[str, Any], patch: Any, kind: str) -> dict[str, Any]:
    """Apply a strategic merge patch (a JSON object) to `document` for a built-in `kind`."""
    if not isinstance(patch, dict):
        raise _bad_patch("json: cannot unmarshal array into Go value of type map[string]interface {}")
    merged = merge(document, patch, kind)
    if merged is _DELETE:
        return {}
    return merged
