"""The Cloud page's addresses as data: which view, and the graph's options in the query (no Reflex here).

A link reproduces a view: `/cloud?view=graph&lens=networking&group=node&types=services,pods&focus=…`. Only
options that differ from the defaults are written, so a plain graph is `/cloud?view=graph`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from console.topology.lenses import LENSES, lens_for
from console.topology.wire import DIRECTIONS, GROUPS, MAX_HOPS, MAX_IDS, MAX_TEXT, MIN_HOPS

__all__ = [
    "CLOUD_PATH",
    "DIRECTION_TITLES",
    "GROUP_TITLES",
    "GraphOptions",
    "VIEWS",
    "focus_href",
    "parse_graph_options",
]

CLOUD_PATH = "/cloud"
VIEWS = ("graph", "list")  # the Graph | List toggle; the last one chosen is remembered (`sov-cloud-view`)
GROUP_TITLES: dict[str, str] = {"namespace": "Namespace", "node": "Node", "application": "Application", "none": "None"}
DIRECTION_TITLES: dict[str, str] = {"both": "Both", "depends": "Depends on", "dependents": "What breaks"}
DEFAULT_LENS = LENSES[0].id


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """What the graph shows, as the URL carries it."""

    lens: str = DEFAULT_LENS
    group: str = "namespace"
    types: tuple[str, ...] | None = None  # None: each type's default chip
    focus: str = ""  # a node id ("deployments:acme-prod-wordpress/wordpress")
    hops: int = 2
    direction: str = "both"

    def query(self) -> dict[str, str]:
        """The query parameters that differ from the defaults (plus `view=graph`)."""
        default = GraphOptions()
        query = {"view": "graph"}
        if self.lens != default.lens:
            query["lens"] = self.lens
        if self.group != default.group:
            query["group"] = self.group
        if self.types is not None:
            query["types"] = ",".join(self.types)
        if self.focus:
            query["focus"] = self.focus
            if self.hops != default.hops:
                query["hops"] = str(self.hops)
            query["direction"] = self.direction
        return query

    def href(self) -> str:
        return f"{CLOUD_PATH}?{urlencode(self.query())}"


def _plain(text: str) -> bool:
    return 0 < len(text) <= MAX_TEXT and text.isprintable() and not any(c.isspace() for c in text)


def parse_graph_options(params: Mapping[str, str]) -> tuple[GraphOptions, list[str]]:
    """The options a URL asks for, and a note for each value the page could not honour (it falls back)."""
    options = GraphOptions()
    notes: list[str] = []
    lens = params.get("lens", "")
    if lens:
        try:
            options = replace(options, lens=lens_for(lens).id)
        except ValueError:
            notes.append(f"Unknown lens “{lens[:60]}”: showing {LENSES[0].title}.")
    group = params.get("group", "")
    if group:
        if group in GROUPS:
            options = replace(options, group=group)
        else:
            notes.append(f"Unknown grouping “{group[:60]}”: grouped by namespace.")
    if "types" in params:
        types = tuple(dict.fromkeys(t for t in params["types"].split(",") if t))
        if len(types) <= MAX_IDS and all(_plain(t) for t in types):
            options = replace(options, types=types)
        else:
            notes.append("The node types in the link could not be read: showing each type's default.")
    focus = params.get("focus", "")
    if focus:
        if _plain(focus) and ":" in focus:
            options = replace(options, focus=focus)
        else:
            notes.append("The focus in the link names no node: showing the whole graph.")
    hops = params.get("hops", "")
    if hops:
        if hops.isdigit() and MIN_HOPS <= int(hops) <= MAX_HOPS:
            options = replace(options, hops=int(hops))
        else:
            notes.append(f"Hops must be {MIN_HOPS}–{MAX_HOPS}: showing {options.hops}.")
    direction = params.get("direction", "")
    if direction:
        if direction in DIRECTIONS:
            options = replace(options, direction=direction)
        else:
            notes.append(f"Unknown direction “{direction[:60]}”: showing both.")
    return options, notes


def focus_href(node_id: str, direction: str = "both") -> str:
    """The graph focused on one node: its neighbourhood (both), or what breaks if it breaks (dependents)."""
    return GraphOptions(focus=node_id, direction=direction).href()
