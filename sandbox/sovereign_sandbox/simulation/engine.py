"""The simulation engine: indexes fed by the store's change feed, a work queue and timers on the server loop."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from typing import Any

from sovereign_sandbox import errors
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.simulation.base import Kinds, Obj, Writer, controller_of
from sovereign_sandbox.simulation.recorder import Recorder
from sovereign_sandbox.storage.watch import Change

__all__ = ["Engine", "Key"]

_log = logging.getLogger(__name__)
Key = tuple[str, str]  # (namespace, name)
Handler = Callable[[str, str], None]
# How many queued reconciles run before the loop gets to serve requests again.
_BATCH = 200
# A failed reconcile is retried like client-go's rate-limited workqueue: 5 ms, doubling, at most 1000 s.
_FIRST_RETRY_SECONDS = 0.005
_LONGEST_RETRY_SECONDS = 1000.0


class Engine:
    """Owns the indexes and scheduling every controller uses; all of it runs on the server's event loop."""

    def __init__(self, cluster: Cluster, seed: int):
        self.cluster = cluster
        self.store = cluster.store
        self.kinds = Kinds.find(cluster.catalogue)
        self.writer = Writer(self.store)
        self.seed = seed
        self.random = random.Random(seed)
        self.recorder = Recorder(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.handlers: dict[str, Handler] = {}
        self.listeners: dict[str, list[Callable[[Change], None]]] = {}
        self.pods_by_owner: dict[str, set[Key]] = {}
        self.pods_by_namespace: dict[str, set[Key]] = {}
        self.sets_by_owner: dict[str, set[Key]] = {}  # Deployment uid → its ReplicaSets
        self._queue: dict[tuple[str, str, str], None] = {}
        self._timers: dict[tuple[str, str, str], asyncio.TimerHandle] = {}
        self._draining = False
        self._stopped = False
        self._name_counters: dict[str, int] = {}
        self._failures: dict[tuple[str, str, str], int] = {}
        self._failed_now: set[tuple[str, str, str]] = set()
        self.store.observe(self._observe)

    def register(self, controller: str, handler: Handler) -> None:
        self.handlers[controller] = handler

    def listen(self, storage_key: str, listener: Callable[[Change], None]) -> None:
        self.listeners.setdefault(storage_key, []).append(listener)

    def index_existing(self) -> None:
        for pod in self.store.list(self.kinds.pod).items:
            self._index_pod(pod, add=True)
        for replica_set in self.store.list(self.kinds.replica_set).items:
            self._index_replica_set(replica_set, add=True)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._queue.clear()

    def enqueue(self, controller: str, namespace: str, name: str) -> None:
        if self.loop is None or self._stopped:
            return
        self._queue[(controller, namespace, name)] = None
        if not self._draining:
            self._draining = True
            self.loop.call_soon(self._drain)

    def after(self, seconds: float, controller: str, namespace: str, name: str) -> None:
        """Reconcile later; a newer request for the same object replaces the pending one."""
        if self.loop is None or self._stopped:
            return
        key = (controller, namespace, name)
        previous = self._timers.pop(key, None)
        if previous is not None:
            previous.cancel()

        def fire() -> None:
            self._timers.pop(key, None)
            self.enqueue(controller, namespace, name)

        self._timers[key] = self.loop.call_later(seconds, fire)

    def pending(self, controller: str, namespace: str, name: str) -> bool:
        return (controller, namespace, name) in self._timers

    def call_later(self, seconds: float, callback: Callable[[], Any]) -> asyncio.TimerHandle | None:
        if self.loop is None or self._stopped:
            return None
        return self.loop.call_later(seconds, callback)

    def _drain(self) -> None:
        for _ in range(_BATCH):
            if not self._queue or self._stopped:
                break
            key = next(iter(self._queue))
            del self._queue[key]
            controller, namespace, name = key
            try:
                self.handlers[controller](namespace, name)
            except Exception:  # a controller bug must not stop the others
                _log.exception("sandbox simulation: %s %s/%s failed", controller, namespace, name)
            if key in self._failed_now:
                self._failed_now.discard(key)
            else:
                self._failures.pop(key, None)  # a reconcile that did not fail resets its backoff (`Forget`)
        if self._queue and not self._stopped and self.loop is not None:
            self.loop.call_soon(self._drain)
        else:
            self._draining = False

    def refused(self, owner: Obj, error: errors.ApiError, controller: str, message: str, component: str) -> None:
        """A pod create the API server refused, as client-go's pod control handles it: a FailedCreate Warning
        on the owner and a retry with backoff; in a terminating namespace neither (every create fails there)."""
        causes = (error.details or {}).get("causes") or ()
        if any(cause.get("reason") == "NamespaceTerminating" for cause in causes):
            return
        self.recorder.record(owner, "FailedCreate", message, component=component, warning=True)
        metadata = owner["metadata"]
        key = (controller, metadata["namespace"], metadata["name"])
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        self._failed_now.add(key)
        self.after(min(_FIRST_RETRY_SECONDS * 2**failures, _LONGEST_RETRY_SECONDS), *key)

    def pod_name(self, prefix: str, namespace: str) -> str:
        """`<prefix>-<5 chars>`, the same for the same seed and the same sequence of requests per owner."""
        from sovereign_sandbox.simulation.base import safe_hash

        while True:
            counter = self._name_counters.get(f"{namespace}/{prefix}", 0)
            self._name_counters[f"{namespace}/{prefix}"] = counter + 1
            name = f"{prefix}-{safe_hash(f'{self.seed}/{namespace}/{prefix}/{counter}', 5)}"
            if not self.store.exists(self.kinds.pod, namespace, name):
                return name

    def pods_of(self, owner_uid: str) -> list[Obj]:
        found = []
        for namespace, name in self.pods_by_owner.get(owner_uid, ()):
            pod = self.writer.get(self.kinds.pod, namespace, name)
            if pod is not None:
                found.append(pod)
        return found

    def replica_sets_of(self, deployment_uid: str) -> list[Obj]:
        found = []
        for namespace, name in self.sets_by_owner.get(deployment_uid, ()):
            replica_set = self.writer.get(self.kinds.replica_set, namespace, name)
            if replica_set is not None:
                found.append(replica_set)
        return found

    def _index_pod(self, pod: Obj, *, add: bool) -> None:
        metadata = pod["metadata"]
        key = (metadata["namespace"], metadata["name"])
        owner = controller_of(pod)
        by_namespace = self.pods_by_namespace.setdefault(metadata["namespace"], set())
        if add:
            by_namespace.add(key)
            if owner is not None:
                self.pods_by_owner.setdefault(owner["uid"], set()).add(key)
        else:
            by_namespace.discard(key)
            if owner is not None:
                self.pods_by_owner.get(owner["uid"], set()).discard(key)

    def _index_replica_set(self, replica_set: Obj, *, add: bool) -> None:
        metadata = replica_set["metadata"]
        owner = controller_of(replica_set)
        if owner is None:
            return
        owned = self.sets_by_owner.setdefault(owner["uid"], set())
        if add:
            owned.add((metadata["namespace"], metadata["name"]))
        else:
            owned.discard((metadata["namespace"], metadata["name"]))

    def _observe(self, change: Change) -> None:
        if change.storage_key == self.kinds.pod.storage_key:
            if change.old is not None:
                self._index_pod(change.old, add=False)
            if change.type != "DELETED":
                self._index_pod(change.obj, add=True)
        elif change.storage_key == self.kinds.replica_set.storage_key:
            if change.old is not None:
                self._index_replica_set(change.old, add=False)
            if change.type != "DELETED":
                self._index_replica_set(change.obj, add=True)
        if self.loop is None or self._stopped:
            return
        for listener in self.listeners.get(change.storage_key, ()):
            try:
                listener(change)
            except Exception:
                _log.exception("sandbox simulation: listener for %s failed", change.storage_key)
