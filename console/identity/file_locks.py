"""Exclusive locks shared by every process of one host, for the SQLite session store's token refreshes.

Keycloak rotates refresh tokens: two workers refreshing one session at once would sign the person out,
so the lock must hold across processes, not just across the tasks of one. Each key maps to one of a fixed
number of lock files (`fcntl.flock`), so the folder never grows with the number of sessions; two sessions
sharing a file only wait for each other briefly. The lock is taken by polling without blocking, so the
event loop never waits on it and a task cancelled while waiting leaves nothing held.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

__all__ = ["FileLocks", "LocalLocks"]

_FIRST_POLL_SECONDS = 0.005
_LONGEST_POLL_SECONDS = 0.05


class LocalLocks:
    """One asyncio lock per key, within this process; unused locks are dropped."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            yield


class FileLocks:
    """`hold(key)`: exclusive across the processes of this host (and the tasks of this process)."""

    def __init__(self, directory: Path, *, stripes: int = 64, timeout_seconds: float = 30.0) -> None:
        self._directory = directory
        self._stripes = stripes
        self._timeout = timeout_seconds
        # Tasks of this process queue here first: one poller per key, not one per waiting request.
        self._local = LocalLocks()
        directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        stripe = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % self._stripes
        return self._directory / f"{stripe:02d}.lock"

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Held until the block ends.

        Raises:
            TimeoutError: another process held it longer than the timeout (it is not taken then).
        """
        async with self._local.hold(key):
            descriptor = os.open(self.path_for(key), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                await self._acquire(descriptor, key)
                try:
                    yield
                finally:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)
            finally:
                os.close(descriptor)  # closing would release it too; unlocking first says so plainly

    async def _acquire(self, descriptor: int, key: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        pause = _FIRST_POLL_SECONDS
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            if loop.time() >= deadline:
                raise TimeoutError(f"the lock {self.path_for(key).name} was held for over {self._timeout:g} s")
            await asyncio.sleep(pause)  # another process holds it: look again shortly, the loop stays free
            pause = min(pause * 2, _LONGEST_POLL_SECONDS)
