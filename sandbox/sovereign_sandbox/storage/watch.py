"""Watch fan-out: a bounded event history, per-watch queues and the fault-injection seams."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sovereign_sandbox.errors import status_body
from sovereign_sandbox.storage.selectors import FieldSelector, LabelSelector

__all__ = ["Change", "WatchHub", "Watcher", "INITIAL_EVENTS_END"]

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


@dataclass(frozen=True, slots=True)
class Change:
    resource_version: int
    type: str  # ADDED | MODIFIED | DELETED
    storage_key: str
    obj: dict[str, Any]
    old: dict[str, Any] | None  # the previous state for MODIFIED, so selector transitions can be computed


@dataclass(eq=False)
class Watcher:
    """One open watch; the HTTP layer drains `queue` ((type, object) tuples, None = end of stream)."""

    storage_key: str
    namespace: str | None
    labels: LabelSelector
    fields: FieldSelector
    queue: asyncio.Queue[tuple[str, dict[str, Any]] | None] = field(default_factory=asyncio.Queue)
    closed: bool = False

    def matches(self, obj: dict[str, Any]) -> bool:
        if self.namespace is not None and obj.get("metadata", {}).get("namespace") != self.namespace:
            return False
        return self.labels.matches(obj) and self.fields.matches(obj)

    def send(self, event_type: str, obj: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait((event_type, obj))

    def offer(self, change: Change) -> None:
        """Deliver a change, turning selector transitions into ADDED/DELETED like the real watch cache."""
        if change.storage_key != self.storage_key:
            return
        now_matches = self.matches(change.obj)
        if change.type != "MODIFIED":
            if now_matches:
                self.send(change.type, change.obj)
            return
        matched_before = change.old is not None and self.matches(change.old)
        if now_matches:
            self.send("MODIFIED" if matched_before else "ADDED", change.obj)
        elif matched_before:
            self.send("DELETED", change.obj)

    def fail(self, status: dict[str, Any]) -> None:
        """An in-band ERROR event, then the end of the stream."""
        self.send("ERROR", status)
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


class WatchHub:
    """Keeps the last `history_size` changes and the open watchers of every resource type."""

    def __init__(self, history_size: int = 10_000):
        self.history: deque[Change] = deque()
        self.history_size = history_size
        # Every change after `floor` is still in `history`; a watch from an older version gets 410.
        self.floor = 0
        self.watchers: set[Watcher] = set()
        self._forced_expiries = 0

    def record(self, change: Change) -> None:
        if len(self.history) >= self.history_size:
            self.floor = self.history.popleft().resource_version
        self.history.append(change)
        for watcher in list(self.watchers):
            watcher.offer(change)

    def start(
        self,
        watcher: Watcher,
        since: int | None,
        current: int,
        initial: Iterable[dict[str, Any]] = (),
        initial_events_end: dict[str, Any] | None = None,
    ) -> Watcher:
        """Register `watcher`; replay history after `since` (None = begin with `initial` ADDED events).

        `initial_events_end` (a BOOKMARK object) is sent after the initial events for watch-list requests.
        """
        if since is not None and self._forced_expiries:
            self._forced_expiries -= 1
            watcher.fail(self.too_old(since, current))
            return watcher
        if since is not None and since < self.floor:
            watcher.fail(self.too_old(since, self.floor))
            return watcher
        for obj in initial:
            if watcher.matches(obj):
                watcher.send("ADDED", obj)
        if initial_events_end is not None:
            watcher.send("BOOKMARK", initial_events_end)
        if since is not None:
            replay = []
            for change in reversed(self.history):
                if change.resource_version <= since:
                    break
                replay.append(change)
            for change in reversed(replay):
                watcher.offer(change)
        self.watchers.add(watcher)
        return watcher

    def stop(self, watcher: Watcher) -> None:
        self.watchers.discard(watcher)
        watcher.close()

    @staticmethod
    def too_old(requested: int, oldest: int) -> dict[str, Any]:
        return status_body(410, "Expired", f"too old resource version: {requested} ({oldest})")

    def expire_history(self, current: int) -> None:
        """Forget every recorded change: any watch from an older version now gets 410 Expired."""
        self.history.clear()
        self.floor = current

    def expire_next_watches(self, count: int = 1) -> None:
        """Make the next `count` watches that name a resourceVersion answer 410, whatever the version."""
        self._forced_expiries += count

    def drop_watches(self) -> int:
        """End every open watch stream cleanly (clients reconnect from their last version)."""
        watchers = list(self.watchers)
        for watcher in watchers:
            self.stop(watcher)
        return len(watchers)
