"""The cloud list view of one kind: a live window of rows served from the shared watch cache."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import reflex as rx

from console.kube import runtime
from console.kube.access import visible_objects
from console.kube.kinds import Kind, KindNotFound, RenderContext, Row
from console.kube.listing import list_page
from console.kube.registry import DEFAULT_KIND_ID, kind_for
from console.settings import get_settings
from console.state.connection import tab_connected
from console.state.session import SessionState, current_person

# At most four deltas a second reach a browser, however fast the cluster changes.
_MIN_PUSH_INTERVAL = 0.25
# AGE cells move with the clock even when nothing else changes.
_AGE_REFRESH_SECONDS = 30.0
# Rows shown until paging arrives with the full list view.
_WINDOW = 200


def _row_view(row: Row) -> dict[str, str]:
    return {**row.cells, "key": row.key, "tone": row.tone}


class CloudListState(rx.State):
    """One kind's rows as the browser shows them; the full set stays in the process-wide cache."""

    kind_id: str = DEFAULT_KIND_ID
    kind_title: str = "Namespaces"
    columns: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    total: int = 0
    live_status: str = "connecting…"
    live_state: str = "connecting"
    loading: bool = True
    error: str = ""
    _generation: int = 0

    @rx.event
    def open_list(self):
        """Page load: pick the kind from the URL and start following it."""
        requested = self.router.url.query_parameters.get("kind", "") or DEFAULT_KIND_ID
        self._generation += 1
        try:
            kind = kind_for(requested)
        except KindNotFound:
            self.kind_id, self.kind_title, self.columns, self.rows, self.total = requested, requested, [], [], 0
            self.loading = False
            self.error = f"Unknown kind “{requested}”. Choose a kind from the list."
            return None
        self._show_kind(kind)
        return CloudListState.follow

    def _show_kind(self, kind: Kind) -> None:
        self.kind_id, self.kind_title = kind.id, kind.title
        self.columns = [{"key": column.key, "title": column.title} for column in kind.columns]
        self.rows, self.total, self.error = [], 0, ""
        self.loading, self.live_state, self.live_status = True, "connecting", "connecting…"

    @rx.event(background=True)
    async def follow(self):
        """Push the visible rows whenever the kind's cache moves, until the tab leaves or changes kind."""
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
        kind = kind_for(kind_id)
        person_api = kube.api.as_person(acting_as)
        async with kube.cache.subscribe(kind.resource) as watch:
            seen, pushed_at = -1, 0.0
            loop = asyncio.get_running_loop()
            checked_at = loop.time()
            while tab_connected(client_token):
                revision = await watch.wait_changed(seen, timeout=_AGE_REFRESH_SECONDS)
                if revision == seen and loop.time() - pushed_at < _AGE_REFRESH_SECONDS:
                    continue
                if loop.time() - checked_at > _AGE_REFRESH_SECONDS:
                    # Sessions end (sign-out, failed refresh): stop serving a person who is gone.
                    if await current_person(cookie_header) is None:
                        yield SessionState.check
                        return
                    checked_at = loop.time()
                visible = await visible_objects(
                    kube.reviews, person_api, identity.kube_user, kind.resource, kind.namespaced, watch.objects()
                )
                context = RenderContext(now=datetime.now(UTC), cluster_id=get_settings().cluster_id)
                page = list_page(kind, visible, context, _WINDOW)
                status = watch.status
                async with self:
                    if self._generation != generation:
                        return
                    self.rows = [_row_view(row) for row in page.rows]
                    self.total = page.total
                    self.live_state, self.live_status = status.state, status.describe()
                    self.loading = not watch.synced and status.state != "error"
                seen, pushed_at = revision, loop.time()
                await asyncio.sleep(_MIN_PUSH_INTERVAL)
