"""`/cloud/resource/<kind>/<ns or _>/<name>/<tab>`: one object, read as the signed-in person, kept live.

What to show comes from `console.kube.detail_service`; this state holds what is on screen and forwards.
"""

from __future__ import annotations

import asyncio
import contextlib

import reflex as rx

from console.audit import AuditNotWritable, audit_log
from console.kube import runtime
from console.kube.capabilities import Capability
from console.kube.detail_service import (
    DetailAddress,
    DetailUpdate,
    ObjectFacts,
    follow_detail,
    open_detail,
)
from console.kube.detail_service import reveal_values as reveal_secret_values
from console.kube.kinds import KindNotFound
from console.kube.secrets import RevealFailed
from console.pages.cloud_graph.links import focus_href
from console.state.connection import tab_connected
from console.state.session import person_for
from console.state.timing import timed_event
from console.topology.model import node_id

# At most four deltas a second reach a browser, however fast the object and its neighbours change.
_MIN_PUSH_INTERVAL = 0.25
SIGN_IN_TO_REVEAL = "Sign in again to reveal values."


class ResourceDetailState(rx.State):
    kind_id: str = ""
    kind_title: str = ""
    namespace: str = ""
    object_name: str = ""
    tab: str = "overview"
    tabs: list[dict[str, str]] = []  # {"id", "title", "href"} of the tabs that apply to this kind
    loading: bool = True
    problem: str = ""  # "Not Found", "You may not view …", or a plain error
    list_href: str = "/cloud?view=list"
    live_state: str = "connecting"
    desired_replicas: str = ""  # what the Scale form starts from ("" for kinds without replicas)
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
    shows_secret_values: bool = False  # the kind has values to reveal (a Secret's): the overview has a section
    can_reveal: bool = False  # … and the person may `get` it (SelfSubjectAccessReview as them)
    revealed: list[dict[str, str]] = []  # {"key", "value", "binary"} after an explicit, audited reveal
    graph_href: str = ""  # the architecture graph focused on this object ("" when its kind is not drawn)
    breaks_href: str = ""  # … showing what breaks if it breaks
    reveal_message: str = ""
    _generation: int = 0

    def _address(self) -> DetailAddress:
        return DetailAddress(self.kind_id, self.namespace, self.object_name, self.tab)

    @timed_event
    async def load(self):
        """Page load (also on a tab switch): read the object as the person, then follow it."""
        self._generation += 1
        self.loading, self.problem, self.live_state = True, "", "connecting"
        self.events, self.events_loaded, self.tree_nodes, self.metrics_rows, self.metrics_note = [], False, [], [], ""
        self.shows_secret_values, self.can_reveal, self.revealed, self.reveal_message = False, False, [], ""
        self.reconcile = {}
        self.graph_href, self.breaks_href = "", ""
        address = DetailAddress.from_path(self.router.url.path)
        if address is None:
            self.loading, self.problem = False, "Not Found"
            return None
        self.kind_id, self.namespace, self.object_name = address.kind_id, address.namespace, address.name
        self.list_href = address.list_href
        try:
            kube = runtime.current()
            person = await person_for(self.router.headers.cookie, kube)
            opening = await open_detail(kube.catalog, person, address)
        except runtime.KubeUnavailable as problem:
            self.loading, self.problem = False, str(problem)
            return None
        self.loading, self.problem, self.tab = False, opening.problem, opening.tab
        self.tabs = [tab.as_dict() for tab in opening.tabs]
        if opening.kind is not None:
            self.kind_title = opening.kind.title
            self.shows_secret_values = Capability.REVEAL in opening.kind.capabilities
            if opening.kind.graph is not None:  # the kind is a node type of the architecture graph
                node = node_id(opening.kind.id, address.namespace, address.name)
                self.graph_href, self.breaks_href = focus_href(node, "both"), focus_href(node, "dependents")
        if opening.facts is None:
            return None
        self._show(opening.facts)
        self.can_reveal = opening.can_reveal
        return ResourceDetailState.follow

    @timed_event
    async def reveal_values(self):
        """The Secret's values, read as the person on their explicit request; audited (never the values)."""
        self.revealed, self.reveal_message = [], ""
        try:
            kube = runtime.current()
            person = await person_for(self.router.headers.cookie, kube)
            if person is None:
                self.reveal_message = SIGN_IN_TO_REVEAL
                return
            kind = await kube.catalog.find(self.kind_id)
            values = await reveal_secret_values(person, kind, self._address(), audit_log())
        except runtime.KubeUnavailable as problem:
            self.reveal_message = str(problem)
            return
        except KindNotFound:
            self.reveal_message = f"Unknown kind “{self.kind_id}”."
            return
        except AuditNotWritable as problem:
            self.reveal_message = problem.message
            return
        except RevealFailed as failure:
            self.reveal_message = failure.message
            if failure.denied:
                self.can_reveal = False
            return
        self.revealed = [{"key": v.key, "value": v.value, "binary": "true" if v.binary else ""} for v in values]
        if not values:
            self.reveal_message = "This Secret has no data."

    @timed_event
    def hide_values(self):
        self.revealed, self.reveal_message = [], ""

    def _show(self, facts: ObjectFacts) -> None:
        self.desired_replicas = facts.wanted_replicas
        shown = facts.overview
        self.fields, self.containers, self.init_containers = shown.fields, shown.containers, shown.init_containers
        self.ports, self.endpoints, self.keys = shown.ports, shown.endpoints, shown.keys
        self.labels, self.annotations, self.conditions = shown.labels, shown.annotations, shown.conditions
        self.owners = facts.owners
        if facts.reconcile:
            self.reconcile = facts.reconcile
        if facts.tree is not None:
            self.tree_nodes = facts.tree

    def _apply(self, update: DetailUpdate) -> None:
        self.live_state = update.live_state
        if update.problem is not None:
            self.problem = update.problem
        if update.facts is not None:
            if self.revealed and update.replaced:
                self.revealed, self.reveal_message = [], "The Secret changed: reveal again."
            self._show(update.facts)
        if update.endpoints is not None:
            self.endpoints = update.endpoints
        if update.tree is not None:
            self.tree_nodes = update.tree
        if update.events is not None:
            self.events, self.events_loaded = update.events, True
        if update.metrics is not None:
            self.metrics_rows, self.metrics_note = update.metrics.rows, update.metrics.note

    @rx.event(background=True)
    async def follow(self):
        """Re-read the object whenever the kind's shared cache moves, until the tab leaves or the page changes."""
        async with self:
            generation, address = self._generation, self._address()
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        try:
            kube = runtime.current()
            kind = await kube.catalog.find(address.kind_id)
        except (runtime.KubeUnavailable, KindNotFound):
            return
        person = await person_for(cookie_header, kube)
        if person is None:
            return
        async with contextlib.aclosing(follow_detail(kube.cache, person, kind, address)) as updates:
            async for update in updates:
                if not tab_connected(client_token):
                    return
                async with self:
                    if self._generation != generation:
                        return
                    self._apply(update)
                await asyncio.sleep(_MIN_PUSH_INTERVAL)
