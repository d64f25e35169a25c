"""What one person's view of the graph draws: their visible nodes through lens, chips, focus, collapse
and grouping, with the type chips' counts.

The steps, in order: visibility (the person's access) → type counts (from every visible node, so a chip's
count equals the list's) → focus (the neighbourhood, neighbourhood.py) → lens and chips → collapse
(collapse.py) → boxes (grouping.py) → edges between what is drawn, folded where collapsed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import get_args

from console.kube.kinds import Shape
from console.kube.registry import KINDS
from console.topology.collapse import (
    COLLAPSE_THRESHOLD,
    Collapse,
    CollapsedSet,
    collapsed_node,
    fold_edges,
    plan_collapse,
    pods_text,
)
from console.topology.grouping import Grouper, draws_edge, draws_node
from console.topology.lenses import Lens, lens_for
from console.topology.model import (
    GraphEdge,
    GraphNode,
    GraphReader,
    TypeCount,
    ViewEdge,
    ViewGraph,
    ViewNode,
    ViewOptions,
    Visibility,
)
from console.topology.neighbourhood import Place, focus_draws, neighbourhood

__all__ = ["build_view", "shown_by_default"]

_SHAPE_ORDER = {shape: rank for rank, shape in enumerate(get_args(Shape))}
_SET_PLACES: tuple[Place, ...] = ("dependents", "depends")  # a collapsed set's place: the first any member has


def shown_by_default(type_id: str) -> bool:
    """Whether a type's chip starts on: the registry's `GraphType.shown` (scopes and unknown types: on)."""
    kind = KINDS.get(type_id)
    return kind is None or kind.graph is None or kind.graph.shown


@dataclass(frozen=True, slots=True)
class _TypeState:
    chip_on: bool  # the person's chip (or its default)
    starts_hidden: bool  # the chip starts off (Pods, ReplicaSets, ConfigMaps, Secrets)
    lens_hides: bool

    @property
    def shown(self) -> bool:
        return self.chip_on and not self.lens_hides


def build_view(
    graph: GraphReader,
    options: ViewOptions,
    visible: Visibility,
    *,
    collapse_threshold: int = COLLAPSE_THRESHOLD,
) -> ViewGraph:
    """The view `options` asks for, of the nodes `visible` lets the person see.

    Raises:
        ValueError: an unknown lens, or a focus on a node the person may not see (the graph socket sends the
            message back as it is).
    """
    lens = lens_for(options.lens)
    seen, types, states = _visible_nodes_and_types(graph, options, visible, lens)
    places: dict[str, Place] = {}
    if options.focus:
        places = neighbourhood(graph, visible, options.focus, options.hops, options.direction)
        drawn = [
            node
            for node_id, place in places.items()
            if _focus_draws(node := graph.nodes[node_id], place, states[node.type], options)
        ]
    else:
        drawn = [node for node in seen if states[node.type].shown and draws_node(node, options.group_by)]
    collapse = plan_collapse(
        graph,
        visible,
        drawn,
        expanded=options.expanded,
        keep={options.focus} if options.focus else (),
        threshold=collapse_threshold,
    )
    grouper = Grouper(options.group_by)
    nodes: dict[str, ViewNode] = {}
    drawn_as: dict[str, str] = {}  # graph node id → the drawn node it is part of
    for node in drawn:
        into = collapse.member_of.get(node.id)
        if into is not None:
            drawn_as[node.id] = into
            continue
        drawn_as[node.id] = node.id
        nodes[node.id] = _view_node(node, grouper.place(node), places.get(node.id))
    for into, members in collapse.sets.items():
        owner = graph.nodes.get(members.owner)
        box = grouper.place_collapsed(members.pods, owner if owner is not None and visible.sees(owner) else None)
        nodes[into] = collapsed_node(into, members, group=box, focus=_place_of_set(members, places))
    edges = _edges_between(graph, drawn_as, options)
    return ViewGraph(nodes, edges, dict(grouper.groups), types, _notice(collapse))


def _visible_nodes_and_types(
    graph: GraphReader, options: ViewOptions, visible: Visibility, lens: Lens
) -> tuple[list[GraphNode], tuple[TypeCount, ...], dict[str, _TypeState]]:
    """The nodes the person may see, a chip per type in the graph (counting those), each type's state."""
    seen: list[GraphNode] = []
    counts: dict[str, int] = {}
    first_of_type: dict[str, GraphNode] = {}
    for node in graph.nodes.values():
        if node.type not in first_of_type:
            first_of_type[node.type] = node
            counts[node.type] = 0
        if visible.sees(node):
            seen.append(node)
            counts[node.type] += 1
    states: dict[str, _TypeState] = {}
    chips: list[TypeCount] = []
    for type_id, example in first_of_type.items():
        default = shown_by_default(type_id)
        chip_on = default if options.types is None else type_id in options.types
        state = states[type_id] = _TypeState(chip_on, not default, lens.hides(example.shape, example.family))
        chips.append(
            TypeCount(
                type=type_id,
                title=example.title,
                shape=example.shape,
                family=example.family,
                count=counts[type_id],
                shown=state.shown,
                hidden_by_lens=state.lens_hides,
            )
        )
    chips.sort(key=lambda chip: (_SHAPE_ORDER.get(chip.shape, len(_SHAPE_ORDER)), chip.title, chip.type))
    return seen, tuple(chips), states


def _focus_draws(node: GraphNode, place: Place, state: _TypeState, options: ViewOptions) -> bool:
    if place != "origin" and not draws_node(node, options.group_by):
        return False
    return focus_draws(place, chip_on=state.chip_on, starts_hidden=state.starts_hidden, lens_hides=state.lens_hides)


def _place_of_set(members: CollapsedSet, places: Mapping[str, Place]) -> Place | None:
    """A collapsed set's place in a focus: "dependents" if any member is one, as in neighbourhood()."""
    found = {places.get(node.id) for node in (*members.pods, *members.replica_sets)}
    return next((place for place in _SET_PLACES if place in found), None)


def _view_node(node: GraphNode, group: str, focus: Place | None) -> ViewNode:
    return ViewNode(
        id=node.id,
        type=node.type,
        title=node.title,
        name=node.name,
        namespace=node.namespace,
        shape=node.shape,
        family=node.family,
        status=node.status,
        status_text=node.status_text,
        href=node.href,
        group=group,
        focus=focus or "",
    )


def _edges_between(graph: GraphReader, drawn_as: Mapping[str, str], options: ViewOptions) -> dict[str, ViewEdge]:
    """The edges between drawn nodes (each once: from its source), folded where an end is collapsed."""
    candidates: Iterator[GraphEdge] = (
        edge for node_id in drawn_as for edge in graph.edges_from(node_id) if draws_edge(edge.kind, options.group_by)
    )
    return fold_edges(candidates, drawn_as)


def _notice(collapse: Collapse) -> str:
    if not collapse.sets:
        return ""
    return f"Pods are collapsed under their owners ({pods_text(collapse.pod_count)}): click one to expand it"
