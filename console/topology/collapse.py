"""Large clusters: Pods (and ReplicaSets) collapse under their top controller, one node per owner.

When a view would draw more Pods than the threshold, each Pod with a controlling owner joins the collapsed
node of its top controller (Pod → ReplicaSet → Deployment; or the StatefulSet, DaemonSet, Job… it names),
and a drawn ReplicaSet joins its Deployment's. The owner chain is followed only through nodes the person
may see: where it reaches one they may not, that owner (named by what they see) is the top. Pods without
an owner stay single, and so does a ReplicaSet whose owner has no Pods drawn (there is no set to join).
The collapsed node counts Pods only ("38 running · 2 failing", healthiest first as it reads), takes their
worst status, and shows even when its owner is hidden (the Pods are what the chip asked for).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from console.topology.grouping import POD_TYPE
from console.topology.model import (
    EdgeKind,
    GraphEdge,
    GraphNode,
    GraphReader,
    Status,
    ViewEdge,
    ViewNode,
    Visibility,
    edge_id,
)
from console.topology.neighbourhood import Place

__all__ = [
    "COLLAPSED_PREFIX",
    "COLLAPSE_THRESHOLD",
    "Collapse",
    "CollapsedSet",
    "SEVERITY",
    "STATUS_WORDS",
    "collapsed_id",
    "collapsed_node",
    "fold_edges",
    "plan_collapse",
    "pod_summary",
    "pods_text",
    "worst_status",
]

COLLAPSE_THRESHOLD = 300  # drawn Pods above which they collapse (spec: 2,000+ pods must collapse)
COLLAPSED_PREFIX = "collapsed:"
REPLICA_SET_TYPE = "replicasets"
_OWNER_CHAIN_LIMIT = 8  # ownerReferences could loop in a broken cluster; real chains are 2 long

SEVERITY: tuple[Status, ...] = ("healthy", "reconciling", "unknown", "drifted", "failed")  # mildest first
_RANK = {status: rank for rank, status in enumerate(SEVERITY)}
STATUS_WORDS: Mapping[Status, str] = {
    "healthy": "running",
    "reconciling": "starting",
    "unknown": "unknown",
    "drifted": "degraded",
    "failed": "failing",
}


def collapsed_id(owner: str) -> str:
    return f"{COLLAPSED_PREFIX}{owner}"


def pods_text(count: int) -> str:
    """The count as a label: 1 pod, 12,400 pods."""
    return f"{count:,} pod" if count == 1 else f"{count:,} pods"


@dataclass(slots=True)
class CollapsedSet:
    """The Pods (and ReplicaSets) drawn as one node under an owner."""

    owner: str  # the owner's node id
    pods: list[GraphNode] = field(default_factory=list)
    replica_sets: list[GraphNode] = field(default_factory=list)


@dataclass(slots=True)
class Collapse:
    """What a build collapses: drawn node id → its collapsed node's id, and the sets by collapsed id."""

    member_of: dict[str, str] = field(default_factory=dict)
    sets: dict[str, CollapsedSet] = field(default_factory=dict)

    @property
    def pod_count(self) -> int:
        return sum(len(members.pods) for members in self.sets.values())


def plan_collapse(
    graph: GraphReader,
    visible: Visibility,
    drawn: Sequence[GraphNode],
    *,
    expanded: Collection[str],
    keep: Collection[str],
    threshold: int = COLLAPSE_THRESHOLD,
) -> Collapse:
    """Which of the drawn nodes collapse (nothing unless more than `threshold` Pods are drawn).

    Args:
        graph: the whole graph (owner chains are followed in it).
        visible: who looks (chains stop at an owner they may not see).
        drawn: the nodes the view would draw one by one.
        expanded: collapsed ids the person opened: their members stay single.
        keep: node ids that never collapse (a focus's origin).
        threshold: the most Pods drawn one by one.
    """
    pods = [node for node in drawn if node.type == POD_TYPE]
    collapse = Collapse()
    if len(pods) <= threshold:
        return collapse
    tops: dict[str, str] = {}
    for pod in pods:
        if not pod.owner or pod.id in keep:
            continue
        target = collapsed_id(_top_owner(graph, visible, pod.owner, tops))
        if target in expanded:
            continue
        members = collapse.sets.get(target)
        if members is None:
            members = collapse.sets[target] = CollapsedSet(target.removeprefix(COLLAPSED_PREFIX))
        members.pods.append(pod)
        collapse.member_of[pod.id] = target
    for replica_set in drawn:
        if replica_set.type != REPLICA_SET_TYPE or not replica_set.owner or replica_set.id in keep:
            continue
        target = collapsed_id(_top_owner(graph, visible, replica_set.owner, tops))
        if target in collapse.sets:
            collapse.sets[target].replica_sets.append(replica_set)
            collapse.member_of[replica_set.id] = target
    return collapse


def _top_owner(graph: GraphReader, visible: Visibility, owner: str, tops: dict[str, str]) -> str:
    """The top controller reached from `owner` through nodes the person may see (memoised in `tops`)."""
    known = tops.get(owner)
    if known is not None:
        return known
    current = owner
    for _ in range(_OWNER_CHAIN_LIMIT):
        node = graph.nodes.get(current)
        if node is None or not node.owner or not visible.sees(node):
            break
        current = node.owner
    tops[owner] = current
    return current


def pod_summary(pods: Iterable[GraphNode]) -> str:
    """Pods counted by status, zeros left out, mildest status first: "38 running · 2 failing"."""
    counts = dict.fromkeys(SEVERITY, 0)
    for pod in pods:
        counts[pod.status] += 1
    return " · ".join(f"{counts[status]:,} {STATUS_WORDS[status]}" for status in SEVERITY if counts[status])


def worst_status(nodes: Iterable[GraphNode]) -> Status:
    worst: Status = "healthy"
    for node in nodes:
        if _RANK[node.status] > _RANK[worst]:
            worst = node.status
    return worst


def collapsed_node(collapsed: str, members: CollapsedSet, *, group: str, focus: Place | None) -> ViewNode:
    """The node drawn for a collapsed set (its id goes into ViewOptions.expanded when clicked)."""
    first = members.pods[0]
    count = len(members.pods)
    summary = pod_summary(members.pods)
    return ViewNode(
        id=collapsed,
        type=POD_TYPE,
        title="Pods",
        name=pods_text(count),
        namespace=first.namespace,
        shape=first.shape,
        family=first.family,
        status=worst_status(members.pods),
        status_text=summary,
        href="",
        group=group,
        count=count,
        summary=summary,
        collapsed=True,
        focus=focus or "",
    )


def fold_edges(edges: Iterable[GraphEdge], drawn_as: Mapping[str, str]) -> dict[str, ViewEdge]:
    """The edges between drawn nodes, with collapsed members' edges moved to their collapsed node.

    Args:
        edges: candidate graph edges (each considered once).
        drawn_as: drawn graph node id → the id of the node it is drawn as (itself, or its collapsed node).

    Returns:
        view edges by id: an edge between two single nodes keeps its id; edges that now join the same two
        drawn nodes with the same kind fold into one (`count` of them, id `kind|source|target`); edges
        inside one collapsed node are dropped.
    """
    view_edges: dict[str, ViewEdge] = {}
    folded: dict[tuple[EdgeKind, str, str], int] = {}  # (kind, source, target) → edges folded into it
    for edge in edges:
        source = drawn_as.get(edge.source)
        target = drawn_as.get(edge.target)
        if source is None or target is None or source == target:
            continue
        if source == edge.source and target == edge.target:
            view_edges[edge.id] = ViewEdge(edge.id, edge.kind, source, target)
        else:
            key = (edge.kind, source, target)
            folded[key] = folded.get(key, 0) + 1
    for (kind, source, target), count in folded.items():
        folded_id = edge_id(kind, source, target)
        view_edges[folded_id] = ViewEdge(folded_id, kind, source, target, count)
    return view_edges
