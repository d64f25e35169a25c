"""The architecture graph of one cluster, kept incrementally: one object in, only what it touches recomputed.

Every object of a graph kind (`Kind.graph`) is a node; its edges are the references its rules yield
(relations.py), each declared by the one object that carries it. A declared edge is drawn (materialised)
while both of its ends exist, so an object may arrive before or after what it refers to, and an edge
vanishes with either end. Label selectors are matched incrementally: selecting objects are indexed by the
namespace they select in and selectable objects (Pods) by theirs, so a pod change re-checks only its
namespace's selectors, and a selector change only its namespace's pods.

A node keeps only what the view needs (name, status, labels …), never the object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from console.kube.api import JsonObject
from console.kube.kinds import Kind, RenderContext, Shape, detail_href
from console.kube.objects import metadata_of
from console.kube.selectors import Selector
from console.topology.changes import ChangeLog, GraphChanges
from console.topology.model import SCOPE_TYPE, EdgeKind, Family, GraphEdge, GraphNode, edge_id, node_id
from console.topology.relations import CLUSTER_MEMBERS, SELECTABLE, ObjectRef, Relations, relations_of
from console.topology.visuals import family_of, status_of

__all__ = ["GraphChanges", "TopologyGraph", "graph_kinds"]

_Edge = tuple[EdgeKind, str, str]  # kind, source, target
_Selecting = tuple[EdgeKind, Selector]  # what a selecting object does to the objects its selector matches
_Scope = tuple[str, str]  # (type id, namespace): where a selector looks, where a selectable object sits


@dataclass(frozen=True, slots=True)
class _Drawn:
    """What every node of one graph kind shares (read once, not per object)."""

    group: str
    title: str
    shape: Shape
    family: Family

    @staticmethod
    def of(kind: Kind) -> _Drawn:
        assert kind.graph is not None and kind.resource is not None
        group = kind.resource.group
        return _Drawn(group, kind.graph.title or kind.kind, kind.graph.shape, family_of(group))


def graph_kinds(kinds: Mapping[str, Kind]) -> dict[str, Kind]:
    """The kinds drawn in the graph: a graph type and a resource of their own (projections are not drawn)."""
    return {
        kind_id: kind
        for kind_id, kind in kinds.items()
        if kind.graph is not None and kind.resource is not None and not kind.projected
    }


class TopologyGraph:
    """Nodes and typed edges of one cluster (implements GraphReader); see the module doc."""

    def __init__(self, kinds: Mapping[str, Kind], cluster_id: str, context: RenderContext) -> None:
        self._kinds = graph_kinds(kinds)
        self._context = context
        # (API group, Kubernetes kind) → (type id, namespaced): how a reference names a node
        self._targets: dict[tuple[str, str], tuple[str, bool]] = {}
        for kind in self._kinds.values():
            assert kind.resource is not None
            if self._targets.setdefault((kind.resource.group, kind.kind), (kind.id, kind.namespaced))[0] != kind.id:
                raise ValueError(f"two graph kinds draw {kind.resource.group}/{kind.kind}: one must go")
        self._drawn = {kind_id: _Drawn.of(kind) for kind_id, kind in self._kinds.items()}
        self._namespace_type = self._targets.get(("", "Namespace"), ("", False))[0]
        self._cluster_members = {self._targets[member][0] for member in CLUSTER_MEMBERS if member in self._targets}
        self.scope = GraphNode(
            id=node_id(SCOPE_TYPE, "", cluster_id),
            type=SCOPE_TYPE,
            title="Cluster",
            name=cluster_id,
            namespace="",
            shape="scope",
            family="core",
            status="healthy",
            status_text="",
            href="",
        )
        self._revision = 0
        self._log = ChangeLog()
        self._reset()

    def _reset(self) -> None:
        self._nodes: dict[str, GraphNode] = {self.scope.id: self.scope}
        self._edges: dict[str, GraphEdge] = {}  # materialised: declared, both ends exist
        self._extra_declarations: dict[str, int] = {}  # declarations beyond the first (rare)
        self._touching: dict[str, dict[str, GraphEdge]] = {}  # node id → every declared edge with that end
        self._declared: dict[str, tuple[str, ...]] = {}  # carrier → the exact edges it declares
        self._selecting: dict[str, dict[str, tuple[_Selecting, ...]]] = {}  # carrier → target type → selectors
        self._selecting_in: dict[_Scope, dict[str, tuple[_Selecting, ...]]] = {}  # where → carrier → selectors
        self._selected: dict[str, set[str]] = {}  # carrier → the selection edges it declares now
        self._labelled_in: dict[_Scope, dict[str, Mapping[str, str]]] = {}  # selectable nodes' labels
        # types some selector selects: indexed by namespace with their labels
        self._selectable = {self._targets[target][0] for target in SELECTABLE if target in self._targets}
        self._dirty = False
        self._logging = True

    @property
    def kinds(self) -> Mapping[str, Kind]:
        """The graph kinds by id (what a feed must watch)."""
        return MappingProxyType(self._kinds)

    @property
    def revision(self) -> int:
        """Moves on every change of a node or an edge."""
        return self._revision

    @property
    def nodes(self) -> Mapping[str, GraphNode]:
        return MappingProxyType(self._nodes)

    @property
    def edges(self) -> Mapping[str, GraphEdge]:
        return MappingProxyType(self._edges)

    def edges_from(self, node: str) -> Iterable[GraphEdge]:
        edges = self._edges
        return [edge for edge in self._touching.get(node, {}).values() if edge.source == node and edge.id in edges]

    def edges_to(self, node: str) -> Iterable[GraphEdge]:
        edges = self._edges
        return [edge for edge in self._touching.get(node, {}).values() if edge.target == node and edge.id in edges]

    def changes_since(self, revision: int) -> GraphChanges | None:
        """Node and edge ids added, changed and removed after `revision`; None when the log is too short (or
        a rebuild happened since): recompute instead."""
        return self._log.since(revision, self._revision, self._nodes.__contains__, self._edges.__contains__)

    def upsert(self, kind: Kind, obj: JsonObject) -> None:
        """An object of `kind` was added or modified (objects of kinds not drawn are ignored)."""
        if kind.id in self._kinds:
            self._apply(self._kinds[kind.id], obj)
            self._commit()

    def delete(self, kind: Kind, key: str) -> None:
        """The object of `kind` with cache key `key` (`namespace/name` or `name`) is gone."""
        node = self._nodes.get(f"{kind.id}:{key}")
        if node is None or node is self.scope:
            return
        self._set_references(node.id, {})
        self._set_selectors(node.id, node.namespace, {})
        if node.type in self._selectable:
            self._unlabel(node)
        del self._nodes[node.id]
        self._note(node.id, edge=False, existed=True)
        for edge in self._touching.get(node.id, {}).values():
            if edge.id in self._edges:
                self._dematerialise(edge)
        self._commit()

    def rebuild(self, objects_by_kind: Mapping[str, Iterable[JsonObject]]) -> None:
        """Derive everything from scratch from every object, by kind id (kinds not drawn are ignored)."""
        self._reset()
        self._logging = False
        for kind_id, objects in objects_by_kind.items():
            kind = self._kinds.get(kind_id)
            if kind is not None:
                for obj in objects:
                    self._apply(kind, obj)
        self._logging = True
        self._revision += 1
        self._log.restart(self._revision)
        self._dirty = False

    def _commit(self) -> None:
        if self._dirty:
            self._revision += 1
            self._dirty = False

    def _note(self, id_: str, *, edge: bool, existed: bool) -> None:
        self._dirty = True
        if self._logging:
            self._log.record(self._revision + 1, id_, edge=edge, existed=existed)

    def _apply(self, kind: Kind, obj: JsonObject) -> None:
        drawn = self._drawn[kind.id]
        row = kind.render(obj, self._context)
        relations = relations_of(obj, drawn.group, kind.kind, drawn.shape)
        namespace, name = row.namespace, row.name
        labels = metadata_of(obj).get("labels")
        node = GraphNode(
            id=node_id(kind.id, namespace, name),
            type=kind.id,
            title=drawn.title,
            name=name,
            namespace=namespace,
            shape=drawn.shape,
            family=drawn.family,
            status=status_of(row),
            status_text=row.cells.get("status", ""),
            href=detail_href(kind.id, namespace, name) if kind.opens_detail else "",
            labels=labels if isinstance(labels, dict) else {},  # the cache's own dict: never copied, never changed
            node_name=relations.node_name,
            application=relations.application,
            owner=(self._resolve(relations.owner) or "") if relations.owner is not None else "",
        )
        nodes = self._nodes
        old = nodes.get(node.id)
        if old != node:
            nodes[node.id] = node
            self._note(node.id, edge=False, existed=old is not None)
            if old is None and node.id in self._touching:
                for edge in self._touching[node.id].values():
                    if edge.id not in self._edges and edge.source in nodes and edge.target in nodes:
                        self._materialise(edge)
        self._set_references(node.id, self._references(node, relations))
        if relations.selectors or node.id in self._selecting:
            self._set_selectors(node.id, namespace, self._selectors(relations))
        if node.type in self._selectable and (old is None or old.labels != node.labels):
            self._relabel(node)

    def _resolve(self, reference: ObjectRef) -> str | None:
        """The node id a reference names, None when its kind is not drawn."""
        target = self._targets.get((reference.group, reference.kind))
        if target is None:
            return None
        type_id, namespaced = target
        return node_id(type_id, reference.namespace if namespaced else "", reference.name)

    def _references(self, node: GraphNode, relations: Relations) -> dict[str, _Edge]:
        """The exact edges a node declares: its references, and its place in its namespace or the cluster."""
        own, targets = node.id, self._targets  # runs for every object of a full derivation: locals only
        edges: dict[str, _Edge] = {}
        for edge, other, direction in relations.references:
            target = targets.get((other.group, other.kind))
            if target is None:
                continue  # not drawn
            other_id = node_id(target[0], other.namespace if target[1] else "", other.name)
            if other_id == own:
                continue
            source, target_id = (own, other_id) if direction == "out" else (other_id, own)
            edges[edge_id(edge, source, target_id)] = (edge, source, target_id)
        container = ""
        if node.namespace and self._namespace_type:
            container = node_id(self._namespace_type, "", node.namespace)
        elif node.type in self._cluster_members:
            container = self.scope.id
        if container:
            edges[edge_id("contains", container, own)] = ("contains", container, own)
        return edges

    def _selectors(self, relations: Relations) -> dict[str, tuple[_Selecting, ...]]:
        by_type: dict[str, tuple[_Selecting, ...]] = {}
        for selecting in relations.selectors:
            target = self._targets.get((selecting.group, selecting.kind))
            if target is not None:
                by_type[target[0]] = (*by_type.get(target[0], ()), (selecting.edge, selecting.selector))
        return by_type

    def _set_references(self, carrier: str, edges: dict[str, _Edge]) -> None:
        old = self._declared.pop(carrier, ())
        if old:
            for eid in old:
                if eid not in edges:
                    self._retract(eid, carrier)
            kept = set(old)
            edges_to_declare = [(eid, edge) for eid, edge in edges.items() if eid not in kept]
        else:
            edges_to_declare = list(edges.items())
        for eid, (edge_kind, source, target) in edges_to_declare:
            self._declare(eid, edge_kind, source, target)
        if edges:
            self._declared[carrier] = tuple(edges)

    def _set_selectors(self, carrier: str, namespace: str, selecting: dict[str, tuple[_Selecting, ...]]) -> None:
        """Index a selecting object's selectors in its namespace and match them against its selectable objects."""
        old = self._selecting.get(carrier, {})
        if old == selecting:
            return
        for eid in self._selected.pop(carrier, ()):
            self._retract(eid, carrier)
        for type_id in old:
            where = self._selecting_in[(type_id, namespace)]
            del where[carrier]
            if not where:
                del self._selecting_in[(type_id, namespace)]
        self._selecting.pop(carrier, None)
        if not selecting:
            return
        self._selecting[carrier] = selecting
        selected = self._selected.setdefault(carrier, set())
        for type_id, selectors in selecting.items():
            self._selecting_in.setdefault((type_id, namespace), {})[carrier] = selectors
            for target, labels in self._labelled_in.get((type_id, namespace), {}).items():
                for edge_kind, selector in selectors:
                    if target != carrier and selector.matches(labels):
                        eid = edge_id(edge_kind, carrier, target)
                        selected.add(eid)
                        self._declare(eid, edge_kind, carrier, target)

    def _relabel(self, node: GraphNode) -> None:
        """A selectable node is new or its labels changed: re-match the selectors of its namespace."""
        where = (node.type, node.namespace)
        self._labelled_in.setdefault(where, {})[node.id] = node.labels
        for carrier, selectors in self._selecting_in.get(where, {}).items():
            selected = self._selected[carrier]
            for edge_kind, selector in selectors:
                eid = edge_id(edge_kind, carrier, node.id)
                if carrier != node.id and selector.matches(node.labels):
                    if eid not in selected:
                        selected.add(eid)
                        self._declare(eid, edge_kind, carrier, node.id)
                elif eid in selected:
                    selected.discard(eid)
                    self._retract(eid, carrier)

    def _unlabel(self, node: GraphNode) -> None:
        """A selectable node is gone: drop it from its namespace's index and the selections that matched it."""
        where = (node.type, node.namespace)
        labelled = self._labelled_in.get(where, {})
        labelled.pop(node.id, None)
        if not labelled:
            self._labelled_in.pop(where, None)
        for carrier, selectors in self._selecting_in.get(where, {}).items():
            selected = self._selected[carrier]
            for edge_kind, _ in selectors:
                eid = edge_id(edge_kind, carrier, node.id)
                if eid in selected:
                    selected.discard(eid)
                    self._retract(eid, carrier)

    def _declare(self, eid: str, edge_kind: EdgeKind, source: str, target: str) -> None:
        """One more declaration of an edge; drawn at once when both ends exist."""
        touching = self._touching
        from_source = touching.get(source)
        if from_source is None:
            edge = GraphEdge(eid, edge_kind, source, target)
            touching[source] = {eid: edge}
        elif eid in from_source:
            self._extra_declarations[eid] = self._extra_declarations.get(eid, 0) + 1
            return
        else:
            edge = GraphEdge(eid, edge_kind, source, target)
            from_source[eid] = edge
        to_target = touching.get(target)
        if to_target is None:
            touching[target] = {eid: edge}
        else:
            to_target[eid] = edge
        if source in self._nodes and target in self._nodes:
            self._materialise(edge)

    def _retract(self, eid: str, carrier: str) -> None:
        """Withdraw one declaration of an edge by `carrier` (one of its ends)."""
        extra = self._extra_declarations.get(eid)
        if extra:
            if extra == 1:
                del self._extra_declarations[eid]
            else:
                self._extra_declarations[eid] = extra - 1
            return
        edge = self._touching[carrier][eid]
        for end in (edge.source, edge.target):
            touching = self._touching[end]
            del touching[eid]
            if not touching:
                del self._touching[end]
        if eid in self._edges:
            self._dematerialise(edge)

    def _materialise(self, edge: GraphEdge) -> None:
        self._edges[edge.id] = edge
        self._dirty = True
        if self._logging:
            self._log.record(self._revision + 1, edge.id, edge=True, existed=False)

    def _dematerialise(self, edge: GraphEdge) -> None:
        del self._edges[edge.id]
        self._note(edge.id, edge=True, existed=True)
