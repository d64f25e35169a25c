"""`/cloud/resource/<kind>/<ns or _>/<name>/<tab>`: one object, read as the signed-in person, kept live."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

import reflex as rx

from console.kube import runtime
from console.kube.access import visible_objects
from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.events import events_for
from console.kube.kinds import Kind, KindNotFound
from console.kube.objects import cache_key, namespace_of, resource_version_of
from console.kube.overview import overview
from console.kube.reconcile import reconcile_facts
from console.kube.registry import KINDS
from console.kube.secrets import RevealFailed, may_reveal, reveal
from console.kube.tree import detail_href, kind_id_for, owner_chain, tree, with_kind
from console.kube.usage import METRICS_GROUP_VERSION, metrics_path, usage_rows
from console.kube.watch_cache import KindWatch
from console.state.connection import tab_connected
from console.state.session import current_person

EVENTS = ResourcePath("", "v1", "events")
# Kinds whose objects own, or are owned by, the usual workloads: the tree and the owner chain read them.
RELATED_KIND_IDS = ("deployments", "statefulsets", "daemonsets", "replicasets", "pods")
ENDPOINT_SLICES = KINDS["endpointslices"]
NO_METRICS = "metrics API not available on this cluster"
_METRICS_REFRESH_SECONDS = 15.0
_MIN_PUSH_INTERVAL = 0.25
EVENT_TABS = frozenset({"events", "reconcile"})  # tabs that list the object's Events
FLUX_API_MARK = ".toolkit.fluxcd.io/"  # in a Flux object's apiVersion


class TabRule(Protocol):
    """What the state needs of a detail tab: its id, title and whether it applies to a kind."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def applies(self) -> Callable[[Kind], bool]: ...


_TAB_RULES: list[Sequence[TabRule]] = [()]


def offer_tabs(tabs: Sequence[TabRule]) -> None:
    """Use this (live) list of tabs, in order: the page's tab registry hands it over at import."""
    _TAB_RULES[0] = tabs


def _path_parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


async def _wait_any(watches: list[KindWatch], seen: dict[int, int], timeout: float) -> None:
    if any(w.revision > seen[id(w)] for w in watches):
        return
    waiters = [asyncio.ensure_future(w.wait_changed(seen[id(w)], timeout=timeout)) for w in watches]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _is_secret(kind: Kind) -> bool:
    return kind.kind == "Secret" and kind.resource is not None and not kind.resource.group


def _problem_of(error: KubeApiError, kind: Kind) -> str:
    if error.status == 404:
        return "Not Found"
    if error.status == 403:
        return f"You may not view this {kind.kind}: {error.message}"
    return error.message


class ResourceDetailState(rx.State):
    kind_id: str = ""
    kind_title: str = ""
    kind_kind: str = ""
    namespace: str = ""
    object_name: str = ""
    tab: str = "overview"
    tabs: list[dict[str, str]] = []  # {"id", "title", "href"} of the tabs that apply to this kind
    loading: bool = True
    problem: str = ""  # "Not Found", "You may not view …", or a plain error
    list_href: str = "/cloud?view=list"
    live_state: str = "connecting"
    desired_replicas: str = ""
    fields: list[dict[str, str]] = []
    containers: list[dict[str, str]] = []
    init_containers: list[dict[str, str]] = []
    ports: list[str] = []
    endpoints: list[str] = []
    keys: list[str] = []
    labels: list[str] = []
    annotations: list[str] = []
    conditions: list[dict[str, str]] = []
    owners: list[dict[str, str]] = []  # {"kind", "name", "href"}, top owner first
    events: list[dict[str, str]] = []
    events_loaded: bool = False
    tree_nodes: list[dict[str, str]] = []
    metrics_rows: list[dict[str, str]] = []
    metrics_note: str = ""
    reconcile: dict[str, str] = {}  # a Flux object's reconcile facts (console.kube.reconcile)
    can_reveal: bool = False  # a Secret the person may `get` (SelfSubjectAccessReview as them)
    revealed: list[dict[str, str]] = []  # {"key", "value", "binary"} after an explicit, audited reveal
    reveal_message: str = ""
    _generation: int = 0

    @rx.event
    async def load(self):
        """Page load (also on a tab switch): read the object as the person, then follow it."""
        self._generation += 1
        parts = _path_parts(self.router.url.path)
        self.loading, self.problem, self.live_state = True, "", "connecting"
        self.events, self.events_loaded, self.tree_nodes, self.metrics_rows, self.metrics_note = [], False, [], [], ""
        self.can_reveal, self.revealed, self.reveal_message = False, [], ""
        self.reconcile = {}
        if len(parts) < 5:
            self.loading, self.problem = False, "Not Found"
            return None
        _, _, self.kind_id, namespace, self.object_name = parts[:5]
        requested_tab = parts[5] if len(parts) > 5 else "overview"
        self.namespace = "" if namespace == "_" else namespace
        self.list_href = f"/cloud?view=list&kind={self.kind_id}"
        try:
            kind = await runtime.current().catalog.find(self.kind_id)
        except KindNotFound:
            self.loading, self.problem, self.tabs = False, f"Unknown kind “{self.kind_id}”.", []
            return None
        except runtime.KubeUnavailable as problem:
            self.loading, self.problem = False, str(problem)
            return None
        self.kind_title, self.kind_kind = kind.title, kind.kind
        applicable = [(tab.id, tab.title) for tab in _TAB_RULES[0] if tab.applies(kind)]
        base = detail_href(self.kind_id, self.namespace, self.object_name, "").rstrip("/")
        self.tabs = [{"id": tab_id, "title": title, "href": f"{base}/{tab_id}"} for tab_id, title in applicable]
        self.tab = requested_tab if requested_tab in {tab_id for tab_id, _ in applicable} else "overview"
        person = await current_person(self.router.headers.cookie)
        if person is None or kind.resource is None:
            self.loading = False
            self.problem = "Not Found" if person else ""
            return None
        try:
            api = runtime.current().api.as_person(person[1])
            obj = await api.get(f"{kind.resource.collection(self.namespace)}/{self.object_name}")
        except runtime.KubeUnavailable as problem:
            self.loading, self.problem = False, str(problem)
            return None
        except KubeApiError as error:
            self.loading, self.problem = False, _problem_of(error, kind)
            return None
        self._show_object(with_kind(obj, kind), [], None)
        if _is_secret(kind) and self.namespace:
            kube = runtime.current()
            self.can_reveal = await may_reveal(
                kube.api.as_person(person[1]), kube.reviews, person[0].kube_user, self.namespace, self.object_name
            )
        self.loading = False
        return ResourceDetailState.follow

    @rx.event
    async def reveal_values(self):
        """The Secret's values, read as the person on their explicit request; audited (never the values)."""
        from console.state.detail_actions import audit_log  # that module reads this state

        self.revealed, self.reveal_message = [], ""
        person = await current_person(self.router.headers.cookie)
        if person is None or self.kind_kind != "Secret" or not self.namespace:
            self.reveal_message = "Sign in again to reveal values."
            return
        identity, acting_as = person
        try:
            api = runtime.current().api.as_person(acting_as)
            values = await reveal(api, self.namespace, self.object_name, audit=audit_log(), actor=identity.kube_user)
        except runtime.KubeUnavailable as problem:
            self.reveal_message = str(problem)
            return
        except RevealFailed as failure:
            self.reveal_message = failure.message
            if failure.denied:
                self.can_reveal = False
            return
        self.revealed = [{"key": v.key, "value": v.value, "binary": "true" if v.binary else ""} for v in values]
        if not values:
            self.reveal_message = "This Secret has no data."

    @rx.event
    def hide_values(self):
        self.revealed, self.reveal_message = [], ""

    def _show_object(self, obj: JsonObject, related: list[JsonObject], slices: list[JsonObject] | None) -> None:
        replicas = (obj.get("spec") or {}).get("replicas")
        self.desired_replicas = str(replicas) if isinstance(replicas, int) else ""
        facts = overview(obj, endpoint_slices=slices)
        self.fields, self.containers, self.init_containers = facts.fields, facts.containers, facts.init_containers
        self.ports, self.endpoints, self.keys = facts.ports, facts.endpoints, facts.keys
        self.labels, self.annotations, self.conditions = facts.labels, facts.annotations, facts.conditions
        by_uid = {str((o.get("metadata") or {}).get("uid")): o for o in related}
        owners = []
        for owner in reversed(owner_chain(obj, by_uid)):
            owner_kind_id = kind_id_for(str(owner.get("kind")), str(owner.get("apiVersion")))
            name = str((owner.get("metadata") or {}).get("name") or "")
            href = detail_href(owner_kind_id, namespace_of(owner), name) if owner_kind_id else ""
            owners.append({"kind": str(owner.get("kind") or ""), "name": name, "href": href})
        self.owners = owners
        if FLUX_API_MARK in str(obj.get("apiVersion") or ""):
            self.reconcile = reconcile_facts(obj)
        if self.tab == "tree":
            self.tree_nodes = [node.as_dict() for node in tree(obj, related, datetime.now(UTC))]

    @rx.event(background=True)
    async def follow(self):
        """Re-read the object whenever the kind's shared cache moves, until the tab leaves or the page changes."""
        async with self:
            generation, kind_id, namespace, name, tab = (
                self._generation,
                self.kind_id,
                self.namespace,
                self.object_name,
                self.tab,
            )
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        person = await current_person(cookie_header)
        if person is None:
            return
        identity, acting_as = person
        try:
            kube = runtime.current()
            kind = await kube.catalog.find(kind_id)
        except (runtime.KubeUnavailable, KindNotFound):
            return
        if kind.resource is None:
            return
        api = kube.api.as_person(acting_as)
        user = identity.kube_user
        related_kinds: dict[ResourcePath, Kind] = {kind.resource: kind}
        if tab in ("overview", "tree"):
            for related_id in RELATED_KIND_IDS:
                related = KINDS[related_id]
                if related.resource is not None:
                    related_kinds.setdefault(related.resource, related)
        if tab == "overview" and kind.kind == "Service" and ENDPOINT_SLICES.resource is not None:
            related_kinds.setdefault(ENDPOINT_SLICES.resource, ENDPOINT_SLICES)
        wanted = list(related_kinds) + ([EVENTS] if tab in EVENT_TABS else [])
        key = f"{namespace}/{name}" if namespace else name
        loop = asyncio.get_running_loop()
        async with contextlib.AsyncExitStack() as stack:
            watches = {path: await stack.enter_async_context(kube.cache.subscribe(path)) for path in wanted}
            own = watches[kind.resource]
            seen = {id(w): -1 for w in watches.values()}
            shown_version, metrics_at, first = "", -_METRICS_REFRESH_SECONDS, True
            while tab_connected(client_token):
                timeout = _METRICS_REFRESH_SECONDS if tab == "metrics" else 30.0
                if not first:
                    await _wait_any(list(watches.values()), seen, timeout)
                first = False
                for watch in watches.values():
                    seen[id(watch)] = watch.revision
                if not own.synced:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(own.wait_synced(), 10)
                cached = next((o for o in own.objects() if cache_key(o) == key), None)
                obj: JsonObject | None = None
                replaced = False
                problem = ""
                if own.synced and cached is None:
                    problem = "Not Found"
                elif cached is not None and resource_version_of(cached) != shown_version:
                    try:
                        obj = with_kind(await api.get(f"{kind.resource.collection(namespace)}/{name}"), kind)
                        replaced = shown_version != ""  # not the first read after load: the object changed
                        shown_version = resource_version_of(obj)
                    except KubeApiError as error:
                        problem = _problem_of(error, kind)
                related = await self._related(watches, related_kinds, namespace, api, kube, user)
                slices = [
                    o
                    for o in related
                    if o.get("kind") == "EndpointSlice"
                    and (o.get("metadata") or {}).get("labels", {}).get("kubernetes.io/service-name") == name
                ]
                event_rows = None
                if EVENTS in watches:
                    visible = await visible_objects(kube.reviews, api, user, EVENTS, True, watches[EVENTS].objects())
                    uid = str(((cached or {}).get("metadata") or {}).get("uid") or "")
                    event_rows = events_for(visible, kind.kind, namespace, name, uid, datetime.now(UTC))
                metrics = None
                if tab == "metrics" and loop.time() - metrics_at >= _METRICS_REFRESH_SECONDS:
                    metrics_at = loop.time()
                    metrics = await self._metrics(api, kind.kind, namespace, name)
                async with self:
                    if self._generation != generation:
                        return
                    self.live_state = own.status.state
                    if problem:
                        self.problem = problem
                    elif cached is not None:
                        self.problem = ""
                        if obj is not None:
                            if self.revealed and replaced:
                                self.revealed, self.reveal_message = [], "The Secret changed: reveal again."
                            self._show_object(obj, related, slices)
                        else:
                            self._refresh_related(kind, cached, related, slices)
                    if event_rows is not None:
                        self.events, self.events_loaded = event_rows, True
                    if metrics is not None:
                        self.metrics_rows, self.metrics_note = metrics
                await asyncio.sleep(_MIN_PUSH_INTERVAL)

    def _refresh_related(
        self, kind: Kind, cached: JsonObject, related: list[JsonObject], slices: list[JsonObject]
    ) -> None:
        """The object did not change, but its owners, children or endpoints may have."""
        facts = overview(with_kind(cached, kind), endpoint_slices=slices)
        self.endpoints = facts.endpoints
        if self.tab == "tree":
            self.tree_nodes = [node.as_dict() for node in tree(with_kind(cached, kind), related, datetime.now(UTC))]

    @staticmethod
    async def _related(
        watches: dict[ResourcePath, KindWatch],
        kinds: dict[ResourcePath, Kind],
        namespace: str,
        api: KubeApi,
        kube: runtime.KubeRuntime,
        user: str,
    ) -> list[JsonObject]:
        """Objects of the related kinds in the object's namespace that the person may list."""
        found: list[JsonObject] = []
        for path, kind in kinds.items():
            watch = watches.get(path)
            if watch is None:
                continue
            local = [o for o in watch.objects() if not namespace or namespace_of(o) == namespace]
            visible = await visible_objects(kube.reviews, api, user, path, kind.namespaced, local)
            found.extend(with_kind(o, kind) for o in visible)
        return found

    @staticmethod
    async def _metrics(api: KubeApi, kind: str, namespace: str, name: str) -> tuple[list[dict[str, str]], str]:
        path = metrics_path(kind, namespace, name)
        if not path:
            return [], "Metrics are shown for pods and nodes."
        try:
            return usage_rows(await api.get(path)), ""
        except KubeApiError as error:
            if error.status not in (404, 503):
                return [], error.message
        try:
            await api.get(METRICS_GROUP_VERSION)
        except KubeApiError:
            return [], NO_METRICS
        return [], "No metrics reported for this object yet."
