"""The loop every open compliance page runs: wake on a scorecard change (or the tab's own wake-up), at
most four times a second, re-checking the person's session and access every 30 s."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from console.pages.compliance.viewer import ComplianceProblem, Viewer, viewer_for
from console.state.connection import tab_connected
from console.state.wakeups import forget, wakeup_for

MIN_PUSH_INTERVAL = 0.25
RECHECK_SECONDS = 30.0


async def _changed_or_woken(viewer: Viewer, revision: int, written: int, wakeup: asyncio.Event) -> None:
    """Until the scorecard moves, history is written (the trend and its "why"), or the tab wakes us."""
    compliance = viewer.compliance
    waits = {
        asyncio.ensure_future(compliance.feed.wait_changed(revision, RECHECK_SECONDS)),
        asyncio.ensure_future(compliance.history_writes.wait(written, RECHECK_SECONDS)),
        asyncio.ensure_future(wakeup.wait()),
    }
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
    wakeup.clear()


async def follow_scorecard(client_token: str, cookie_header: str) -> AsyncIterator[Viewer | None]:
    """Yields the viewer once at once and again after every change; yields None when the session ended
    (the caller then sends the person to sign in and stops).

    Raises:
        ComplianceProblem: compliance cannot be shown now (no cluster connection, not started).
    """
    viewer = await viewer_for(cookie_header)
    if viewer is None:
        yield None
        return
    loop = asyncio.get_running_loop()
    checked_at = loop.time()
    wakeup = wakeup_for(client_token)
    try:
        while tab_connected(client_token):
            revision, written = viewer.compliance.scorecard.revision, viewer.compliance.history_writes.revision
            yield viewer
            await asyncio.sleep(MIN_PUSH_INTERVAL)
            await _changed_or_woken(viewer, revision, written, wakeup)
            if loop.time() - checked_at > RECHECK_SECONDS:
                try:
                    renewed = await viewer_for(cookie_header)  # access may have changed; so may the session
                except ComplianceProblem:
                    renewed = None
                if renewed is None:
                    yield None
                    return
                viewer, checked_at = renewed, loop.time()
    finally:
        if not tab_connected(client_token):
            forget(client_token)  # the tab is gone (a reopened page keeps its wake-up)
