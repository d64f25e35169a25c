"""The cloud list view of one kind: a live, queried page of rows served from the shared watch cache."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import reflex as rx

from console.kube import runtime
from console.kube.kinds import Kind, KindNotFound, Row
from console.kube.list_service import ListView, Person, list_view, visible_count
from console.kube.query import ListQuery, QueryError
from console.kube.registry import DEFAULT_KIND_ID, KINDS, kind_for
from console.kube.watch_cache import KindWatch, WatchCache, wait_any
from console.pages.cloud_list.kind_menu import chip, matching, more_entries
from console.settings import get_settings
from console.state.connection import tab_connected
from console.state.keyboard import STATIC_ALIASES, KeyboardState, kind_aliases
from console.state.scope import ScopeState, scope_filter
from console.state.session import SessionState, current_person
from console.state.timing import timed_event
from console.state.wakeups import forget, wake, wakeup_for

# At most four deltas a second reach a browser, however fast the cluster changes.
_MIN_PUSH_INTERVAL = 0.25
# AGE cells move with the clock even when nothing else changes; sessions are re-checked as often.
_AGE_REFRESH_SECONDS = 30.0
PAGE_SIZE = 50


def _row_view(kind: Kind, row: Row) -> dict[str, str]:
    view = {**row.cells, "key": row.key, "tone": row.tone}
    for column, tone in row.cell_tones.items():
        view[f"tone:{column}"] = tone
    for column, href in row.links.items():
        view[f"href:{column}"] = href
    if kind.opens_detail:
        view["act:namespace"], view["act:name"] = row.namespace or "", row.name
        # The scale dialog starts from the wanted count the kind declares ("" for kinds without replicas).
        view["act:replicas"] = "" if row.wanted_replicas is None else str(row.wanted_replicas)
        view["href"] = f"/cloud/resource/{kind.id}/{row.namespace or '_'}/{row.name}/overview"
    return view


@contextlib.asynccontextmanager
async def _watching(cache: WatchCache, kind: Kind) -> AsyncIterator[KindWatch | None]:
    if kind.resource is None:
        yield None
        return
    async with cache.subscribe(kind.resource) as watch:
        yield watch


class CloudListState(rx.State):
    """One kind's visible page as the browser shows it; the full set stays in the process-wide cache."""

    kind_id: str = DEFAULT_KIND_ID
    kind_title: str = "Namespaces"
    columns: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total: int = 0
    matched: int = 0
    page: int = 0
    pages: int = 1
    live_status: str = "connecting…"
    live_state: str = "connecting"
    loading: bool = True
    error: str = ""
    notice: str = ""
    notice_tone: str = "muted"
    chips: list[dict[str, str]] = [chip(kind, None) for kind in KINDS.values() if kind.primary]
    more_kinds: list[dict[str, str]] = matching(more_entries(KINDS.values()), "")  # what the More menu shows
    more_search: str = ""
    filter_text: str = ""
    label_selector: str = ""
    query_error: str = ""
    sort_key: str = ""
    descending: bool = False
    kind_filter_columns: list[dict[str, str]] = []  # {"column", "title", "value"}
    kind_filter_options: dict[str, list[str]] = {}
    last_kind: str = rx.LocalStorage("", name="sov-cloud-list-kind")
    row_actions: bool = False  # rows are objects the person may act on (a ⋯ menu at the end of each row)
    kind_aliases: dict[str, str] = STATIC_ALIASES  # the `:` switcher's names (registered and discovered kinds)
    _generation: int = 0
    _kind_filters: dict[str, str] = {}
    _more_entries: list[dict[str, str]] = more_entries(KINDS.values())  # every kind the More menu can offer

    @timed_event
    async def open_list(self):
        """Page load: the kind from the URL (else the last one this browser used) and start following it."""
        requested = self.router.url.query_parameters.get("kind", "") or self.last_kind or DEFAULT_KIND_ID
        return await self._open(requested)

    @timed_event
    def close_list(self):
        """The graph took the page over: a running follow loop ends now (it checks the generation on waking)."""
        self._generation += 1
        wake(self.router.session.client_token)

    @timed_event
    async def switch_kind(self, kind_id: str):
        """A chip or the More menu: show another kind here, and put it in the address bar."""
        events = await self._open(kind_id)
        return [rx.redirect(f"/cloud?view=list&kind={kind_id}", replace=False), *(events or [])]

    @timed_event
    def set_more_search(self, text: str):
        """The More menu's search box: narrow its entries as the person types."""
        self.more_search = text
        self.more_kinds = matching(self._more_entries, text)

    @timed_event
    def keyboard_command(self, command: str):
        """The list's keys: `:` + a kind → that kind here; `?` → the key map."""
        if command.startswith("kind:"):
            return CloudListState.switch_kind(command.removeprefix("kind:"))
        return KeyboardState.command(command)

    async def _open(self, requested: str):
        self._generation += 1
        kind: Kind | None
        try:
            catalog = runtime.current().catalog
            kinds = await catalog.kinds()
            kind = await catalog.find(requested)  # printed kinds come with the server's columns
        except runtime.KubeUnavailable:
            kinds, kind = KINDS, KINDS.get(requested)
        except KindNotFound:
            kind = None
        self._more_entries = more_entries(kinds.values())
        self.more_search, self.more_kinds = "", matching(self._more_entries, "")
        self.kind_aliases = kind_aliases(kinds)
        if kind is None:
            self.kind_id, self.kind_title, self.columns, self.rows, self.total, self.matched = (
                requested,
                requested,
                [],
                [],
                0,
                0,
            )
            self.loading, self.row_actions = False, False
            # Nothing is watched for it: no live status (a "connecting…" that never ends would be a lie).
            self.live_state, self.live_status = "none", ""
            self.error = f"Unknown kind “{requested}”. Choose a kind from the list."
            return None
        self.last_kind = kind.id
        self.kind_id, self.kind_title = kind.id, kind.title
        self.row_actions = kind.opens_detail and kind.resource is not None
        self.columns = [{"key": c.key, "title": c.title, "display": c.display} for c in kind.columns]
        self.rows, self.total, self.matched, self.page, self.error, self.notice = [], 0, 0, 0, "", ""
        self.filter_text, self.label_selector, self.query_error, self.sort_key, self.descending = "", "", "", "", False
        self._kind_filters = {}
        self.kind_filter_columns = [{"column": f.column, "title": f.title, "value": ""} for f in kind.filters]
        self.kind_filter_options = {}
        self.loading, self.live_state, self.live_status = True, "connecting", "connecting…"
        return [ScopeState.load_choices, CloudListState.follow]

    def _query(self, namespace: str) -> ListQuery:
        return ListQuery(
            text=self.filter_text,
            selector=self.label_selector,
            namespace=namespace,
            sort=self.sort_key,
            descending=self.descending,
            page=self.page,
            page_size=PAGE_SIZE,
            filters=tuple(sorted(self._kind_filters.items())),
        )

    def _show(self, kind: Kind, view: ListView, watch: KindWatch | None) -> None:
        result = view.result
        self.rows = [_row_view(kind, row) for row in result.rows]
        self.total, self.matched, self.page, self.pages = result.total, result.matched, result.page, result.pages
        self.notice, self.notice_tone = view.notice, view.notice_tone
        self.kind_filter_options = {column: sorted(values) for column, values in result.counts.items()}
        if watch is None:
            self.live_state, self.live_status, self.loading = "live", "no source", False
        else:
            self.live_state, self.live_status = watch.status.state, watch.status.describe()
            self.loading = not watch.synced and watch.status.state != "error"

    async def _refresh_now(self) -> None:
        """Recompute the page at once after the person changed the query (the follow loop does live updates)."""
        person = await current_person(self.router.headers.cookie)
        if person is None:
            return
        identity, acting_as = person
        try:
            kube = runtime.current()
        except runtime.KubeUnavailable:
            return
        try:
            kind = await kube.catalog.find(self.kind_id)
        except KindNotFound:
            return  # the page already says the kind is unknown
        scope = await self.get_state(ScopeState)
        namespace, scope_namespaces = await scope_filter(scope.scope)
        try:
            query = self._query(namespace)
            async with _watching(kube.cache, kind) as watch:
                view = await list_view(
                    kind,
                    watch,
                    Person(identity.kube_user, kube.api.as_person(acting_as), kube.reviews),
                    query,
                    get_settings().cluster_id,
                    server_version=await kube.server_version.text(),
                    scope=scope_namespaces,
                )
        except QueryError as problem:
            self.query_error = str(problem)
            return
        self.query_error = ""
        self._show(kind, view, watch)

    @timed_event
    async def set_filter_text(self, text: str):
        self.filter_text, self.page = text, 0
        await self._refresh_now()

    @timed_event
    async def set_label_selector(self, text: str):
        self.label_selector, self.page = text, 0
        await self._refresh_now()

    @timed_event
    async def sort_by(self, column: str):
        """Sort by a column; choosing it again flips the order."""
        if self.sort_key == column:
            self.descending = not self.descending
        else:
            self.sort_key, self.descending = column, False
        await self._refresh_now()

    @timed_event
    async def go_to_page(self, page: int):
        self.page = max(0, min(int(page), self.pages - 1))
        await self._refresh_now()

    @timed_event
    async def set_kind_filter(self, column: str, value: str):
        if value in ("", "all"):
            self._kind_filters.pop(column, None)
        else:
            self._kind_filters[column] = value
        self.kind_filter_columns = [
            {**entry, "value": self._kind_filters.get(entry["column"], "")} for entry in self.kind_filter_columns
        ]
        self.page = 0
        await self._refresh_now()

    @rx.event(background=True)
    async def follow(self):
        """Push the visible page whenever the kind's cache moves, until the tab leaves or opens another list."""
        async with self:
            generation, kind_id = self._generation, self.kind_id
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        person = await current_person(cookie_header)
        if person is None:
            return  # SessionState.check, also on this page's load, sends the person to sign in
        identity, acting_as = person
        try:
            kube = runtime.current()
        except runtime.KubeUnavailable as problem:
            async with self:
                self.loading, self.live_state, self.live_status = False, "error", "not connected"
                self.error = str(problem)
            return
        try:
            kind = await kube.catalog.find(kind_id)
        except KindNotFound:
            return  # `_open` said so; nothing to follow
        viewer = Person(identity.kube_user, kube.api.as_person(acting_as), kube.reviews)
        chip_kinds = [primary for primary in KINDS.values() if primary.primary and primary.resource is not None]
        loop = asyncio.get_running_loop()
        async with contextlib.AsyncExitStack() as stack:
            watch = await stack.enter_async_context(_watching(kube.cache, kind))
            chip_watches = {
                primary.id: await stack.enter_async_context(_watching(kube.cache, primary)) for primary in chip_kinds
            }
            watched = [w for w in (watch, *chip_watches.values()) if w is not None]
            seen = {id(w): -1 for w in watched}
            checked_at = loop.time()
            first = True
            while tab_connected(client_token):
                if not first:
                    await wait_any(watched, seen, _AGE_REFRESH_SECONDS, wakeup_for(client_token))
                    if loop.time() - checked_at > _AGE_REFRESH_SECONDS:
                        if await current_person(cookie_header) is None:
                            yield SessionState.check
                            return
                        checked_at = loop.time()
                first = False
                for w in watched:
                    seen[id(w)] = w.revision
                async with self:
                    if self._generation != generation:
                        return
                    scope_value = (await self.get_state(ScopeState)).scope
                namespace, scope_namespaces = await scope_filter(scope_value)
                async with self:
                    query = self._query(namespace)
                try:
                    view = await list_view(
                        kind,
                        watch,
                        viewer,
                        query,
                        get_settings().cluster_id,
                        server_version=await kube.server_version.text(),
                        scope=scope_namespaces,
                    )
                except QueryError:
                    view = None
                counts = {
                    chip_id: await visible_count(
                        kind_for(chip_id), chip_watch, viewer, get_settings().cluster_id, namespace, scope_namespaces
                    )
                    for chip_id, chip_watch in chip_watches.items()
                    if chip_watch is not None and chip_watch.synced
                }
                async with self:
                    if self._generation != generation:
                        return
                    if view is not None:
                        self._show(kind, view, watch)
                    self.chips = [chip(kind, counts.get(kind.id)) for kind in KINDS.values() if kind.primary]
                await asyncio.sleep(_MIN_PUSH_INTERVAL)
            forget(client_token)  # the tab is gone
