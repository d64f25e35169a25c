"""The process's compliance: one Scorecard kept live by one feed, and its history recorded.

Started by the app's lifespan after the cluster connection; pages read `current()`. Outcome changes are
queued by the feed (synchronously, as they are applied) and written by one task; a sample of every scope's
tally is written on change (at most once a second) and every 5 minutes; history older than the retention
is pruned hourly.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from console.compliance.feed import ComplianceFeed
from console.compliance.history import SAMPLE_INTERVAL_SECONDS, HistoryRecorder, HistoryStore
from console.compliance.model import OutcomeChange
from console.compliance.scorecard import Scorecard
from console.kube.watch_cache import WatchCache

log = logging.getLogger(__name__)

_SAMPLE_DEBOUNCE_SECONDS = 1.0
_PRUNE_EVERY_SECONDS = 3600.0


class ComplianceUnavailable(RuntimeError):
    """Compliance cannot be shown now (the message says why)."""


class HistoryWrites:
    """Moves each time history was written: pages redraw their trend and "why" then, since the scorecard
    moved about a second before its changes were stored."""

    def __init__(self) -> None:
        self.revision = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        self.revision += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, after_revision: int, timeout: float | None) -> int:
        if self.revision <= after_revision:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout)
        return self.revision


@dataclass(slots=True)
class ComplianceRuntime:
    scorecard: Scorecard
    feed: ComplianceFeed
    history: HistoryRecorder | None  # None: no database (history and "why" are not shown)
    history_writes: HistoryWrites


_runtime: ComplianceRuntime | None = None
_problem = "compliance is starting"


def current() -> ComplianceRuntime:
    if _runtime is None:
        raise ComplianceUnavailable(_problem)
    return _runtime


class _Recorder:
    """Writes what the feed reports to the history, off the feed's path."""

    def __init__(
        self,
        history: HistoryRecorder,
        scorecard: Scorecard,
        feed: ComplianceFeed,
        clock: Callable[[], float],
        writes: HistoryWrites,
    ):
        self.history, self.scorecard, self.feed, self.clock, self.writes = history, scorecard, feed, clock, writes
        self.pending: list[OutcomeChange] = []
        self.wakeup = asyncio.Event()
        # Until the first sample (the baseline), outcomes "move" only because this process is reading the
        # cluster for the first time: those are not changes of the Sovereign and are not recorded.
        self.baselined = False

    def queue(self, changes: list[OutcomeChange]) -> None:
        self.pending.extend(changes)
        self.wakeup.set()

    async def _write(self, force: bool) -> None:
        if self.feed.status not in ("live", "reconnecting"):  # never sample a half-listed cluster as its score
            return
        changes, self.pending = self.pending, []
        recorded = bool(changes) and self.baselined
        if recorded:
            await self.history.record_changes(changes)
        written = await self.history.sample(
            self.scorecard.scope_tallies(), self.clock(), force=force or not self.baselined
        )
        self.baselined = True
        if recorded or written:
            self.writes.bump()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_sample = loop.time()
        next_prune = loop.time()
        revision = -1
        while True:
            try:
                timeout = max(0.0, next_sample - loop.time())
                waiting = asyncio.ensure_future(self.feed.wait_changed(revision, timeout))
                woken = asyncio.ensure_future(self.wakeup.wait())
                await asyncio.wait({waiting, woken}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                woken.cancel()
                self.wakeup.clear()
                await asyncio.sleep(_SAMPLE_DEBOUNCE_SECONDS)  # a burst of report changes is one sample
                revision = self.scorecard.revision
                force = loop.time() >= next_sample
                await self._write(force)
                if force:
                    next_sample = loop.time() + SAMPLE_INTERVAL_SECONDS
                if loop.time() >= next_prune:
                    await self.history.prune(self.clock())
                    next_prune = loop.time() + _PRUNE_EVERY_SECONDS
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be down for a while: keep scoring, retry the history later
                log.exception("cannot write the compliance history; retrying in 30 s")
                await asyncio.sleep(30)


async def _freeze_after_sync(feed: ComplianceFeed) -> None:
    """Once the first reports are in, move them out of the garbage collector's way: they live long, and
    full collections over 100,000 findings were half the cost of building the scorecard."""
    revision = 0
    while feed.status == "loading":
        revision = await feed.wait_changed(revision, 60)
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def compliance_lifespan(
    cache: WatchCache, history_store: HistoryStore | None, clock: Callable[[], float] = time.time
) -> AsyncIterator[ComplianceRuntime]:
    """Score the cluster behind `cache` for the life of the process."""
    global _runtime, _problem
    scorecard = Scorecard()
    history = HistoryRecorder(history_store) if history_store is not None else None
    recorder: _Recorder | None = None

    def record(changes: list[OutcomeChange]) -> None:
        if recorder is not None:
            recorder.queue(changes)

    feed = ComplianceFeed(cache, scorecard, record if history is not None else None, clock=clock)
    writes = HistoryWrites()
    tasks = [asyncio.create_task(feed.run(), name="compliance feed")]
    if history is not None:
        recorder = _Recorder(history, scorecard, feed, clock, writes)
        tasks.append(asyncio.create_task(recorder.run(), name="compliance history"))
    tasks.append(asyncio.create_task(_freeze_after_sync(feed), name="compliance gc freeze"))
    _runtime = ComplianceRuntime(scorecard, feed, history, writes)
    try:
        yield _runtime
    finally:
        _runtime, _problem = None, "the console is shutting down"
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def unavailable(problem: str) -> None:
    """Say why compliance is not running (e.g. no cluster connection)."""
    global _problem
    _problem = problem
