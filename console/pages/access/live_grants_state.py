"""What the live grant pages (the users list, one grant, the matrix) share: who is looking and their tier gate,
and the loop that pushes the shared cache's grants to the tab while it shows the page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import reflex as rx

from console.kube.kind_watch import KindWatch
from console.kube.watch_cache import ResourcePath
from console.pages.access.grant_viewer import AccessProblem, GrantViewer, follow_watches


@dataclass(frozen=True, slots=True)
class Push:
    """One push of the live loop: the person as the session says now, and the watches asked for."""

    viewer: GrantViewer
    watches: list[KindWatch]
    visit: int  # the page visit it is for: once the tab reopens the page, this loop's pushes are stale


class LiveGrantsState(rx.State, mixin=True):
    """The gate and the live loop of a grant page; each page adds what it shows."""

    loading: bool = True
    checked: bool = False  # the person's tier is known (until then nothing is offered)
    gate: str = ""  # why the person cannot see grants ("" when they can)
    problem: str = ""
    live_text: str = "connecting…"  # the watch's state, for the pages that show it
    _generation: int = 0  # the page visit: a loop started by an earlier visit stops at its next push

    def _restart(self) -> None:
        """A new visit of the page: nothing known yet, and any loop of an earlier visit made stale."""
        self._generation += 1
        self.loading, self.checked, self.gate, self.problem, self.live_text = True, False, "", "", "connecting…"

    def _hide_grants(self) -> None:
        """What a page clears besides showing the gate, once the person may no longer see grants."""

    async def _pushes(self, resources: Sequence[ResourcePath]) -> AsyncIterator[Push | None]:
        """From a background event: a push at once and after every change of `resources` (or wake-up of the tab),
        until the tab leaves. None: the session ended (the caller sends the person to sign in, and stops).

        A person below tier-admin gets the gate instead, a cluster that cannot be reached the problem; either
        ends the pushes. The caller checks `push.visit` against `_generation` before it shows a push.
        """
        async with self:
            visit = self._generation
            client_token, cookie_header = self.router.session.client_token, self.router.headers.cookie
        try:
            async for followed in follow_watches(client_token, cookie_header, resources):
                if followed is None:
                    yield None
                    return
                viewer, watches = followed
                if not viewer.may_see:
                    async with self:
                        if self._generation == visit:
                            self.gate, self.checked, self.loading = viewer.read_gate(), True, False
                            self._hide_grants()
                    return
                yield Push(viewer, watches, visit)
        except AccessProblem as problem:
            async with self:
                self.problem, self.loading, self.checked, self.live_text = str(problem), False, True, "idle"
