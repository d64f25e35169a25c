"""`GraphView`: the architecture graph of `assets/graph_view.jsx` (React Flow + ELK in web workers).

The component opens the graph WebSocket (`/ws/graph`, `console/streams/graph.py`) itself and keeps the nodes,
edges and their places in the browser: they never pass through Reflex state. The props are the view's small
options; a change sends a new view message on the same socket. The packages are bundled from the npm registry
at exact versions (checked with `npm view`); ELK's worker script is bundled as an asset, nothing loads from a CDN.
"""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("graph_view.jsx")

GRAPH_PACKAGES = ["@xyflow/react@12.12.1", "elkjs@0.12.1"]


def _text(text: rx.Var[str]) -> tuple[rx.Var[str]]:
    return (text,)


def _type_ids(types: rx.Var[list[str]]) -> tuple[rx.Var[list[str]]]:
    return (types,)


def _node_and_direction(node_id: rx.Var[str], direction: rx.Var[str]) -> tuple[rx.Var[str], rx.Var[str]]:
    return (node_id, direction)


class GraphView(rx.NoSSRComponent):
    """Nodes (FILL = status, SHAPE = category, BORDER = API family), ArchiMate edges, type chips, search, legend."""

    library = _SOURCE.importable_path
    lib_dependencies: list[str] = GRAPH_PACKAGES
    tag = "GraphView"

    lens: rx.Var[str]  # "all", "runtime", "networking", … or a family lens ("flux", "catalyst", …)
    types: rx.Var[list[str] | None]  # type ids switched on; None: each type's default
    group: rx.Var[str]  # "namespace" | "node" | "application" | "none"
    focus: rx.Var[str]  # a node id whose neighbourhood alone is drawn ("": the whole graph)
    hops: rx.Var[int]  # the neighbourhood's depth (1–6)
    direction: rx.Var[str]  # "both" | "depends" | "dependents" (what breaks if the focus breaks)
    theme: rx.Var[str]  # "light" | "dark"
    height: rx.Var[str]  # of the whole component, a CSS length (fullscreen takes the window)

    on_open: rx.EventHandler[_text]  # a node's detail page path, to navigate to
    on_types_change: rx.EventHandler[_type_ids]  # the type ids the person switched on with the chips
    on_focus: rx.EventHandler[_node_and_direction]  # "Focus" / "What breaks?" on a node


def graph_view(**props) -> rx.Component:
    """The graph, light or dark with the console's colour mode unless `theme` is given."""
    props.setdefault("theme", rx.color_mode_cond("light", "dark"))
    props.setdefault("height", "70vh")
    return GraphView.create(**props)
