"""Deletion as the real server and its controllers do it: finalizers, graceful pod deletion, ownerReference
garbage collection (Background, Foreground, Orphan) and namespace termination.

A collaborator of `Store`: it reads the store's indexes and changes objects only through `Store.commit`.
Timers run on the running asyncio loop (the server's) and fire at once when no loop runs (in-process use
before the server starts).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sovereign_sandbox import errors
from sovereign_sandbox.storage.objects import now_rfc3339
from sovereign_sandbox.storage.resources import ResourceType

if TYPE_CHECKING:
    from sovereign_sandbox.storage.store import Store

__all__ = ["Deletion", "FOREGROUND_FINALIZER", "GRACE_CAP_SECONDS", "PROPAGATION_POLICIES"]

Obj = dict[str, Any]
Key = tuple[str, str]
NAMESPACES = "/namespaces"
_PODS = "/pods"
FOREGROUND_FINALIZER = "foregroundDeletion"
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")
# Real grace periods (30 s by default) are shortened to this so the sandbox stays quick.
GRACE_CAP_SECONDS = 2.0
# How long a namespace shows as Terminating once its contents are gone (the namespace controller's round trip).
NAMESPACE_FINALIZE_SECONDS = 0.05
_log = logging.getLogger(__name__)


def _timestamp(offset_seconds: int = 0) -> str:
    if not offset_seconds:
        return now_rfc3339()
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Deletion:
    """Delete paths of `store` (which exposes `delete` and `delete_collection` as its own verbs)."""

    grace_cap_seconds: float = GRACE_CAP_SECONDS

    def __init__(self, store: Store):
        self.store = store
        self._graceful: dict[str, asyncio.TimerHandle | None] = {}  # pod uid → its grace timer
        self._terminating: set[str] = set()  # namespaces being emptied
        self._sweeping: str | None = None

    def _later(self, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle | None:
        def run() -> None:
            try:
                callback()
            except Exception:  # a timer must not take the loop down; the object just stays
                _log.exception("sandbox: deferred deletion failed")

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            run()
            return None
        return loop.call_later(delay, run)

    def delete(
        self,
        resource: ResourceType,
        namespace: str | None,
        name: str,
        *,
        dry_run: bool = False,
        propagation: str = "Background",
        preconditions: dict[str, str] | None = None,
        grace_period_seconds: int | None = None,
    ) -> tuple[Obj, bool]:
        """Delete, or mark for deletion (finalizers, graceful pods, foreground); returns (last state, deleted now)."""
        old = self.store.get(resource, namespace, name)
        metadata = old["metadata"]
        for field, value in (preconditions or {}).items():
            actual = metadata.get(field)
            if value and value != actual:
                label = "UID" if field == "uid" else "ResourceVersion"
                raise errors.precondition_failed(resource.plural, resource.group, name, label, value, actual)
        key = self.store.key(resource, namespace, name)
        if resource.storage_key == NAMESPACES:
            return self._terminate_namespace(resource, key, old, dry_run=dry_run)
        uid = metadata["uid"]
        grace = self._grace(resource, old, grace_period_seconds)
        if metadata.get("deletionTimestamp"):
            if grace == 0 and uid in self._graceful and not metadata.get("finalizers") and not dry_run:
                self._cancel_grace(uid)
                return self.remove(resource, key, old), True
            return old, False
        finalizers = list(metadata.get("finalizers") or [])
        foreground = propagation == "Foreground" and bool(self.store.dependents(uid))
        if foreground and FOREGROUND_FINALIZER not in finalizers:
            finalizers.append(FOREGROUND_FINALIZER)
        if not finalizers and not grace:
            if dry_run:
                return old, True
            if propagation == "Orphan":
                self._orphan_dependents(uid)
            return self.remove(resource, key, old), True
        marked = copy.deepcopy(old)
        marked["metadata"]["deletionTimestamp"] = _timestamp(grace or 0)
        marked["metadata"]["deletionGracePeriodSeconds"] = grace or 0
        marked["metadata"]["finalizers"] = finalizers
        if dry_run:
            return marked, False
        self.store.commit(resource, key, "MODIFIED", marked, old)
        if grace:
            self._graceful[uid] = None
            timer = self._later(min(grace, self.grace_cap_seconds), lambda: self._grace_expired(resource, key, uid))
            if uid in self._graceful:  # still pending (a timer without a loop has already run)
                self._graceful[uid] = timer
        if propagation == "Orphan":
            self._orphan_dependents(uid)
        elif foreground:
            self._delete_dependents(uid, propagation="Foreground")
            self._release_foreground(uid)
        stored = self.store.stored(resource.storage_key, key)
        return (stored, False) if stored is not None else (marked, True)

    def _grace(self, resource: ResourceType, obj: Obj, requested: int | None) -> int:
        """Seconds a pod gets to terminate (0 for other kinds, unscheduled and finished pods)."""
        if resource.storage_key != _PODS:
            return 0
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
        return max(int(grace or 0), 0)

    def _cancel_grace(self, uid: str) -> None:
        timer = self._graceful.pop(uid, None)
        if timer is not None:
            timer.cancel()

    def _grace_expired(self, resource: ResourceType, key: Key, uid: str) -> None:
        """The kubelet is done with the pod: it goes unless finalizers still hold it."""
        self._graceful.pop(uid, None)
        current = self.store.stored(resource.storage_key, key)
        if current is None or current["metadata"].get("uid") != uid or current["metadata"].get("finalizers"):
            return
        self.remove(resource, key, current)

    def released(self, resource: ResourceType, obj: Obj) -> bool:
        """Whether a marked object may go now (used when an update clears its last finalizer)."""
        metadata = obj["metadata"]
        return (
            bool(metadata.get("deletionTimestamp"))
            and not metadata.get("finalizers")
            and metadata.get("uid") not in self._graceful
            and resource.storage_key != NAMESPACES
        )

    def remove(self, resource: ResourceType, key: Key, last: Obj, stored: Obj | None = None) -> Obj:
        """Remove the object at `key` now: the DELETED event carries `last`, the state it ends in.

        `stored` is what the store holds at `key` when that differs from `last` (an update that released it).
        """
        final = copy.deepcopy(last)
        self.store.commit(resource, key, "DELETED", final, last if stored is None else stored)
        metadata = final["metadata"]
        self._cancel_grace(metadata.get("uid", ""))
        self._collect_dependents(metadata.get("uid", ""))
        for reference in metadata.get("ownerReferences") or ():
            self._release_foreground(reference.get("uid", ""))
        namespace = metadata.get("namespace")
        if namespace in self._terminating and self._sweeping != namespace:
            self._finish_namespace_when_empty(namespace)
        return final

    def _without_owner(self, resource: ResourceType, key: Key, dependent: Obj, owner_uid: str) -> None:
        updated = copy.deepcopy(dependent)
        remaining = [ref for ref in updated["metadata"].get("ownerReferences") or [] if ref.get("uid") != owner_uid]
        if remaining:
            updated["metadata"]["ownerReferences"] = remaining
        else:
            updated["metadata"].pop("ownerReferences", None)
        self.store.commit(resource, key, "MODIFIED", updated, dependent)

    def _orphan_dependents(self, owner_uid: str) -> None:
        for resource, key, dependent in self.store.dependents(owner_uid):
            self._without_owner(resource, key, dependent, owner_uid)

    def _delete_dependents(self, owner_uid: str, *, propagation: str) -> None:
        """The garbage collector: delete dependents with no other live owner, unlink the others."""
        for resource, key, dependent in self.store.dependents(owner_uid):
            references = dependent["metadata"].get("ownerReferences") or []
            others = [ref for ref in references if ref.get("uid") != owner_uid and self._live(ref.get("uid", ""))]
            if others:
                self._without_owner(resource, key, dependent, owner_uid)
            elif not dependent["metadata"].get("deletionTimestamp"):
                self.delete(resource, key[0] or None, key[1], propagation=propagation)

    def _collect_dependents(self, owner_uid: str) -> None:
        self._delete_dependents(owner_uid, propagation="Background")
        self.store.forget_dependents(owner_uid)

    def _live(self, uid: str) -> bool:
        """Whether the object with `uid` exists and is not being deleted (an owner that still holds)."""
        found = self.store.object_by_uid(uid)
        return found is not None and not found[2]["metadata"].get("deletionTimestamp")

    def _release_foreground(self, owner_uid: str) -> None:
        """Drop `foregroundDeletion` from an owner whose dependents are all gone (and remove it if free)."""
        found = self.store.object_by_uid(owner_uid)
        if found is None:
            return
        resource, key, owner = found
        if FOREGROUND_FINALIZER not in (owner["metadata"].get("finalizers") or ()) or self.store.dependents(owner_uid):
            return
        updated = copy.deepcopy(owner)
        finalizers = [item for item in updated["metadata"]["finalizers"] if item != FOREGROUND_FINALIZER]
        updated["metadata"]["finalizers"] = finalizers
        if not finalizers:
            del updated["metadata"]["finalizers"]
        if self.released(resource, updated):
            self.remove(resource, key, owner)
        else:
            self.store.commit(resource, key, "MODIFIED", updated, owner)

    def _terminate_namespace(self, resource: ResourceType, key: Key, old: Obj, *, dry_run: bool) -> tuple[Obj, bool]:
        """Mark the namespace Terminating, delete its contents, and let it go once it is empty."""
        if old["metadata"].get("deletionTimestamp"):
            return old, False
        marked = copy.deepcopy(old)
        marked["metadata"]["deletionTimestamp"] = now_rfc3339()
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        marked.setdefault("status", {})["phase"] = "Terminating"
        if dry_run:
            return marked, False
        self.store.commit(resource, key, "MODIFIED", marked, old)
        namespace = key[1]
        self._terminating.add(namespace)
        self._sweeping = namespace
        try:
            for contained, contained_key, _ in self.store.in_namespace(namespace):
                if self.store.stored(contained.storage_key, contained_key) is not None:
                    self.delete(contained, namespace, contained_key[1], grace_period_seconds=0)
        finally:
            self._sweeping = None
        self._finish_namespace_when_empty(namespace)
        return self.store.stored(resource.storage_key, key) or marked, False

    def _finish_namespace_when_empty(self, namespace: str) -> None:
        if not self.store.in_namespace(namespace):
            self._later(NAMESPACE_FINALIZE_SECONDS, lambda: self._finalize_namespace(namespace))

    def _finalize_namespace(self, namespace: str) -> None:
        namespaces = self.store.catalogue.for_storage(NAMESPACES)[0]
        current = self.store.stored(NAMESPACES, ("", namespace))
        if current is None or not current["metadata"].get("deletionTimestamp") or self.store.in_namespace(namespace):
            return
        self._terminating.discard(namespace)
        self.remove(namespaces, ("", namespace), current)

    def delete_collection(
        self,
        resource: ResourceType,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        dry_run: bool = False,
        propagation: str = "Background",
        grace_period_seconds: int | None = None,
    ) -> list[Obj]:
        page = self.store.list(resource, namespace, label_selector=label_selector, field_selector=field_selector)
        deleted = []
        for obj in page.items:
            metadata = obj["metadata"]
            if not self.store.exists(resource, metadata.get("namespace"), metadata["name"]):
                continue  # collected with an owner deleted earlier in this loop
            last, _ = self.delete(
                resource,
                metadata.get("namespace"),
                metadata["name"],
                dry_run=dry_run,
                propagation=propagation,
                grace_period_seconds=grace_period_seconds,
            )
            deleted.append(last)
        return deleted
