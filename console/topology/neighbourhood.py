"""A node's neighbourhood: what it depends on and what depends on it ("what breaks if this breaks?").

Each edge kind says, as data, which of its ends depends on the other; a breadth-first walk follows those
directions N hops from the origin over the nodes the person may see. Rules the focused view draws by
(view.py applies them):

- only the neighbourhood's nodes are drawn, each marked with its place (origin, depends, dependents);
- type chips and the lens still apply, except that the origin is always drawn and the types that start
  hidden (Pods, ReplicaSets, ConfigMaps, Secrets: `GraphType.shown=False`) are drawn whatever their chip
  says when the lens allows them: otherwise "a ConfigMap's dependents" would draw nothing but the ConfigMap;
- the walk goes through nodes a chip or the lens hides (the dependency is real even when not drawn), never
  through nodes the person may not see;
- `contains` is not a dependency: a namespace would pull in everything in it;
- Pods collapse in a focus only when the neighbourhood itself draws more of them than the threshold.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal

from console.topology.model import EdgeKind, GraphReader, Visibility

__all__ = ["DEPENDENT_END", "Direction", "Place", "focus_draws", "neighbourhood"]

Direction = Literal["both", "depends", "dependents"]
Place = Literal["origin", "depends", "dependents"]
End = Literal["source", "target"]

DEPENDENT_END: Mapping[EdgeKind, End | None] = {  # which end of an edge depends on the other (None: neither)
    "contains": None,  # a scope does not depend on its members, nor they on it (for a focus)
    "owns": "source",  # a Deployment breaks when its ReplicaSet does
    "selects": "source",  # a Service / PDB / NetworkPolicy is only as good as the Pods it selects
    "routes-to": "source",  # an Ingress / HTTPRoute needs its Service, a Gateway its routes
    "mounts": "source",  # a Pod needs its ConfigMaps, Secrets and claims
    "binds": "source",  # a PVC needs its PV, a PV its StorageClass
    "runs-on": "source",  # a Pod needs its Node
    "reconciles": "target",  # the reconciled object needs its HelmRelease / Kustomization
    "realizes": "source",  # an Application is its workloads
    "depends-on": "source",  # spec.dependsOn
}


def neighbourhood(
    graph: GraphReader, visible: Visibility, origin: str, hops: int, direction: Direction
) -> dict[str, Place]:
    """The nodes within `hops` dependency steps of `origin`, each with its place.

    Args:
        graph: the whole graph.
        visible: who looks; the walk never enters a node they may not see.
        origin: the focused node's id.
        hops: how many steps each way (0: the origin alone).
        direction: "depends" (what the origin needs), "dependents" (what needs it) or "both" (each
            walked separately from the origin, so siblings of the origin are not pulled in).

    Returns:
        node id → "origin", "depends" or "dependents". A node found both ways (a dependency cycle) is
        marked "dependents": what breaks with the origin is what a focus is asked for.

    Raises:
        ValueError: the origin is not a node the person may see (the same message whether or not it exists).
    """
    node = graph.nodes.get(origin)
    if node is None or not visible.sees(node):
        raise ValueError(f"{origin!r} is not in your view of the graph")
    places: dict[str, Place] = {origin: "origin"}  # the walks never return the origin
    if direction in ("both", "depends"):
        places.update(dict.fromkeys(_walk(graph, visible, origin, hops, depends=True), "depends"))
    if direction in ("both", "dependents"):
        places.update(dict.fromkeys(_walk(graph, visible, origin, hops, depends=False), "dependents"))
    return places


def _walk(graph: GraphReader, visible: Visibility, origin: str, hops: int, *, depends: bool) -> list[str]:
    """Breadth-first, `hops` steps along one dependency direction; the origin is not in the result."""
    seen = {origin}
    frontier = [origin]
    found: list[str] = []
    for _ in range(hops):
        next_frontier: list[str] = []
        for current in frontier:
            for neighbour in _next_steps(graph, current, depends=depends):
                if neighbour in seen:
                    continue
                seen.add(neighbour)
                node = graph.nodes.get(neighbour)
                if node is None or not visible.sees(node):
                    continue
                found.append(neighbour)
                next_frontier.append(neighbour)
        if not next_frontier:
            break
        frontier = next_frontier
    return found


def _next_steps(graph: GraphReader, current: str, *, depends: bool) -> Iterator[str]:
    """The nodes `current` depends on (depends=True), or those that depend on it."""
    # current depends on the target of an edge whose dependent end is its source, and on the source of
    # an edge whose dependent end is its target; its dependents are the other way round
    outgoing_end: End = "source" if depends else "target"
    incoming_end: End = "target" if depends else "source"
    for edge in graph.edges_from(current):
        if DEPENDENT_END[edge.kind] == outgoing_end:
            yield edge.target
    for edge in graph.edges_to(current):
        if DEPENDENT_END[edge.kind] == incoming_end:
            yield edge.source


def focus_draws(place: Place, *, chip_on: bool, starts_hidden: bool, lens_hides: bool) -> bool:
    """Whether a focused view draws a node of the neighbourhood (the rules in this module's docstring)."""
    if place == "origin":
        return True
    return not lens_hides and (chip_on or starts_hidden)
