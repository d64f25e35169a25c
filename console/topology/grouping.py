"""Group boxes: which box (namespace, node, application) each drawn node sits in.

Decisions (spec/cloud.md §4 leaves them open):

- By namespace: a namespaced object sits in its namespace's box. The Namespace node itself is not drawn
  (the box is it) and `contains` edges are dropped (the boxes show containment); the one exception is a
  focus on a Namespace, which draws it inside its own box. Cluster-scoped objects (Nodes, PVs,
  StorageClasses, Environments…) are drawn outside every box.
- By node: a Pod sits in the box of the Node it runs on, and the Node itself in its own box; everything
  else (workloads, Services, config, unscheduled Pods) is drawn outside the boxes, linked to what runs
  there by its edges: a Deployment whose Pods run on five Nodes belongs to none of them.
- By application: an object sits in the box of its application label (an Application in its own), the
  rest in "(no application)".
- The cluster scope node is never in a box, whatever the grouping: it holds every box. Outside the
  namespace grouping its `contains` edges draw normally.
- A collapsed set of Pods sits in the box its members share; when they differ (Pods of one Deployment on
  several Nodes) in its owner's box, else outside the boxes.
"""

from __future__ import annotations

from collections.abc import Iterable

from console.topology.model import SCOPE_TYPE, EdgeKind, GraphNode, GroupBy, ViewGroup

__all__ = [
    "APPLICATION_TYPE",
    "Grouper",
    "NAMESPACE_TYPE",
    "NODE_TYPE",
    "NO_APPLICATION",
    "POD_TYPE",
    "draws_edge",
    "draws_node",
    "group_id",
    "group_value",
]

NAMESPACE_TYPE = "namespaces"
NODE_TYPE = "worker-nodes"  # the registry's kind for Kubernetes Nodes (runs-on edges end there)
APPLICATION_TYPE = "applications"
POD_TYPE = "pods"
NO_APPLICATION = "(no application)"


def draws_node(node: GraphNode, by: GroupBy) -> bool:
    """False for a node the grouping draws as a box instead (a Namespace, grouped by namespace)."""
    return not (by == "namespace" and node.type == NAMESPACE_TYPE)


def draws_edge(kind: EdgeKind, by: GroupBy) -> bool:
    """False for edges the boxes already show (`contains`, grouped by namespace)."""
    return not (by == "namespace" and kind == "contains")


def group_value(node: GraphNode, by: GroupBy) -> str | None:
    """The namespace, node or application whose box the node sits in (None: outside every box)."""
    if by == "none" or node.type == SCOPE_TYPE:
        return None
    if by == "namespace":
        if node.type == NAMESPACE_TYPE:
            return node.name
        return node.namespace or None
    if by == "node":
        if node.type == POD_TYPE:
            return node.node_name or None
        return node.name if node.type == NODE_TYPE else None
    if node.application:
        return node.application
    return node.name if node.type == APPLICATION_TYPE else NO_APPLICATION


def group_id(by: GroupBy, value: str) -> str:
    return f"group:{by}:{value}"


class Grouper:
    """Places drawn nodes into boxes and keeps the boxes that got a member (one per build)."""

    def __init__(self, by: GroupBy) -> None:
        self.by = by
        self.groups: dict[str, ViewGroup] = {}  # the boxes in use, by id

    def place(self, node: GraphNode) -> str:
        """The id of the box the node is drawn in ("" outside every box)."""
        return self._box(group_value(node, self.by))

    def place_collapsed(self, members: Iterable[GraphNode], owner: GraphNode | None) -> str:
        """The box of a collapsed set: its members' common one, else its owner's (module docstring)."""
        values = {group_value(member, self.by) for member in members}
        if len(values) == 1:
            return self._box(values.pop())
        return self._box(group_value(owner, self.by) if owner is not None else None)

    def _box(self, value: str | None) -> str:
        if value is None:
            return ""
        box = group_id(self.by, value)
        if box not in self.groups:
            self.groups[box] = ViewGroup(box, value, self.by)
        return box
