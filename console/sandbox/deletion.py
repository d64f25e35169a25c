"""Deletion as the real server and its controllers do it: finalizers, graceful pod deletion, ownerReference
garbage collection (Background, Foreground, Orphan) and namespace termination.

A mixin of `Store` (it uses the store's indexes and `_commit`); timers run on the running asyncio loop —
the server's — and fire at once when no loop runs (in-process use before the server starts).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from console.sandbox import errors
from console.sandbox.objects import now_rfc3339
from console.sandbox.resources import ResourceType

if TYPE_CHECKING:
    from console.sandbox.store import Store

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
    """Delete paths of the store (mixed into `Store`)."""

    grace_cap_seconds: float = GRACE_CAP_SECONDS

    def _init_deletion(self: Store) -> None:
        self._graceful: dict[str, asyncio.TimerHandle | None] = {}  # pod uid → its grace timer
        self._terminating: set[str] = set()  # namespaces being emptied
        self._sweeping: str | None = None

    def _later(self: Store, delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle | None:
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
        self: Store,
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
        old = self.get(resource, namespace, name)
        metadata = old["metadata"]
        for field, value in (preconditions or {}).items():
            actual = metadata.get(field)
            if value and value != actual:
                label = "UID" if field == "uid" else "ResourceVersion"
                raise errors.precondition_failed(resource.plural, resource.group, name, label, value, actual)
        key = self._key(resource, namespace, name)
        if resource.storage_key == NAMESPACES:
            return self._terminate_namespace(resource, key, old, dry_run=dry_run)
        uid = metadata["uid"]
        grace = self._grace(resource, old, grace_period_seconds)
        if metadata.get("deletionTimestamp"):
            if grace == 0 and uid in self._graceful and not metadata.get("finalizers") and not dry_run:
                self._cancel_grace(uid)
                return self._remove(resource, key, old), True
            return old, False
        finalizers = list(metadata.get("finalizers") or [])
        foreground = propagation == "Foreground" and bool(self._dependents.get(uid))
        if foreground and FOREGROUND_FINALIZER not in finalizers:
            finalizers.append(FOREGROUND_FINALIZER)
        if not finalizers and not grace:
            if dry_run:
                return old, True
            if propagation == "Orphan":
                self._orphan_dependents(uid)
            return self._remove(resource, key, old), True
        marked = copy.deepcopy(old)
        marked["metadata"]["deletionTimestamp"] = _timestamp(grace or 0)
        marked["metadata"]["deletionGracePeriodSeconds"] = grace or 0
        marked["metadata"]["finalizers"] = finalizers
        if dry_run:
            return marked, False
        self._commit(resource, key, "MODIFIED", marked, old)
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
        stored = self._bucket(resource).get(key)
        return (stored, False) if stored is not None else (marked, True)

    def _grace(self: Store, resource: ResourceType, obj: Obj, requested: int | None) -> int:
        """Seconds a pod gets to terminate (0 for other kinds, unscheduled and finished pods)."""
        if resource.storage_key != _PODS:
            return 0
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            return 0
        grace = requested if requested is not None else spec.get("terminationGracePeriodSeconds", 30)
        return max(int(grace or 0), 0)

    def _cancel_grace(self: Store, uid: str) -> None:
        timer = self._graceful.pop(uid, None)
        if timer is not None:
            timer.cancel()

    def _grace_expired(self: Store, resource: ResourceType, key: Key, uid: str) -> None:
        """The kubelet is done with the pod: it goes unless finalizers still hold it."""
        self._graceful.pop(uid, None)
        current = self._bucket(resource).get(key)
        if current is None or current["metadata"].get("uid") != uid or current["metadata"].get("finalizers"):
            return
        self._remove(resource, key, current)

    def _finished(self: Store, resource: ResourceType, obj: Obj) -> bool:
        """Whether a marked object may go now (used when an update clears its last finalizer)."""
        metadata = obj["metadata"]
        return (
            bool(metadata.get("deletionTimestamp"))
            and not metadata.get("finalizers")
            and metadata.get("uid") not in self._graceful
            and resource.storage_key != NAMESPACES
        )

    def _remove(self: Store, resource: ResourceType, key: Key, last: Obj) -> Obj:
        final = copy.deepcopy(last)
        self._commit(resource, key, "DELETED", final, last)
        metadata = final["metadata"]
        self._cancel_grace(metadata.get("uid", ""))
        self._collect_dependents(metadata.get("uid", ""))
        for reference in metadata.get("ownerReferences") or ():
            self._release_foreground(reference.get("uid", ""))
        namespace = metadata.get("namespace")
        if namespace in self._terminating and self._sweeping != namespace:
            self._finish_namespace_when_empty(namespace)
        return final

    def _dependent_objects(self: Store, owner_uid: str) -> list[tuple[ResourceType, Key, Obj]]:
        found = []
        for storage_key, key in sorted(self._dependents.get(owner_uid, ())):
            types = self.catalogue.for_storage(storage_key)
            dependent = self._objects.get(storage_key, {}).get(key)
            if types and dependent is not None:
                found.append((types[0], key, dependent))
        return found

    def _without_owner(self: Store, resource: ResourceType, key: Key, dependent: Obj, owner_uid: str) -> None:
        updated = copy.deepcopy(dependent)
        remaining = [ref for ref in updated["metadata"].get("ownerReferences") or [] if ref.get("uid") != owner_uid]
        if remaining:
            updated["metadata"]["ownerReferences"] = remaining
        else:
            updated["metadata"].pop("ownerReferences", None)
        self._commit(resource, key, "MODIFIED", updated, dependent)

    def _orphan_dependents(self: Store, owner_uid: str) -> None:
        for resource, key, dependent in self._dependent_objects(owner_uid):
            self._without_owner(resource, key, dependent, owner_uid)

    def _delete_dependents(self: Store, owner_uid: str, *, propagation: str) -> None:
        """The garbage collector: delete dependents with no other live owner, unlink the others."""
        for resource, key, dependent in self._dependent_objects(owner_uid):
            references = dependent["metadata"].get("ownerReferences") or []
            others = [
                ref
                for ref in references
                if ref.get("uid") != owner_uid
                and ref.get("uid") in self._by_uid
                and not self._being_deleted(ref["uid"])
            ]
            if others:
                self._without_owner(resource, key, dependent, owner_uid)
            elif not dependent["metadata"].get("deletionTimestamp"):
                self.delete(resource, key[0] or None, key[1], propagation=propagation)

    def _collect_dependents(self: Store, owner_uid: str) -> None:
        if self._dependents.get(owner_uid):
            self._delete_dependents(owner_uid, propagation="Background")
        self._dependents.pop(owner_uid, None)

    def _being_deleted(self: Store, uid: str) -> bool:
        obj = self._by_uid_object(uid)
        return obj is not None and bool(obj["metadata"].get("deletionTimestamp"))

    def _by_uid_object(self: Store, uid: str) -> Obj | None:
        location = self._by_uid.get(uid)
        if location is None:
            return None
        return self._objects.get(location[0], {}).get(location[1])

    def _release_foreground(self: Store, owner_uid: str) -> None:
        """Drop `foregroundDeletion` from an owner whose dependents are all gone (and remove it if free)."""
        owner = self._by_uid_object(owner_uid)
        if owner is None or FOREGROUND_FINALIZER not in (owner["metadata"].get("finalizers") or ()):
            return
        if any(True for _ in self._dependent_objects(owner_uid)):
            return
        storage_key, key = self._by_uid[owner_uid]
        resource = self.catalogue.for_storage(storage_key)[0]
        updated = copy.deepcopy(owner)
        finalizers = [item for item in updated["metadata"]["finalizers"] if item != FOREGROUND_FINALIZER]
        updated["metadata"]["finalizers"] = finalizers
        if not finalizers:
            del updated["metadata"]["finalizers"]
        if self._finished(resource, updated):
            self._remove(resource, key, owner)
        else:
            self._commit(resource, key, "MODIFIED", updated, owner)

    def _terminate_namespace(
        self: Store, resource: ResourceType, key: Key, old: Obj, *, dry_run: bool
    ) -> tuple[Obj, bool]:
        """Mark the namespace Terminating, delete its contents, and let it go once it is empty."""
        if old["metadata"].get("deletionTimestamp"):
            return old, False
        marked = copy.deepcopy(old)
        marked["metadata"]["deletionTimestamp"] = now_rfc3339()
        marked["metadata"]["deletionGracePeriodSeconds"] = 0
        marked.setdefault("status", {})["phase"] = "Terminating"
        if dry_run:
            return marked, False
        self._commit(resource, key, "MODIFIED", marked, old)
        namespace = key[1]
        self._terminating.add(namespace)
        self._sweeping = namespace
        try:
            for contained, contained_key, _ in self._namespace_contents(namespace):
                if self._bucket(contained).get(contained_key) is not None:
                    self.delete(contained, namespace, contained_key[1], grace_period_seconds=0)
        finally:
            self._sweeping = None
        self._finish_namespace_when_empty(namespace)
        return self._bucket(resource).get(key) or marked, False

    def _namespace_contents(self: Store, namespace: str) -> list[tuple[ResourceType, Key, Obj]]:
        contents = []
        for storage_key, bucket in list(self._objects.items()):
            types = self.catalogue.for_storage(storage_key)
            if types and types[0].namespaced:
                contents.extend((types[0], key, obj) for key, obj in list(bucket.items()) if key[0] == namespace)
        return contents

    def _finish_namespace_when_empty(self: Store, namespace: str) -> None:
        if not self._namespace_contents(namespace):
            self._later(NAMESPACE_FINALIZE_SECONDS, lambda: self._finalize_namespace(namespace))

    def _finalize_namespace(self: Store, namespace: str) -> None:
        namespaces = self.catalogue.for_storage(NAMESPACES)[0]
        current = self._bucket(namespaces).get(("", namespace))
        if current is None or not current["metadata"].get("deletionTimestamp") or self._namespace_contents(namespace):
            return
        self._terminating.discard(namespace)
        self._remove(namespaces, ("", namespace), current)

    def delete_collection(
        self: Store,
        resource: ResourceType,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        dry_run: bool = False,
        propagation: str = "Background",
        grace_period_seconds: int | None = None,
    ) -> list[Obj]:
        page = self.list(resource, namespace, label_selector=label_selector, field_selector=field_selector)
        deleted = []
        for obj in page.items:
            metadata = obj["metadata"]
            if not self.exists(resource, metadata.get("namespace"), metadata["name"]):
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
