"""The shared watch cache: one list + watch per resource type per backend process, shared by every session.

Sessions never open their own watches; they subscribe here, read snapshots, and wait for the revision
to move. The cache fills itself as the console's own identity; filtering per user happens on read.
Kinds named at start (`keep`) are watched for the life of the process, as informers are; the others
start on their first subscriber and stop a grace period after their last.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable

from console.kube.api import KubeApi, ResourcePath
from console.kube.kind_watch import (
    VALUE_BEARING,
    CacheState,
    CacheStatus,
    KindWatch,
    without_values,
)

__all__ = [
    "VALUE_BEARING",
    "CacheState",
    "CacheStatus",
    "KindWatch",
    "WatchCache",
    "resource_from_id",
    "wait_any",
    "without_values",
]

log = logging.getLogger(__name__)


def resource_from_id(resource_id: str) -> ResourcePath:
    """`v1/pods` or `apps/v1/deployments` (group/version/plural, the core group without a group) as a path.

    Raises:
        ValueError: the id has not two or three non-empty parts.
    """
    parts = resource_id.strip().strip("/").split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"a resource id looks like v1/pods or apps/v1/deployments, not {resource_id!r}")
    group = parts[0] if len(parts) == 3 else ""
    return ResourcePath(group, parts[-2], parts[-1])


class WatchCache:
    """Every KindWatch of this process, started on first subscriber and stopped after a grace period."""

    def __init__(
        self,
        api: KubeApi,
        *,
        page_size: int = 500,
        grace_seconds: float = 30.0,
        max_backoff_seconds: float = 30.0,
        sync_timeout_seconds: float = 10.0,
    ) -> None:
        self._api = api
        self._page_size = page_size
        self._grace = grace_seconds
        self._max_backoff = max_backoff_seconds
        self._sync_timeout = sync_timeout_seconds
        self._watches: dict[ResourcePath, KindWatch] = {}
        self._tasks: dict[ResourcePath, asyncio.Task[None]] = {}
        self._subscribers: dict[ResourcePath, int] = {}
        self._stoppers: dict[ResourcePath, asyncio.TimerHandle] = {}
        self._kept: set[ResourcePath] = set()
        self._tables: set[ResourcePath] = set()  # resources watched in the server's Table form

    @property
    def api(self) -> KubeApi:
        """The console's own identity, which fills the cache."""
        return self._api

    def running(self) -> list[ResourcePath]:
        return list(self._tasks)

    def keep(self, resources: Iterable[ResourcePath]) -> list[KindWatch]:
        """Watch these kinds from now on for the life of the process (no grace-period stop)."""
        watches = []
        for resource in resources:
            if resource not in self._kept:
                self._kept.add(resource)
                watches.append(self.acquire(resource))  # never released
        return watches

    def print_tables(self, resources: Iterable[ResourcePath]) -> None:
        """Watch these resources in the server's Table form from now on (kinds whose columns the server
        prints). A watch already running in the plain form starts over in the Table form: its readers
        keep their reference, and the relist reconciles into the objects they see."""
        for resource in resources:
            if resource in self._tables:
                continue
            self._tables.add(resource)
            watch = self._watches.get(resource)
            if watch is not None and not watch.tables:
                watch.print_tables()
                task = self._tasks.pop(resource, None)
                if task is not None:
                    task.cancel()
                    self._start(resource, watch)

    def peek(self, resource: ResourcePath) -> KindWatch | None:
        """The resource's watch if one is running, without subscribing to it."""
        return self._watches.get(resource)

    def acquire(self, resource: ResourcePath) -> KindWatch:
        """Subscribe to a resource type, starting its watch if nobody watched it (or if its task ended)."""
        stopper = self._stoppers.pop(resource, None)
        if stopper is not None:
            stopper.cancel()
        self._subscribers[resource] = self._subscribers.get(resource, 0) + 1
        watch = self._watches.get(resource)
        if watch is None:
            watch = KindWatch(
                self._api,
                resource,
                page_size=self._page_size,
                max_backoff_seconds=self._max_backoff,
                sync_timeout_seconds=self._sync_timeout,
            )
            if resource in self._tables:
                watch.print_tables()
            self._watches[resource] = watch
        task = self._tasks.get(resource)
        if task is None or task.done():
            # A watch whose task ended is never handed out as is: the same watch (its subscribers keep
            # their reference) runs again.
            self._start(resource, watch)
        return watch

    def _start(self, resource: ResourcePath, watch: KindWatch) -> None:
        task = asyncio.create_task(watch.run(), name=f"watch {resource.collection()}")
        task.add_done_callback(self._ended)
        self._tasks[resource] = task

    def _ended(self, task: asyncio.Task[None]) -> None:
        """`KindWatch.run` only ends by cancellation; anything else is a bug worth a traceback."""
        if task.cancelled():
            return
        error = task.exception()
        log.error("%s ended unexpectedly; the next subscriber restarts it", task.get_name(), exc_info=error)

    def release(self, resource: ResourcePath) -> None:
        """Unsubscribe; the watch stops after the grace period unless someone subscribes again."""
        count = self._subscribers.get(resource, 0) - 1
        self._subscribers[resource] = max(0, count)
        if count <= 0 and resource in self._tasks and resource not in self._stoppers:
            loop = asyncio.get_running_loop()
            self._stoppers[resource] = loop.call_later(self._grace, self._stop, resource)

    @contextlib.asynccontextmanager
    async def subscribe(self, resource: ResourcePath) -> AsyncIterator[KindWatch]:
        watch = self.acquire(resource)
        try:
            yield watch
        finally:
            self.release(resource)

    def _stop(self, resource: ResourcePath) -> None:
        self._stoppers.pop(resource, None)
        if self._subscribers.get(resource, 0) > 0:
            return
        task = self._tasks.pop(resource, None)
        self._watches.pop(resource, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        for stopper in self._stoppers.values():
            stopper.cancel()
        self._stoppers.clear()
        tasks = list(self._tasks.values())
        self._tasks.clear()
        self._watches.clear()
        self._kept.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def wait_any(
    watches: Iterable[KindWatch],
    seen: dict[int, int],
    timeout: float,
    wakeup: asyncio.Event | None = None,
) -> None:
    """Return when any watch moved past the revision in `seen` (by `id(watch)`), `wakeup` is set, or after `timeout`.

    A follow loop's one wait: it records each watch's revision before it reads, then waits here. `wakeup`
    (a tab's scope change, say) is cleared on the way out.
    """
    watches = list(watches)
    try:
        if (wakeup is not None and wakeup.is_set()) or any(w.revision > seen.get(id(w), -1) for w in watches):
            return
        waiters = [asyncio.ensure_future(w.wait_changed(seen.get(id(w), -1), timeout=timeout)) for w in watches]
        if wakeup is not None:
            waiters.append(asyncio.ensure_future(wakeup.wait()))
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
    finally:
        if wakeup is not None:
            wakeup.clear()
