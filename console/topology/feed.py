"""Keeps a TopologyGraph in step with the shared watch cache: only the objects that moved are applied.

The feed holds a watch (for the life of the process) of every graph kind's resource. Each time one moves,
it asks the watch's journal which cache keys changed since its bookmark (`KindWatch.changed_since`) and
upserts or deletes just those; when the journal no longer reaches back (or on the first pass) it compares
the kind's objects whole, by resourceVersion. A resource the cluster does not serve contributes no nodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from console.kube.api import JsonObject, ResourcePath
from console.kube.kind_watch import SETTLED_FAILURES
from console.kube.kinds import Kind, RenderContext
from console.kube.objects import cache_key, resource_version_of
from console.kube.watch_cache import KindWatch, WatchCache, wait_any
from console.topology.graph import TopologyGraph

__all__ = ["FeedState", "FeedStatus", "TopologyFeed"]

log = logging.getLogger(__name__)

FeedState = Literal["loading", "live", "reconnecting"]
_RECHECK_SECONDS = 30.0  # a wait's timeout: statuses (not served, unreachable) are re-read this often


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """How fresh the graph is: loading until every served kind was listed once, then live, or reconnecting
    while any is relisting or failing."""

    state: FeedState
    message: str = ""  # what a person reads beside the graph ("" when live)


class TopologyFeed:
    """Applies the cache's changes of every graph kind to one TopologyGraph (see the module doc)."""

    def __init__(self, cache: WatchCache, kinds: Mapping[str, Kind], context: RenderContext) -> None:
        self._cache = cache
        self.graph = TopologyGraph(kinds, context.cluster_id, context)
        self._seen: dict[int, int] = {}  # id(watch) → the revision last processed
        self._bookmarks: dict[str, int] = {}  # kind id → the watch's change count applied
        self._applied: dict[str, dict[str, str]] = {}  # kind id → cache key → resourceVersion applied
        self._not_served: set[ResourcePath] = set()
        self._status = FeedStatus("loading", "loading…")
        self._listing: frozenset[str] = frozenset(self.graph.kinds)
        self._signal = asyncio.Event()

    @property
    def revision(self) -> int:
        """The graph's revision (moves on every node or edge change)."""
        return self.graph.revision

    @property
    def status(self) -> FeedStatus:
        return self._status

    @property
    def listing(self) -> frozenset[str]:
        """The graph kinds (ids) still being listed for the first time."""
        return self._listing

    def watches(self) -> dict[str, KindWatch]:
        """The watch of every graph kind, kept for the life of the process."""
        kinds = self.graph.kinds
        resources = [kind.resource for kind in kinds.values() if kind.resource is not None]
        self._cache.keep(resources)
        watches = {}
        for kind_id, kind in kinds.items():
            assert kind.resource is not None
            watch = self._cache.peek(kind.resource)
            watches[kind_id] = watch if watch is not None else self._cache.acquire(kind.resource)
        return watches

    async def run(self) -> None:
        """Follow the cache until cancelled."""
        watches = self.watches()
        while True:
            self.step(watches)
            await wait_any(watches.values(), self._seen, timeout=_RECHECK_SECONDS)

    def step(self, watches: Mapping[str, KindWatch]) -> None:
        """Apply whatever moved since the last step."""
        revision, status = self.graph.revision, self._status
        for kind_id, watch in watches.items():
            if self._seen.get(id(watch)) == watch.revision:
                continue
            self._seen[id(watch)] = watch.revision
            self._follow(self.graph.kinds[kind_id], watch)
        self._status = self._status_of(watches)
        if self.graph.revision != revision or self._status != status:
            self._signal.set()
            self._signal = asyncio.Event()

    def _follow(self, kind: Kind, watch: KindWatch) -> None:
        """Apply one kind's changes: from the journal when it reaches back to the bookmark, else by diffing."""
        applied = self._applied.setdefault(kind.id, {})
        bookmark = self._bookmarks.get(kind.id)
        changes = watch.change_count
        keys = None if bookmark is None else watch.changed_since(bookmark)
        if keys is None:
            current = {cache_key(obj): obj for obj in watch.objects()}
            for key, obj in current.items():
                self._apply(kind, key, obj, applied)
            for key in applied.keys() - current.keys():
                self._apply(kind, key, None, applied)
        else:
            for key in dict.fromkeys(keys):  # a key changed twice is applied once, as it is now
                self._apply(kind, key, watch.get(key), applied)
        self._bookmarks[kind.id] = changes

    def _apply(self, kind: Kind, key: str, obj: JsonObject | None, applied: dict[str, str]) -> None:
        try:
            if obj is None:
                if applied.pop(key, None) is not None:
                    self.graph.delete(kind, key)
                return
            version = resource_version_of(obj)
            if version and applied.get(key) == version:
                return
            applied[key] = version
            self.graph.upsert(kind, obj)
        except Exception:  # noqa: BLE001 - one unreadable object must not stop the graph
            log.exception("drawing %s %s in the architecture graph failed; skipped", kind.id, key)

    def _status_of(self, watches: Mapping[str, KindWatch]) -> FeedStatus:
        served = []
        for watch in watches.values():
            status = watch.status
            # A not-served resource goes error (404) → resyncing → error…: remembered until it is live again.
            if status.not_served:
                self._not_served.add(watch.resource)
            elif status.state == "live":
                self._not_served.discard(watch.resource)
            if watch.resource not in self._not_served:
                served.append(watch)
        listing = [watch for watch in served if not watch.synced and watch.status.state not in SETTLED_FAILURES]
        self._listing = frozenset(kind_id for kind_id, watch in watches.items() if watch in listing)
        if listing:
            return FeedStatus("loading", f"loading… ({len(served) - len(listing)} of {len(served)} kinds listed)")
        failing = [watch for watch in served if watch.status.state != "live"]
        if failing:
            first = failing[0]
            return FeedStatus("reconnecting", f"{first.resource.plural}: {first.status.describe()}")
        return FeedStatus("live")

    async def wait_changed(self, after_revision: int, timeout: float | None = None) -> int:
        """Wait until the graph's revision passes `after_revision`, the feed's status changes, or the timeout;
        return the graph's revision."""
        if self.graph.revision > after_revision:
            return self.graph.revision
        signal = self._signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), timeout)
        return self.graph.revision
