"""The audit log's change signal: readers (the live audit page) wait for a new record instead of re-reading.

A record written by this process wakes the waiters at once; records written by other replicas are noticed by
a cheap poll of the store's newest id, at most once per `poll_seconds` for the whole process however many
pages wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

__all__ = ["AuditChanges"]


class AuditChanges:
    """A revision that moves on every new record (this process's at once, other replicas' within a poll)."""

    def __init__(
        self,
        newest_id: Callable[[], Awaitable[int]],
        *,
        poll_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.revision = 0
        self._newest_id = newest_id
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._seen_id: int | None = None  # the store's newest id at the last poll (None: not polled yet)
        self._polled_at = float("-inf")
        self._polling: asyncio.Future[None] | None = None
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        """A record was written (by this process): move the revision and wake every waiter, whatever its loop."""
        self.revision += 1
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            waiter.get_loop().call_soon_threadsafe(_resolve, waiter)

    async def poll(self) -> int:
        """Read the store's newest id, unless it was read less than `poll_seconds` ago; the revision moves when
        it grew. Concurrent callers share one read. Returns the revision."""
        if self._clock() - self._polled_at >= self._poll_seconds:
            if self._polling is None or self._polling.get_loop() is not asyncio.get_running_loop():
                self._polling = asyncio.ensure_future(self._read())
            polling = self._polling
            try:
                await asyncio.shield(polling)
            finally:
                if polling.done() and self._polling is polling:
                    self._polling = None
        return self.revision

    async def _read(self) -> None:
        newest = await self._newest_id()
        self._polled_at = self._clock()
        if self._seen_id is not None and newest != self._seen_id:
            self.revision += 1
            waiters, self._waiters = self._waiters, set()
            for waiter in waiters:
                waiter.get_loop().call_soon_threadsafe(_resolve, waiter)
        self._seen_id = newest

    async def wait_changed(self, after_revision: int, timeout: float) -> int:
        """Wait until the revision passes `after_revision` (a record from here, or one another replica wrote
        and a poll found), or `timeout` seconds; returns the revision.

        Raises:
            Exception: whatever the store raised while polling (the caller shows it and tries again later).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        if self._seen_id is None:
            await self.poll()  # the first poll only learns where the store stands
        while self.revision <= after_revision:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter, min(self._poll_seconds, remaining))
            finally:
                self._waiters.discard(waiter)
            if self.revision <= after_revision:
                await self.poll()
        return self.revision


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
