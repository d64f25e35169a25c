"""Every write the grant reconciler makes, as the console's service account: bindings (a diff at a time), a
grant's finalizer and its status. Each write is counted and remembered (`RecentWrites`) until the watch
cache shows it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.kube.api import KubeApi, KubeApiError
from console.rbac.bindings import BindingDiff, BindingRef, Update, diff_bindings, ref_of, update_patch
from console.rbac.reconciler_index import BindingIndex, RecentWrites
from console.rbac.useraccess import FINALIZER, GROUP, PLURAL, VERSION

__all__ = ["ReconcileStats", "Writer", "grant_path"]

JsonObject = dict[str, Any]
_WRITES_AT_ONCE = 8  # concurrent binding writes for one grant (a scope matching hundreds of namespaces)


def grant_path(namespace: str, name: str) -> str:
    return f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{PLURAL}/{name}"


@dataclass(slots=True)
class ReconcileStats:
    """What a reconciler did since it was made (tests and the bench read it)."""

    passes: int = 0  # grants reconciled
    binding_creates: int = 0
    binding_updates: int = 0
    binding_deletes: int = 0
    status_writes: int = 0
    finalizer_writes: int = 0
    failures: int = 0  # passes that ended in an error and were queued again

    @property
    def binding_writes(self) -> int:
        return self.binding_creates + self.binding_updates + self.binding_deletes

    @property
    def writes(self) -> int:
        return self.binding_writes + self.status_writes + self.finalizer_writes


class Writer:
    """Writes to the API server for the reconciler, remembering each until the cache shows it."""

    def __init__(self, api: KubeApi, index: BindingIndex, grants: RecentWrites, stats: ReconcileStats) -> None:
        self._api = api
        self._index = index
        self._grants = grants
        self.stats = stats
        self._limit = asyncio.Semaphore(_WRITES_AT_ONCE)

    async def apply(self, diff: BindingDiff, label: str) -> list[str]:
        """Make the diff's writes (new and changed bindings first, so a change of tier never leaves a gap);
        the errors, worded for a condition (empty when every write went through)."""
        errors: list[str] = []

        async def guarded(write: Any, what: str) -> None:
            async with self._limit:
                try:
                    await write
                except KubeApiError as error:
                    errors.append(f"{what}: {error.message or error}")

        first = [guarded(self._create(binding, label), f"create {ref_of(binding)}") for binding in diff.create]
        first += [guarded(self._update(change, label), f"update {change.ref}") for change in diff.update]
        first += [guarded(self._recreate(binding, label), f"recreate {ref_of(binding)}") for binding in diff.recreate]
        await asyncio.gather(*first)
        existing = self._index.current(label)
        await asyncio.gather(
            *(guarded(self._delete(ref, existing.get(ref), label), f"delete {ref}") for ref in diff.delete)
        )
        return sorted(errors)

    async def delete_all(self, label: str) -> list[str]:
        """Delete every binding labelled for this grant; the errors (empty when all went)."""
        existing = self._index.current(label)
        return await self.apply(BindingDiff(delete=tuple(sorted(existing))), label)

    async def _create(self, binding: JsonObject, label: str) -> None:
        ref = ref_of(binding)
        try:
            created = await self._api.post(ref.collection(), binding)
        except KubeApiError as error:
            if error.status != 409:
                raise
            # Ours from before the cache knew it, or someone else's under our name: bring it in line.
            existing = await self._api.get(ref.path())
            diff = diff_bindings([binding], [existing])
            if diff.recreate:
                await self._recreate(binding, label)
            elif diff.update:
                await self._update(diff.update[0], label)
            else:
                self._index.writes.wrote(ref, existing, label)
            return
        self.stats.binding_creates += 1
        self._index.writes.wrote(ref, created, label)

    async def _update(self, change: Update, label: str) -> None:
        updated = await self._api.patch(change.ref.path(), update_patch(change))
        self.stats.binding_updates += 1
        self._index.writes.wrote(change.ref, updated, label)

    async def _recreate(self, binding: JsonObject, label: str) -> None:
        """roleRef cannot change: delete the binding, then create it anew."""
        ref = ref_of(binding)
        await self._delete(ref, None, label)
        created = await self._api.post(ref.collection(), binding)
        self.stats.binding_creates += 1
        self._index.writes.wrote(ref, created, label)

    async def _delete(self, ref: BindingRef, last_seen: JsonObject | None, label: str) -> None:
        try:
            await self._api.delete(ref.path())
        except KubeApiError as error:
            if error.status != 404:
                raise
        else:
            self.stats.binding_deletes += 1
        self._index.writes.deleted(ref, last_seen, label)

    async def set_finalizer(self, grant: Mapping[str, Any], present: bool) -> JsonObject:
        """The grant with our finalizer added (`present`) or removed; written only when that changes it.

        Raises:
            KubeApiError: 409 when the grant changed since it was read (the caller tries again).
        """
        metadata = grant.get("metadata") or {}
        finalizers = [str(item) for item in metadata.get("finalizers") or []]
        if (FINALIZER in finalizers) == present:
            return dict(grant)
        wanted = [*finalizers, FINALIZER] if present else [item for item in finalizers if item != FINALIZER]
        patch = {"metadata": {"finalizers": wanted or None, "resourceVersion": metadata.get("resourceVersion")}}
        updated = await self._api.patch(grant_path(str(metadata.get("namespace")), str(metadata.get("name"))), patch)
        self.stats.finalizer_writes += 1
        self._grants.wrote(f"{metadata.get('namespace')}/{metadata.get('name')}", updated)
        return updated

    async def write_status(self, grant: Mapping[str, Any], status: Mapping[str, Any]) -> None:
        """Store `status` through the status subresource unless it is what the grant already holds."""
        if status == (grant.get("status") or {}):
            return
        metadata = grant.get("metadata") or {}
        namespace, name = str(metadata.get("namespace")), str(metadata.get("name"))
        try:
            updated = await self._api.patch(grant_path(namespace, name) + "/status", {"status": dict(status)})
        except KubeApiError as error:
            if error.status == 404:
                return  # deleted meanwhile
            raise
        self.stats.status_writes += 1
        self._grants.wrote(f"{namespace}/{name}", updated)
