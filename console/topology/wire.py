"""The graph socket's frames as JSON-ready dicts (camelCase for the browser), and its one inbound message.

Outbound: a `snapshot` of a view, then `delta`s between consecutive views. A delta's `added` lists upsert by
id: a node in `changed`, or an edge or group in `added` whose id the browser already has, replaces it (a
folded edge whose count moved is re-sent whole). `types` and `notice` appear in a delta only when they
changed. The socket encodes frames compactly (`separators=(",", ":")`): one status change is a few hundred
bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, get_args

from console.topology.lenses import lens_for
from console.topology.model import GroupBy, TypeCount, ViewEdge, ViewGraph, ViewGroup, ViewNode, ViewOptions
from console.topology.neighbourhood import Direction

__all__ = [
    "DIRECTIONS",
    "GROUPS",
    "MAX_HOPS",
    "MAX_IDS",
    "MAX_TEXT",
    "MIN_HOPS",
    "delta_frame",
    "edge_json",
    "group_json",
    "node_json",
    "parse_view_message",
    "snapshot_frame",
    "type_json",
]

Json = dict[str, Any]

MAX_IDS = 500  # the most ids a view message may list (types, expanded)
MAX_TEXT = 300  # the longest string a view message may carry
MIN_HOPS, MAX_HOPS = 1, 6
GROUPS: tuple[GroupBy, ...] = get_args(GroupBy)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)


def node_json(node: ViewNode) -> Json:
    return {
        "id": node.id,
        "type": node.type,
        "title": node.title,
        "name": node.name,
        "namespace": node.namespace,
        "shape": node.shape,
        "family": node.family,
        "status": node.status,
        "statusText": node.status_text,
        "href": node.href,
        "group": node.group,
        "count": node.count,
        "summary": node.summary,
        "collapsed": node.collapsed,
        "focus": node.focus,
    }


def edge_json(edge: ViewEdge) -> Json:
    return {"id": edge.id, "kind": edge.kind, "source": edge.source, "target": edge.target, "count": edge.count}


def group_json(group: ViewGroup) -> Json:
    return {"id": group.id, "title": group.title, "by": group.by}


def type_json(chip: TypeCount) -> Json:
    return {
        "type": chip.type,
        "title": chip.title,
        "shape": chip.shape,
        "family": chip.family,
        "count": chip.count,
        "shown": chip.shown,
        "hiddenByLens": chip.hidden_by_lens,
    }


def snapshot_frame(view: ViewGraph, seq: int) -> Json:
    """The whole view, sent first and after every change of options."""
    return {
        "type": "snapshot",
        "seq": seq,
        "nodes": [node_json(node) for node in view.nodes.values()],
        "edges": [edge_json(edge) for edge in view.edges.values()],
        "groups": [group_json(group) for group in view.groups.values()],
        "types": [type_json(chip) for chip in view.types],
        "notice": view.notice,
    }


def delta_frame(before: ViewGraph, after: ViewGraph, seq: int) -> Json | None:
    """What changed from `before` to `after` (None: nothing did, and nothing is sent)."""
    added_nodes = [node_json(node) for node_id, node in after.nodes.items() if node_id not in before.nodes]
    changed_nodes = [
        node_json(node)
        for node_id, node in after.nodes.items()
        if node_id in before.nodes and before.nodes[node_id] != node
    ]
    removed_nodes = _removed(before.nodes, after.nodes)
    added_edges = [edge_json(edge) for edge_id, edge in after.edges.items() if before.edges.get(edge_id) != edge]
    removed_edges = _removed(before.edges, after.edges)
    added_groups = [
        group_json(group) for group_id, group in after.groups.items() if before.groups.get(group_id) != group
    ]
    removed_groups = _removed(before.groups, after.groups)
    types_changed = before.types != after.types
    notice_changed = before.notice != after.notice
    if not (
        added_nodes
        or changed_nodes
        or removed_nodes
        or added_edges
        or removed_edges
        or added_groups
        or removed_groups
        or types_changed
        or notice_changed
    ):
        return None
    frame: Json = {
        "type": "delta",
        "seq": seq,
        "nodes": {"added": added_nodes, "changed": changed_nodes, "removed": removed_nodes},
        "edges": {"added": added_edges, "removed": removed_edges},
        "groups": {"added": added_groups, "removed": removed_groups},
    }
    if types_changed:
        frame["types"] = [type_json(chip) for chip in after.types]
    if notice_changed:
        frame["notice"] = after.notice
    return frame


def _removed(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    return [item_id for item_id in before if item_id not in after]


def parse_view_message(data: Mapping[str, Any]) -> ViewOptions:
    """The options of a client's `{"type": "view", …}` message; a missing key takes its default.

    Raises:
        ValueError: a message that is not a view message, or a bad value (the message says which and why).
    """
    if data.get("type") != "view":
        raise ValueError('a view message must have "type": "view"')
    defaults = ViewOptions()
    lens = lens_for(_text(data, "lens", defaults.lens)).id
    types = data.get("types")
    group = _one_of(data, "group", GROUPS, defaults.group_by)
    hops = data.get("hops", defaults.hops)
    if not isinstance(hops, int) or isinstance(hops, bool) or not MIN_HOPS <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be a whole number from {MIN_HOPS} to {MAX_HOPS}, not {hops!r}")
    return ViewOptions(
        lens=lens,
        types=None if types is None else frozenset(_ids(data, "types")),
        group_by=group,
        expanded=frozenset(_ids(data, "expanded")),
        focus=_text(data, "focus", defaults.focus),
        hops=hops,
        direction=_one_of(data, "direction", DIRECTIONS, defaults.direction),
    )


_Choice = TypeVar("_Choice", bound=str)


def _one_of(data: Mapping[str, Any], key: str, choices: tuple[_Choice, ...], default: _Choice) -> _Choice:
    value = data.get(key, default)
    for choice in choices:
        if value == choice:
            return choice
    raise ValueError(f"{key} must be one of {', '.join(choices)}, not {_shown(value)}")


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, not {_shown(value)}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{key} is longer than {MAX_TEXT} characters")
    return value


def _ids(data: Mapping[str, Any], key: str) -> list[str]:
    """A list of ids (null: none)."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list of ids or null, not {_shown(value)}")
    if len(value) > MAX_IDS:
        raise ValueError(f"{key} lists {len(value)} ids; at most {MAX_IDS} are allowed")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{key} must list strings, not {_shown(item)}")
        if len(item) > MAX_TEXT:
            raise ValueError(f"an id in {key} is longer than {MAX_TEXT} characters")
    return value


def _shown(value: object) -> str:
    """A bad value as an error message quotes it (cut short: it came from the client)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
