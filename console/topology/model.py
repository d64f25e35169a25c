"""The architecture graph's vocabulary: nodes, typed edges, and the graph a person's view draws.

Nodes are objects of the registry's graph kinds (`Kind.graph`) plus scope nodes (the cluster); edges are
derived from the objects (spec/cloud.md §4). `TopologyGraph` (graph.py) keeps them incrementally; views
(view.py) read them through `GraphReader`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from console.kube.kinds import Shape

EdgeKind = Literal[
    "contains",  # scope → member (cluster → namespaces and nodes, namespace → its objects)
    "owns",  # ownerReferences: owner → owned
    "selects",  # Service → Pods, PodDisruptionBudget / NetworkPolicy → Pods
    "routes-to",  # Ingress / HTTPRoute → Service, Gateway → HTTPRoute
    "mounts",  # Pod → ConfigMap / Secret / PVC
    "binds",  # PVC → PV → StorageClass
    "runs-on",  # Pod → Node
    "reconciles",  # HelmRelease / Kustomization → the objects labelled as theirs
    "realizes",  # Application → its workloads
    "depends-on",  # Application → Application (spec.dependsOn)
]
EDGE_KINDS: tuple[EdgeKind, ...] = (
    "contains",
    "owns",
    "selects",
    "routes-to",
    "mounts",
    "binds",
    "runs-on",
    "reconciles",
    "realizes",
    "depends-on",
)
Status = Literal["healthy", "reconciling", "drifted", "failed", "unknown"]  # a node's FILL
Family = Literal[
    "flux", "crossplane", "cert-manager", "cnpg", "external-secrets", "cilium", "core", "catalyst", "cloud"
]  # a node's BORDER, from its API group
GroupBy = Literal["none", "namespace", "node", "application"]

SCOPE_TYPE = "cluster"  # the type id of scope nodes the registry has no plain kind for (the connected cluster)


def node_id(type_id: str, namespace: str, name: str) -> str:
    """`deployments:acme-prod-wordpress/wordpress`, `worker-nodes:omantel-fsn-cp-2` (cluster-scoped)."""
    return f"{type_id}:{namespace}/{name}" if namespace else f"{type_id}:{name}"


def edge_id(kind: EdgeKind, source: str, target: str) -> str:
    return f"{kind}|{source}|{target}"


@dataclass(frozen=True, slots=True)
class GraphNode:
    """One resource (or scope) in the graph, with everything the view and the wire need about it."""

    id: str  # node_id(type, namespace, name)
    type: str  # the registry kind id ("deployments"), or SCOPE_TYPE
    title: str  # the node type's name ("Deployment")
    name: str
    namespace: str  # "" for cluster-scoped objects and scopes
    shape: Shape
    family: Family
    status: Status
    status_text: str  # the list's STATUS cell ("Running", "2/3", "Reconciled")
    href: str  # the detail page ("" when the node has none)
    labels: Mapping[str, str] = field(default_factory=dict)
    node_name: str = ""  # where a Pod runs (group by node); "" for everything else
    application: str = ""  # catalyst.openova.io/application, openova.io/application, app.kubernetes.io/instance
    owner: str = ""  # the node id of its controlling owner (Pod → ReplicaSet, ReplicaSet → Deployment), or ""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    id: str  # edge_id(kind, source, target)
    kind: EdgeKind
    source: str  # node id
    target: str  # node id


class GraphReader(Protocol):
    """What views read of a graph (TopologyGraph implements it; tests may use a plain one)."""

    @property
    def nodes(self) -> Mapping[str, GraphNode]: ...

    @property
    def edges(self) -> Mapping[str, GraphEdge]: ...

    def edges_from(self, node: str) -> Iterable[GraphEdge]:
        """Edges whose source is `node` (both ends exist)."""
        ...

    def edges_to(self, node: str) -> Iterable[GraphEdge]:
        """Edges whose target is `node` (both ends exist)."""
        ...


# ─── what a person's view draws (view.py builds it; the graph socket sends it and its deltas) ───


@dataclass(frozen=True, slots=True)
class ViewOptions:
    """What the person chose: a lens, the node types switched on, grouping, expanded collapses, a focus."""

    lens: str = "all"
    types: frozenset[str] | None = None  # type ids switched on; None: each type's default (GraphType.shown)
    group_by: GroupBy = "namespace"
    expanded: frozenset[str] = frozenset()  # collapsed-node ids the person opened
    focus: str = ""  # a node id: show only its neighbourhood ("" : the whole graph)
    hops: int = 2  # neighbourhood depth each way
    direction: Literal["both", "depends", "dependents"] = "both"  # dependents: "what breaks if this breaks?"


@dataclass(frozen=True, slots=True)
class ViewNode:
    """A node as drawn: one object, or a collapsed set of Pods / ReplicaSets under their owner."""

    id: str
    type: str
    title: str
    name: str
    namespace: str
    shape: Shape
    family: Family
    status: Status
    status_text: str
    href: str
    group: str  # the id of the ViewGroup it is drawn in ("" when not grouped)
    count: int = 1  # members of a collapsed node
    summary: str = ""  # a collapsed node's "38 running · 2 failing"
    collapsed: bool = False  # True: click expands it (its id goes into ViewOptions.expanded)
    focus: Literal["", "origin", "depends", "dependents"] = ""  # its place in a neighbourhood focus


@dataclass(frozen=True, slots=True)
class ViewEdge:
    id: str
    kind: EdgeKind
    source: str
    target: str
    count: int = 1  # edges folded into this one by a collapse


@dataclass(frozen=True, slots=True)
class ViewGroup:
    id: str  # "group:namespace:acme-prod-wordpress"
    title: str  # "acme-prod-wordpress"
    by: GroupBy


@dataclass(frozen=True, slots=True)
class TypeCount:
    """A type chip: how many objects of the type the person may see (equal to its list's count)."""

    type: str
    title: str
    shape: Shape
    family: Family
    count: int
    shown: bool  # switched on in this view
    hidden_by_lens: bool  # the lens hides it whatever the chip says


@dataclass(frozen=True, slots=True)
class ViewGraph:
    nodes: Mapping[str, ViewNode]
    edges: Mapping[str, ViewEdge]
    groups: Mapping[str, ViewGroup]
    types: tuple[TypeCount, ...]
    notice: str = ""  # e.g. "Pods are collapsed under their owners (12,400 pods): click one to expand it"


class Visibility(Protocol):
    """Which nodes a person may see (topology/access.py answers it from access reviews made as them)."""

    def sees(self, node: GraphNode) -> bool: ...


class EveryNode:
    """The console's own view (benches, tests of derivation): every node is visible."""

    def sees(self, node: GraphNode) -> bool:
        return True
