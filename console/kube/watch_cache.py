"""The shared watch cache: one list + watch per resource type per backend process, shared by every session.

Sessions never open their own watches; they subscribe here, read snapshots, and wait for the revision
to move. The cache fills itself as the console's own identity; filtering per user happens on read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.objects import cache_key, resource_version_of

log = logging.getLogger(__name__)

CacheState = Literal["connecting", "live", "resyncing", "error"]


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """What a page shows about the freshness of a kind's data."""

    state: CacheState
    reason: str = ""

    def describe(self) -> str:
        if self.state == "live":
            return "live"
        if self.state == "error":
            return f"error: {self.reason}" if self.reason else "error"
        if self.state == "resyncing":
            return "reconnecting…"
        return "connecting…"


# Values the console never shows in a list and must not hold longer than needed: kept as keys only.
_VALUE_FIELDS = ("data", "stringData", "binaryData")
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
VALUE_BEARING = frozenset({ResourcePath("", "v1", "secrets"), ResourcePath("", "v1", "configmaps")})


def without_values(obj: JsonObject) -> JsonObject:
    """A Secret or ConfigMap with every value blanked (keys kept for DATA counts); the rest untouched."""
    stripped = dict(obj)
    for field in _VALUE_FIELDS:
        values = stripped.get(field)
        if isinstance(values, dict):
            stripped[field] = dict.fromkeys(values, "")
    metadata = stripped.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        # kubectl apply copies the whole object, values included, into this annotation.
        annotations = {k: v for k, v in metadata["annotations"].items() if k != _LAST_APPLIED}
        stripped["metadata"] = {**metadata, "annotations": annotations}
    return stripped


class _WatchExpired(Exception):
    """The watch's resourceVersion is older than the server's history (410): relist."""


def _unchanged(obj: JsonObject) -> JsonObject:
    return obj


class KindWatch:
    """One list + watch of one resource type, its objects kept in memory."""

    def __init__(
        self,
        api: KubeApi,
        resource: ResourcePath,
        *,
        page_size: int = 500,
        max_backoff_seconds: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        self.resource = resource
        self._api = api
        self._page_size = page_size
        self._max_backoff = max_backoff_seconds
        self._rng = rng or random.Random()
        self._objects: dict[str, JsonObject] = {}
        self._keep = without_values if resource in VALUE_BEARING else _unchanged
        self._revision = 0
        self._status = CacheStatus("connecting")
        self._changed = asyncio.Event()
        self._synced = asyncio.Event()
        self.relists = 0  # how many full lists were made; tests and status pages read it

    @property
    def revision(self) -> int:
        """Moves whenever an object or the status changes."""
        return self._revision

    @property
    def status(self) -> CacheStatus:
        return self._status

    @property
    def synced(self) -> bool:
        """True once the first full list arrived."""
        return self._synced.is_set()

    def objects(self) -> list[JsonObject]:
        """A snapshot of every cached object (the list is new; the objects must not be mutated)."""
        return list(self._objects.values())

    def __len__(self) -> int:
        return len(self._objects)

    async def wait_synced(self) -> None:
        await self._synced.wait()

    async def wait_changed(self, after_revision: int, timeout: float | None = None) -> int:
        """Wait until the revision moves past `after_revision` (or the timeout); return the revision."""
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while self._revision <= after_revision:
            event = self._changed
            remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if remaining is not None and remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self._revision

    def _bump(self) -> None:
        self._revision += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _set_status(self, status: CacheStatus) -> None:
        if status != self._status:
            self._status = status
            self._bump()

    async def run(self) -> None:
        """List, then watch from the list's resourceVersion; relist on 410; reconnect with backoff."""
        failures = 0
        while True:
            try:
                resource_version = await self._relist()
                failures = 0
                self._set_status(CacheStatus("live"))
                while True:
                    resource_version = await self._watch_from(resource_version)
            except _WatchExpired:
                self._set_status(CacheStatus("resyncing"))
                continue
            except (KubeApiError, ValueError) as error:
                failures += 1
                reason = error.message if isinstance(error, KubeApiError) else f"bad response: {error}"
                if self._status != CacheStatus("error", reason) and self._status.reason != reason:
                    log.warning("watch of %s failed (%s); retrying", self.resource.collection(), reason)
                self._set_status(CacheStatus("error", reason))
                await asyncio.sleep(self._backoff(failures))
                if self._status.state == "error":
                    self._set_status(CacheStatus("resyncing", reason))

    def _backoff(self, failures: int) -> float:
        """Capped exponential backoff with full jitter, so many consoles don't reconnect in step."""
        ceiling = min(self._max_backoff, 0.5 * (2 ** min(failures, 10)))
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _relist(self) -> str:
        fresh: dict[str, JsonObject] = {}
        continue_token = ""
        list_version = ""
        while True:
            page = await self._api.get(
                self.resource.collection(),
                {"limit": self._page_size, "continue": continue_token},
            )
            for item in page.get("items") or []:
                fresh[cache_key(item)] = self._keep(item)
            metadata = page.get("metadata") or {}
            list_version = str(metadata.get("resourceVersion") or list_version)
            continue_token = str(metadata.get("continue") or "")
            if not continue_token:
                break
        self.relists += 1
        changed = fresh.keys() != self._objects.keys() or any(
            resource_version_of(obj) != resource_version_of(self._objects[key]) for key, obj in fresh.items()
        )
        self._objects = fresh
        self._synced.set()
        if changed or self._revision == 0:
            self._bump()
        return list_version

    async def _watch_from(self, resource_version: str) -> str:
        query = {
            "resourceVersion": resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": self._rng.randint(240, 300),
        }
        try:
            async for event in self._api.watch(self.resource.collection(), query):
                resource_version = self._apply(event, resource_version)
        except KubeApiError as error:
            if error.status == 410:
                raise _WatchExpired() from error
            raise
        return resource_version

    def _apply(self, event: JsonObject, resource_version: str) -> str:
        """Apply one watch event to the cache; return the resourceVersion to resume from."""
        event_type = event.get("type")
        obj = event.get("object") or {}
        if event_type == "ERROR":
            code = int(obj.get("code") or 0)
            raise KubeApiError(code, str(obj.get("reason") or ""), str(obj.get("message") or "watch error"))
        if event_type == "DELETED":
            self._objects.pop(cache_key(obj), None)
            self._bump()
        elif event_type in ("ADDED", "MODIFIED"):
            self._objects[cache_key(obj)] = self._keep(obj)
            self._bump()
        # BOOKMARKs carry only a resourceVersion: remembering it is their whole point.
        return resource_version_of(obj) or resource_version


class WatchCache:
    """Every KindWatch of this process, started on first subscriber and stopped after a grace period."""

    def __init__(
        self,
        api: KubeApi,
        *,
        page_size: int = 500,
        grace_seconds: float = 30.0,
        max_backoff_seconds: float = 30.0,
    ) -> None:
        self._api = api
        self._page_size = page_size
        self._grace = grace_seconds
        self._max_backoff = max_backoff_seconds
        self._watches: dict[ResourcePath, KindWatch] = {}
        self._tasks: dict[ResourcePath, asyncio.Task[None]] = {}
        self._subscribers: dict[ResourcePath, int] = {}
        self._stoppers: dict[ResourcePath, asyncio.TimerHandle] = {}

    def running(self) -> list[ResourcePath]:
        return list(self._tasks)

    def acquire(self, resource: ResourcePath) -> KindWatch:
        """Subscribe to a resource type, starting its watch if nobody watched it."""
        stopper = self._stoppers.pop(resource, None)
        if stopper is not None:
            stopper.cancel()
        self._subscribers[resource] = self._subscribers.get(resource, 0) + 1
        if resource not in self._tasks:
            watch = KindWatch(self._api, resource, page_size=self._page_size, max_backoff_seconds=self._max_backoff)
            self._watches[resource] = watch
            self._tasks[resource] = asyncio.create_task(watch.run(), name=f"watch {resource.collection()}")
        return self._watches[resource]

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
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
