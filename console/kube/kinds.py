"""The kind registry's vocabulary: one `Kind` of data per list the console shows.

A Kind says where its objects come from (a resource the shared cache watches, or a projection of one),
how a row looks (columns, a pure renderer, a status tone), which extras it has (per-kind filters,
primary chip) and what its objects offer (capabilities: logs, shell, scale, …). Pages, states, the graph
and detail tabs read Kinds; they never branch on a kind's id or name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from console.kube.api import JsonObject, ResourcePath
from console.kube.capabilities import Capability, LogSource, ReplicaCount

Tone = Literal["ok", "warn", "err", "info", "muted"]
Category = Literal["compute", "network", "storage", "workload", "config", "reconciler", "access", "cluster"]
Display = Literal["text", "name", "status", "labels", "count", "link"]  # link: the row's `links[key]`
Shape = Literal["compute", "control", "network", "config", "data", "scope"]  # a graph node's shape (its category)
NAMESPACE_KEY = "namespace"  # the NAMESPACE column's key: a namespaced kind lists it


@dataclass(frozen=True, slots=True)
class Column:
    """One list column; `key` is the stable id used for sorting, filters and cells, never the title."""

    key: str
    title: str
    display: Display = "text"  # how the view draws the cell ("status": a tone badge; "count": tone by value)
    numeric: bool = False  # sorts by number (sort_keys hold floats)


@dataclass(frozen=True, slots=True)
class Row:
    """One rendered list row: display cells keyed by column key, plus what sorting, filters and colour need."""

    key: str  # namespace/name (or a projection's own key), unique within the kind
    uid: str
    name: str
    namespace: str
    labels: Mapping[str, str]
    cells: dict[str, str]
    sort_keys: dict[str, str | float]
    tone: Tone  # the row's status tone (the STATUS cell)
    cell_tones: dict[str, Tone] = field(default_factory=dict)  # other toned cells, e.g. RESTARTS
    wanted_replicas: int | None = None  # what a Scale dialog starts from (kinds with a replica count)
    links: dict[str, str] = field(default_factory=dict)  # column key → where a "link" cell leads (no link: absent)


@dataclass(frozen=True, slots=True)
class KindFilter:
    """A per-kind choice filter (ROLE for nodes, CLASS for PVCs): rows whose `column` cell equals the choice."""

    column: str  # a column key of the kind
    title: str  # shown in the toolbar, e.g. "ROLE"


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a renderer may know besides the object."""

    now: datetime
    cluster_id: str  # e.g. "sovereign-omantel.openova.cloud" or "<id>-<region>": drives REGION
    server_version: str = ""  # gitVersion of the API server, for the clusters projection


@dataclass(frozen=True, slots=True)
class GraphType:
    """How a kind's objects appear in the architecture graph: a node type, its shape, and whether its chip
    starts on. The API family (the node's border) follows from the kind's API group (console/topology)."""

    shape: Shape  # compute circle, control square, network triangle, config diamond, data hexagon, scope pentagon
    title: str = ""  # the node type's name ("": the Kubernetes kind, e.g. "Deployment")
    shown: bool = True  # the type's chip starts on (Pod, ConfigMap, ReplicaSet and Secret start off)


Renderer = Callable[[JsonObject, RenderContext], Row]
Projector = Callable[[list[JsonObject], RenderContext], list[Row]]


@dataclass(frozen=True, slots=True)
class Kind:
    """A list the console offers: identity, where its objects come from, how its rows look."""

    id: str  # URL slug, e.g. "pods", "node-pools", "widgets.example.com"
    title: str  # display name, e.g. "Pods", "Node Pools"
    kind: str  # Kubernetes kind of the source objects, e.g. "Pod" (detail pages use it)
    resource: ResourcePath | None  # what the shared cache watches; None: nothing on any cluster serves it
    category: Category
    columns: tuple[Column, ...]
    render: Renderer  # one source object → one row
    selects: Callable[[JsonObject], bool] | None = None  # a subset of the resource (LoadBalancer Services)
    project: Projector | None = None  # all (visible) source objects → rows, replacing `render` (Node Pools)
    primary: bool = False  # one of the six chips; the rest sit in "More"
    filters: tuple[KindFilter, ...] = ()
    short_names: tuple[str, ...] = ()  # `:` switcher aliases (k9s habit)
    unavailable: str = ""  # why there is nothing to list on any cluster (dns-zones), shown instead of rows
    opens_detail: bool = True  # rows link to the resource detail page
    capabilities: frozenset[Capability] = frozenset()  # what its objects offer beyond list and read
    replica_count: ReplicaCount | None = None  # SCALE: where the wanted replicas live
    log_source: LogSource | None = None  # LOGS: the object's own containers, or its pods'
    metrics_resource: str = ""  # METRICS: the metrics.k8s.io plural that reports it ("pods", "nodes")
    default_sort: str = ""  # the column the list sorts by until the person picks one ("": namespace, name)
    section: str = ""  # the More menu's heading for it ("": its category's)
    graph: GraphType | None = None  # a node type of the architecture graph (None: not drawn)

    def __post_init__(self) -> None:
        described = {
            Capability.SCALE: self.replica_count is not None,
            Capability.LOGS: self.log_source is not None,
            Capability.METRICS: bool(self.metrics_resource),
        }
        for capability, has_descriptor in described.items():
            if (capability in self.capabilities) != has_descriptor:
                raise ValueError(f"kind {self.id!r}: {capability.value} and its descriptor go together")

    @property
    def namespaced(self) -> bool:
        """Objects live in namespaces. Stated once, by the columns: a namespaced kind lists NAMESPACE."""
        return any(column.key == NAMESPACE_KEY for column in self.columns)

    @property
    def projected(self) -> bool:
        return self.selects is not None or self.project is not None

    def replicas(self, obj: JsonObject) -> int | None:
        """The object's wanted replica count, None when the kind has none (it cannot be scaled)."""
        return None if self.replica_count is None else self.replica_count.of(obj)


class KindNotFound(KeyError):
    """No kind with that id is registered or discovered."""


def rows_for(kind: Kind, objects: list[JsonObject], context: RenderContext) -> list[Row]:
    """The kind's rows from its source objects (already filtered to what the person may see)."""
    if kind.selects is not None:
        objects = [obj for obj in objects if kind.selects(obj)]
    if kind.project is not None:
        return kind.project(objects, context)
    if kind.replica_count is not None:
        return [
            dataclasses.replace(kind.render(obj, context), wanted_replicas=kind.replica_count.of(obj))
            for obj in objects
        ]
    return [kind.render(obj, context) for obj in objects]


def index_by_id(kinds: tuple[Kind, ...]) -> Mapping[str, Kind]:
    """Index kinds by id, refusing duplicates and rows that would not fit their columns (registry invariants)."""
    indexed: dict[str, Kind] = {}
    names: dict[str, str] = {}  # every id and short name → the kind it switches to
    for kind in kinds:
        if kind.id in indexed:
            raise ValueError(f"kind id {kind.id!r} is registered twice")
        for name in (kind.id, *kind.short_names):
            if names.setdefault(name, kind.id) != kind.id:
                raise ValueError(f"kind {kind.id!r} reuses the name {name!r} of kind {names[name]!r}")
        keys = [column.key for column in kind.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"kind {kind.id!r} has duplicate column keys")
        if kind.default_sort and kind.default_sort not in keys:
            raise ValueError(f"kind {kind.id!r} sorts by unknown column {kind.default_sort!r}")
        for kind_filter in kind.filters:
            if kind_filter.column not in keys:
                raise ValueError(f"kind {kind.id!r} filters on unknown column {kind_filter.column!r}")
        indexed[kind.id] = kind
    return indexed


def detail_href(kind_id: str, namespace: str, name: str, tab: str = "overview") -> str:
    return f"/cloud/resource/{kind_id}/{namespace or '_'}/{name}/{tab}"


def object_link(known: Mapping[str, Kind], kind: str, api_version: str | None, namespace: str, name: str) -> str:
    """The detail page of an object named by kind and apiVersion ("" when the console has no plain kind for
    it). `api_version` None: whatever group registers a kind of that name (a report that names no version)."""
    group = None if api_version is None else api_version.rpartition("/")[0]
    plain = [
        k
        for k in known.values()
        if k.kind == kind
        and k.resource is not None
        and (group is None or k.resource.group == group)
        and not k.projected
        and k.opens_detail
    ]
    if not plain or not name:
        return ""
    return detail_href(plain[0].id, namespace, name)
