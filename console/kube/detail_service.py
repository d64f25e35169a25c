"""One resource detail view for one person: the object read as them, its owners, related objects, tree,
events, metrics and reconcile facts, and which tabs to offer.

The counterpart of `list_service`: domain code over the shared watch cache and the person's own API
view; the Reflex state only forwards what this returns. What a kind offers comes from its capabilities.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from console.audit.log import AuditLog
from console.kube.access import visible_objects
from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.capabilities import Capability
from console.kube.catalog import KindCatalog
from console.kube.detail_tabs import DEFAULT_TAB, feeds_of, tabs_for
from console.kube.edits import object_path
from console.kube.events import events_for
from console.kube.kinds import Kind, KindNotFound
from console.kube.list_service import Person
from console.kube.objects import cache_key, labels_of, name_of, namespace_of, resource_version_of, uid_of
from console.kube.overview import Overview, overview
from console.kube.reconcile import reconcile_facts
from console.kube.registry import KINDS
from console.kube.secrets import RevealFailed, SecretValue, may_reveal, reveal
from console.kube.tree import detail_href, kind_id_for, owner_chain, tree, with_kind
from console.kube.usage import METRICS_GROUP_VERSION, usage_rows
from console.kube.watch_cache import KindWatch, WatchCache, wait_any

EVENTS = ResourcePath("", "v1", "events")
# Kinds whose objects own, or are owned by, the usual workloads: the owner chain and the tree read them.
RELATED_KIND_IDS = ("deployments", "statefulsets", "daemonsets", "replicasets", "pods")
ENDPOINT_SLICES = KINDS["endpointslices"]  # where a Service's endpoints live …
SERVICE_NAME_LABEL = "kubernetes.io/service-name"  # … labelled with the Service's name
NO_METRICS = "metrics API not available on this cluster"
METRICS_REFRESH_SECONDS = 15.0
IDLE_SECONDS = 30.0  # with nothing changing, the view is recomputed this often (ages, "3m ago")
FIRST_SYNC_SECONDS = 10.0  # how long the first update waits for the kind's cache to fill


@dataclass(frozen=True, slots=True)
class DetailAddress:
    """Which object, and which of its tabs: `/cloud/resource/<kind>/<namespace or _>/<name>/<tab>`."""

    kind_id: str
    namespace: str  # "" for a cluster-scoped object ("_" in the URL)
    name: str
    tab: str = DEFAULT_TAB

    @classmethod
    def from_path(cls, path: str) -> DetailAddress | None:
        """The address of a detail page's URL path; None when the path names no object."""
        parts = [part for part in path.split("/") if part]
        if len(parts) < 5:
            return None
        _, _, kind_id, namespace, name = parts[:5]
        return cls(kind_id, "" if namespace == "_" else namespace, name, parts[5] if len(parts) > 5 else DEFAULT_TAB)

    @property
    def key(self) -> str:
        """The object's key in the shared cache (`namespace/name`, or the name)."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def list_href(self) -> str:
        return f"/cloud?view=list&kind={self.kind_id}"

    def href(self, tab: str) -> str:
        return detail_href(self.kind_id, self.namespace, self.name, tab)


@dataclass(frozen=True, slots=True)
class TabLink:
    id: str
    title: str
    href: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "href": self.href}


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """What the overview, tree and reconcile tabs show of the object as it is now (all display text)."""

    overview: Overview
    owners: list[dict[str, str]]  # {"kind", "name", "href"}, top owner first
    wanted_replicas: str  # what Scale starts from; "" when the kind has no replica count
    reconcile: dict[str, str]  # a Flux object's facts (console.kube.reconcile), {} for other kinds
    tree: list[dict[str, str]] | None  # the tree's lines while the tree tab shows, else None (not computed)


@dataclass(frozen=True, slots=True)
class DetailOpening:
    """The page as it opens: the kind's tabs, the object's facts, or why there is nothing to show."""

    kind: Kind | None  # None: no kind with the address's id
    tabs: list[TabLink] = field(default_factory=list)
    tab: str = DEFAULT_TAB  # the tab asked for when the kind offers it, else the overview
    problem: str = ""  # "Unknown kind …", "Not Found", "You may not view …", or the API server's words
    facts: ObjectFacts | None = None  # None: not read (signed out, or a problem)
    can_reveal: bool = False  # a Secret the person may `get`: offer "Reveal values"


@dataclass(frozen=True, slots=True)
class MetricsReading:
    rows: list[dict[str, str]]  # {"name", "cpu", "memory"}, per container plus a total (or one for a node)
    note: str  # why there are no rows ("" when there are)


@dataclass(frozen=True, slots=True)
class DetailUpdate:
    """One step of a followed detail view; None fields have no news."""

    live_state: str  # the kind's cache: connecting | live | reconnecting | error
    problem: str | None = None  # "": the object is there; text: it cannot be shown; None: the cache is filling
    facts: ObjectFacts | None = None  # the object was read again (first read, or it changed)
    replaced: bool = False  # it changed while the page showed it (revealed values are stale)
    endpoints: list[str] | None = None  # only related objects moved: the endpoints …
    tree: list[dict[str, str]] | None = None  # … and the tree (while the tree tab shows)
    events: list[dict[str, str]] | None = None  # the object's Events (tabs that list them)
    metrics: MetricsReading | None = None  # a fresh reading (the metrics tab, every 15 s)


def problem_of(error: KubeApiError, kind: Kind) -> str:
    """Why the object cannot be shown, in plain words."""
    if error.status == 404:
        return "Not Found"
    if error.status == 403:
        return f"You may not view this {kind.kind}: {error.message}"
    return error.message


def _owners(obj: JsonObject, related: list[JsonObject]) -> list[dict[str, str]]:
    by_uid = {uid_of(o): o for o in related}
    owners = []
    for owner in reversed(owner_chain(obj, by_uid)):
        owner_kind_id = kind_id_for(str(owner.get("kind")), str(owner.get("apiVersion")))
        name = name_of(owner)
        href = detail_href(owner_kind_id, namespace_of(owner), name) if owner_kind_id else ""
        owners.append({"kind": str(owner.get("kind") or ""), "name": name, "href": href})
    return owners


def _tree_lines(obj: JsonObject, related: list[JsonObject]) -> list[dict[str, str]]:
    return [node.as_dict() for node in tree(obj, related, datetime.now(UTC))]


def object_facts(
    kind: Kind, obj: JsonObject, related: list[JsonObject], slices: list[JsonObject] | None, tab: str
) -> ObjectFacts:
    """Everything the page shows of one object, from the object and the related objects the person sees."""
    replicas = kind.replicas(obj)
    return ObjectFacts(
        overview=overview(obj, endpoint_slices=slices),
        owners=_owners(obj, related),
        wanted_replicas="" if replicas is None else str(replicas),
        reconcile=reconcile_facts(obj) if Capability.RECONCILE in kind.capabilities else {},
        tree=_tree_lines(obj, related) if tab == "tree" else None,
    )


async def open_detail(catalog: KindCatalog, person: Person | None, address: DetailAddress) -> DetailOpening:
    """The page as it opens for this person (None: signed out, so only the kind's tabs)."""
    try:
        kind = await catalog.find(address.kind_id)
    except KindNotFound:
        return DetailOpening(None, problem=f"Unknown kind “{address.kind_id}”.")
    offered = tabs_for(kind)
    tabs = [TabLink(rule.id, rule.title, address.href(rule.id)) for rule in offered]
    tab = address.tab if address.tab in {rule.id for rule in offered} else DEFAULT_TAB
    if person is None:
        return DetailOpening(kind, tabs, tab)
    if kind.resource is None:
        return DetailOpening(kind, tabs, tab, problem="Not Found")
    try:
        obj = with_kind(await person.api.get(object_path(kind, address.namespace, address.name)), kind)
    except KubeApiError as error:
        return DetailOpening(kind, tabs, tab, problem=problem_of(error, kind))
    can_reveal = (
        Capability.REVEAL in kind.capabilities
        and bool(address.namespace)
        and await may_reveal(person.api, person.reviews, person.kube_user, address.namespace, address.name)
    )
    return DetailOpening(kind, tabs, tab, facts=object_facts(kind, obj, [], None, tab), can_reveal=can_reveal)


async def reveal_values(person: Person, kind: Kind, address: DetailAddress, audit: AuditLog) -> list[SecretValue]:
    """A Secret's values, read as the person on their explicit request; audited (never the values).

    Raises:
        RevealFailed: the kind has no values to reveal, or the API server refused or failed.
    """
    if Capability.REVEAL not in kind.capabilities or not address.namespace:
        raise RevealFailed(f"{kind.title} have no values to reveal.")
    return await reveal(person.api, address.namespace, address.name, audit=audit, actor=person.kube_user)


def metrics_path(kind: Kind, namespace: str, name: str) -> str:
    """The metrics.k8s.io path that reports the object ("" when its kind has no metrics)."""
    if Capability.METRICS not in kind.capabilities:
        return ""
    where = f"/namespaces/{namespace}" if kind.namespaced else ""
    return f"{METRICS_GROUP_VERSION}{where}/{kind.metrics_resource}/{name}"


async def read_metrics(api: KubeApi, kind: Kind, namespace: str, name: str) -> MetricsReading:
    """The object's current CPU and memory, or why there are none (no metrics API, nothing reported yet)."""
    path = metrics_path(kind, namespace, name)
    if not path:
        return MetricsReading([], f"{kind.title} report no metrics.")
    try:
        return MetricsReading(usage_rows(await api.get(path)), "")
    except KubeApiError as error:
        if error.status not in (404, 503):
            return MetricsReading([], error.message)
    try:
        await api.get(METRICS_GROUP_VERSION)
    except KubeApiError:
        return MetricsReading([], NO_METRICS)
    return MetricsReading([], "No metrics reported for this object yet.")


def _followed_kinds(kind: Kind, tab: str) -> dict[ResourcePath, Kind]:
    """The object's own kind, plus the kinds the tab reads around it (the owner chain, a Service's slices)."""
    assert kind.resource is not None
    kinds: dict[ResourcePath, Kind] = {kind.resource: kind}
    feeds = feeds_of(tab)
    related = [KINDS[kind_id] for kind_id in RELATED_KIND_IDS] if "related" in feeds else []
    if "endpoints" in feeds and Capability.ENDPOINTS in kind.capabilities:
        related.append(ENDPOINT_SLICES)
    for other in related:
        if other.resource is not None:
            kinds.setdefault(other.resource, other)
    return kinds


async def _related(
    person: Person, watches: dict[ResourcePath, KindWatch], kinds: dict[ResourcePath, Kind], namespace: str
) -> list[JsonObject]:
    """Objects of the followed kinds in the object's namespace that the person may list."""
    found: list[JsonObject] = []
    for path, kind in kinds.items():
        local = [o for o in watches[path].objects() if not namespace or namespace_of(o) == namespace]
        visible = await visible_objects(person.reviews, person.api, person.kube_user, path, kind.namespaced, local)
        found.extend(with_kind(o, kind) for o in visible)
    return found


def _slices_of(related: list[JsonObject], service: str) -> list[JsonObject]:
    """The EndpointSlices among the related objects that carry this Service's endpoints."""
    slices = (o for o in related if o.get("kind") == ENDPOINT_SLICES.kind)
    return [o for o in slices if labels_of(o).get(SERVICE_NAME_LABEL) == service]


async def follow_detail(
    cache: WatchCache,
    person: Person,
    kind: Kind,
    address: DetailAddress,
    *,
    idle_seconds: float = IDLE_SECONDS,
    metrics_every: float = METRICS_REFRESH_SECONDS,
) -> AsyncIterator[DetailUpdate]:
    """The view's updates: one at once, then one whenever the object's kind, a related kind or its Events
    move (or after `idle_seconds` without news). Runs until the caller stops; close it with `aclosing`."""
    if kind.resource is None:
        return
    kinds = _followed_kinds(kind, address.tab)
    feeds = feeds_of(address.tab)
    wanted = list(kinds) + ([EVENTS] if "events" in feeds else [])
    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as stack:
        watches = {path: await stack.enter_async_context(cache.subscribe(path)) for path in wanted}
        own = watches[kind.resource]
        seen = {id(w): -1 for w in watches.values()}
        shown_version, metrics_at, first = "", -metrics_every, True
        while True:
            if not first:
                await wait_any(watches.values(), seen, metrics_every if "metrics" in feeds else idle_seconds)
            first = False
            for watch in watches.values():
                seen[id(watch)] = watch.revision
            if not own.synced:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(own.wait_synced(), FIRST_SYNC_SECONDS)
            cached = next((o for o in own.objects() if cache_key(o) == address.key), None)
            obj: JsonObject | None = None
            replaced, problem = False, None if cached is None else ""
            if own.synced and cached is None:
                problem = "Not Found"
            elif cached is not None and resource_version_of(cached) != shown_version:
                try:
                    obj = with_kind(await person.api.get(object_path(kind, address.namespace, address.name)), kind)
                    replaced = shown_version != ""  # not the first read: the object changed
                    shown_version = resource_version_of(obj)
                except KubeApiError as error:
                    problem = problem_of(error, kind)
            related = await _related(person, watches, kinds, address.namespace)
            slices = _slices_of(related, address.name)
            events = None
            if EVENTS in watches:
                visible = await visible_objects(
                    person.reviews, person.api, person.kube_user, EVENTS, True, watches[EVENTS].objects()
                )
                uid = uid_of(cached or {})
                events = events_for(visible, kind.kind, address.namespace, address.name, uid, datetime.now(UTC))
            metrics = None
            if "metrics" in feeds and loop.time() - metrics_at >= metrics_every:
                metrics_at = loop.time()
                metrics = await read_metrics(person.api, kind, address.namespace, address.name)
            facts, endpoints, tree_lines = None, None, None
            if problem == "" and obj is not None:
                facts = object_facts(kind, obj, related, slices, address.tab)
            elif problem == "" and cached is not None:
                # The object did not change, but its owners, children or endpoints may have.
                current = with_kind(cached, kind)
                endpoints = overview(current, endpoint_slices=slices).endpoints
                tree_lines = _tree_lines(current, related) if address.tab == "tree" else None
            yield DetailUpdate(
                own.status.state, problem, facts, replaced, endpoints, tree_lines, events=events, metrics=metrics
            )


__all__ = [
    "DetailAddress",
    "DetailOpening",
    "DetailUpdate",
    "MetricsReading",
    "ObjectFacts",
    "TabLink",
    "follow_detail",
    "metrics_path",
    "object_facts",
    "open_detail",
    "read_metrics",
    "reveal_values",
]
