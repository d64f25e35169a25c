"""Server-side apply and `metadata.managedFields`: field sets in FieldsV1 notation, ownership and conflicts.

A field set is a set of paths; a path is a tuple of FieldsV1 tokens: `f:<field>`, `k:<json of the item's
keys>` for items of keyed lists, `v:<json value>` for items of set lists. Maps that are maps (labels, data…)
and keyed list items are members themselves (`.` in FieldsV1); leaves are scalars, atomic lists and atomic
structs (label selectors).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.storage.objects import now_rfc3339
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.strategic_merge import KEY_DEFAULTS, SET_LISTS, list_keys, merge

__all__ = ["apply", "default_manager", "field_paths", "record_update"]

Obj = dict[str, Any]
Path = tuple[str, ...]
Fields = dict[Path, Any]  # path → leaf value, or _NODE for a member that is a map or keyed item

_NODE = object()
_SERVER_METADATA = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
}
# Maps with arbitrary keys (members themselves, `.` in FieldsV1); other objects are structs.
_MAPS = {
    "labels",
    "annotations",
    "data",
    "binaryData",
    "stringData",
    "nodeSelector",
    "limits",
    "requests",
    "matchLabels",
    "capacity",
    "allocatable",
    "parameters",
    "selector",
}


def default_manager(user_agent: str) -> str:
    """The manager of a write without `fieldManager`: the User-Agent up to its first `/`, as the real server."""
    return (user_agent or "").split("/", 1)[0][:128] or "unknown"


def _kind(resource: ResourceType) -> str:
    return "" if resource.custom else resource.kind


def _item_token(item: Obj, keys: tuple[str, ...]) -> str:
    identity = {key: item.get(key, KEY_DEFAULTS.get(key)) for key in keys if key in item or key in KEY_DEFAULTS}
    return "k:" + json.dumps(identity, separators=(",", ":"), sort_keys=True)


def _walk(value: Any, kind: str, path: Path, names: tuple[str, ...], out: Fields) -> None:
    if isinstance(value, dict):
        name = names[-1] if names else ""
        atomic = name == "selector" and ("matchLabels" in value or "matchExpressions" in value)
        if not value or atomic:
            out[path] = value
            return
        if name in _MAPS and path:
            out[path] = _NODE
        for key, child in value.items():
            _walk(child, kind, (*path, f"f:{key}"), (*names, key), out)
    elif isinstance(value, list):
        keys = list_keys(kind, names) if kind else ()
        if keys and value and all(isinstance(item, dict) and keys[0] in item for item in value):
            for item in value:
                element = (*path, _item_token(item, keys))
                out[element] = _NODE
                for key, child in item.items():
                    _walk(child, kind, (*element, f"f:{key}"), (*names, key), out)
        elif names and names[-1] in SET_LISTS and all(isinstance(item, str) for item in value):
            for item in value:
                out[(*path, "v:" + json.dumps(item))] = item
        else:
            out[path] = value
    else:
        out[path] = value


def _fields(resource: ResourceType, obj: Obj, subresource: str = "") -> Fields:
    """The fields `obj` sets, as a writer of the main resource (or of `subresource` "status") owns them."""
    out: Fields = {}
    kind = _kind(resource)
    has_status = resource.subresource("status") is not None
    for key, value in obj.items():
        if key in ("kind", "apiVersion"):
            continue
        if subresource == "status" and key != "status":
            continue
        if key == "status" and has_status and subresource != "status":
            continue
        if key == "metadata" and isinstance(value, dict):
            value = {name: item for name, item in value.items() if name not in _SERVER_METADATA}
            if not value:
                continue
        _walk(value, kind, (f"f:{key}",), (key,), out)
    return out


def field_paths(resource: ResourceType, obj: Obj, subresource: str = "") -> set[Path]:
    """The paths a writer of `obj` owns (of its status only, for `subresource` "status"): seeded managedFields."""
    return set(_fields(resource, obj, subresource))


def _encode(paths: set[Path]) -> Obj:
    tree: Obj = {}
    for path in paths:
        node = tree
        for token in path:
            node = node.setdefault(token, {})
    return _sorted_tree(tree, paths, ())


def _sorted_tree(node: Obj, paths: set[Path], path: Path) -> Obj:
    result: Obj = {}
    if node and path in paths:
        result["."] = {}
    for token in sorted(node, key=lambda token: ("fkvi".find(token[0]), token)):
        result[token] = _sorted_tree(node[token], paths, (*path, token))
    return result


def _decode(tree: Any, path: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    if not isinstance(tree, dict):
        return paths
    if path and (not tree or "." in tree):
        paths.add(path)
    for token, child in tree.items():
        if token != ".":
            paths |= _decode(child, (*path, token))
    return paths


def _entry_id(entry: Obj) -> tuple[str, str, str]:
    return entry.get("manager", ""), entry.get("operation", ""), entry.get("subresource", "")


def _entries(obj: Obj) -> list[tuple[Obj, set[Path]]]:
    managed = (obj.get("metadata") or {}).get("managedFields") or []
    return [(entry, _decode(entry.get("fieldsV1"))) for entry in managed if isinstance(entry, dict)]


def _store_entries(obj: Obj, entries: list[tuple[Obj, set[Path]]]) -> None:
    managed = []
    for entry, paths in entries:
        if not paths:
            continue
        managed.append({**entry, "fieldsType": "FieldsV1", "fieldsV1": _encode(paths)})
    metadata = obj.setdefault("metadata", {})
    if managed:
        metadata["managedFields"] = managed
    else:
        metadata.pop("managedFields", None)


def _new_entry(manager: str, operation: str, api_version: str, subresource: str) -> Obj:
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now_rfc3339()}
    if subresource:
        entry["subresource"] = subresource
    return entry


def record_update(resource: ResourceType, old: Obj | None, new: Obj, manager: str, *, subresource: str = "") -> None:
    """Give `manager` (operation Update) the fields a create/update/patch set in `new`; others lose them."""
    new_fields = _fields(resource, new, subresource)
    if old is None:
        changed, removed = set(new_fields), set()
    else:
        old_fields = _fields(resource, old, subresource)
        changed = {
            path
            for path, value in new_fields.items()
            if path not in old_fields or (value is not _NODE and old_fields[path] != value)
        }
        removed = set(old_fields) - set(new_fields)
    entries = _entries(new)
    if not changed and not removed:
        return
    identity = (manager, "Update", subresource)
    mine: set[Path] = set()
    kept = []
    for entry, paths in entries:
        if _entry_id(entry) == identity:
            mine = paths
            continue
        kept.append((entry, paths - changed - removed))
    kept.append((_new_entry(manager, "Update", resource.api_version, subresource), (mine | changed) - removed))
    _store_entries(new, kept)


def _path_text(path: Path) -> str:
    """fieldpath.Path.String(): `.spec.replicas`, `.spec.containers[name="web"].image`, `.finalizers[="x"]`."""
    text = ""
    for token in path:
        kind, value = token[0], token[2:]
        if kind == "f":
            text += "." + value
        elif kind == "k":
            pairs = json.loads(value)
            text += "[" + ",".join(f"{key}={json.dumps(pairs[key])}" for key in sorted(pairs)) + "]"
        else:
            text += f"[={value}]"
    return text


def _manager_text(entry: Obj) -> str:
    text = json.dumps(entry.get("manager", ""))
    if entry.get("subresource"):
        text += f" with subresource {json.dumps(entry['subresource'])}"
    if entry.get("operation") == "Update":
        text += f" using {entry.get('apiVersion', '')}"
    return text


def _conflict_error(conflicts: list[tuple[Obj, Path]]) -> ApiError:
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {_manager_text(entry)}",
            "field": _path_text(path),
        }
        for entry, path in conflicts
    ]
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_manager_text(entry)}: {_path_text(path)}"
    else:
        by_manager: dict[str, list[str]] = {}
        for entry, path in conflicts:
            by_manager.setdefault(_manager_text(entry), []).append(_path_text(path))
        lines = []
        for manager in sorted(by_manager):
            lines.append(f"conflicts with {manager}:")
            lines.extend(f"- {path}" for path in by_manager[manager])
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _locate(obj: Any, path: Path) -> tuple[Any, Any] | None:
    """(container, key-or-index) of the member at `path`, or None when it is absent."""
    node, parent, slot = obj, None, None
    for token in path:
        kind, value = token[0], token[2:]
        if kind == "f" and isinstance(node, dict) and value in node:
            parent, slot = node, value
        elif kind == "k" and isinstance(node, list):
            wanted = json.loads(value)
            index = next(
                (
                    i
                    for i, item in enumerate(node)
                    if isinstance(item, dict)
                    and all(item.get(key, KEY_DEFAULTS.get(key)) == expected for key, expected in wanted.items())
                ),
                None,
            )
            if index is None:
                return None
            parent, slot = node, index
        elif kind == "v" and isinstance(node, list) and json.loads(value) in node:
            parent, slot = node, node.index(json.loads(value))
        else:
            return None
        node = parent[slot]
    return (parent, slot) if parent is not None else None


def _remove_paths(obj: Obj, paths: list[Path]) -> None:
    for path in sorted(paths, key=len, reverse=True):
        found = _locate(obj, path)
        if found is not None:
            container, slot = found
            del container[slot]


def apply(
    resource: ResourceType,
    live: Obj | None,
    config: Obj,
    manager: str,
    *,
    force: bool = False,
    subresource: str = "",
) -> Obj:
    """The object after `manager` applies `config` to `live` (None: create); raises 409 on conflicts."""
    applied = _fields(resource, config, subresource)
    identity = (manager, "Apply", subresource)
    entries = _entries(live) if live is not None else []
    previous: set[Path] = set()
    others: list[tuple[Obj, set[Path]]] = []
    for entry, paths in entries:
        if _entry_id(entry) == identity:
            previous = paths
        else:
            others.append((entry, paths))
    base = copy.deepcopy(live) if live is not None else {}
    live_fields = _fields(resource, base, subresource) if live is not None else {}
    conflicts = [
        (entry, path)
        for entry, paths in others
        for path, value in applied.items()
        if value is not _NODE and path in paths and path in live_fields and live_fields[path] != value
    ]
    if conflicts and not force:
        raise _conflict_error(conflicts)
    taken = {path for _, path in conflicts}
    others = [(entry, paths - taken) for entry, paths in others]
    body = {key: value for key, value in config.items() if key not in ("kind", "apiVersion")}
    metadata = body.get("metadata") or {}
    body["metadata"] = {
        key: value for key, value in metadata.items() if key not in _SERVER_METADATA or key in ("name", "namespace")
    }
    result = merge(base, body, _kind(resource))
    owned_by_others: set[Path] = set()
    for _, paths in others:
        for path in paths:
            owned_by_others.update(path[:length] for length in range(1, len(path) + 1))
    dropped = [path for path in previous - set(applied) if path not in owned_by_others]
    _remove_paths(result, dropped)
    entry = _new_entry(manager, "Apply", resource.api_version, subresource)
    if previous and previous == set(applied):
        entry = next(entry for entry, _ in entries if _entry_id(entry) == identity)  # unchanged: keep its time
    _store_entries(result, [*others, (entry, set(applied))] if live is not None else [(entry, set(applied))])
    return result
