"""The grant reconciler's work queue: keys (one per UserAccess), each queued at most once, never handed to two
workers at a time, retried with capped exponential backoff (as client-go's rate-limited work queue)."""

from __future__ import annotations

import asyncio

__all__ = ["WorkQueue"]


class WorkQueue:
    """Keys to reconcile. A key added while a worker holds it is queued again when that worker is done."""

    def __init__(self, *, base_delay: float = 0.5, max_delay: float = 60.0) -> None:
        self._ready: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()
        self._processing: set[str] = set()
        self._dirty: set[str] = set()  # added again while being processed
        self._failures: dict[str, int] = {}
        self._later: dict[str, tuple[asyncio.TimerHandle, float]] = {}
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._idle = asyncio.Event()
        self._idle.set()

    def __len__(self) -> int:
        return len(self._queued)

    def add(self, key: str) -> None:
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._queued:
            return
        self._queued.add(key)
        self._ready.put_nowait(key)
        self._idle.clear()

    def add_all(self, keys: set[str] | list[str]) -> None:
        for key in keys:
            self.add(key)

    def add_after(self, key: str, delay: float) -> None:
        """Queue `key` after `delay` seconds (an earlier pending timer for it wins)."""
        if key in self._later:
            return
        loop = asyncio.get_running_loop()
        self._later[key] = (loop.call_later(delay, self._fire, key), delay)

    def _fire(self, key: str) -> None:
        self._later.pop(key, None)
        self.add(key)

    def retry(self, key: str) -> float:
        """Queue `key` again after its backoff (doubling per failure, capped); returns the delay. A key whose
        retry is already pending keeps that one (and its failure count)."""
        if key in self._later:
            return self._later[key][1]
        failures = self._failures.get(key, 0) + 1
        self._failures[key] = failures
        delay = min(self._max_delay, self._base_delay * 2 ** (failures - 1))
        self.add_after(key, delay)
        return delay

    def forget(self, key: str) -> None:
        """`key` succeeded: its next failure starts the backoff over."""
        self._failures.pop(key, None)

    async def get(self) -> str:
        key = await self._ready.get()
        self._queued.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)
        if not self._queued and not self._processing:
            self._idle.set()

    @property
    def idle(self) -> bool:
        """Nothing queued and nothing being processed (retries waiting for their backoff do not count)."""
        return self._idle.is_set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def close(self) -> None:
        for handle, _ in self._later.values():
            handle.cancel()
        self._later.clear()
