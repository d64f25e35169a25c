"""What the grant reconciler knows of the cluster between watch events: the managed bindings by grant (from
the shared watch cache's journals) and its own recent writes, which the watches may not have delivered yet.

Without the writes a pass right after another (our own status write wakes the grant again) would find the
bindings it just created missing from the cache and try to create them again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from console.kube.kind_watch import KindWatch
from console.kube.objects import labels_of, resource_version_of
from console.rbac.bindings import MANAGED_BY, MANAGED_BY_LABEL, USERACCESS_LABEL, BindingRef

__all__ = ["BindingIndex", "RecentWrites"]

JsonObject = dict[str, Any]
_WRITE_TTL_SECONDS = 30.0  # a write the watch has not shown by then is forgotten (the cache is trusted again)


def _version(obj: JsonObject | None) -> int | None:
    """The resourceVersion as a number when it is one (etcd's and the sandbox's are); None otherwise."""
    raw = resource_version_of(obj) if obj else ""
    return int(raw) if raw.isdigit() else None


@dataclass(slots=True)
class _Write:
    group: str  # the grant label (bindings) or "" (grants themselves)
    obj: JsonObject | None  # None: deleted
    version: int | None  # the written object's resourceVersion (of the deleted object for a deletion)
    expires: float


class RecentWrites:
    """Objects this process wrote, each kept until the watch cache holds that version or a newer one."""

    def __init__(self, ttl: float = _WRITE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._writes: dict[Hashable, _Write] = {}
        self._groups: dict[str, set[Hashable]] = {}

    def __len__(self) -> int:
        return len(self._writes)

    def wrote(self, key: Hashable, obj: JsonObject, group: str = "") -> None:
        self._put(key, _Write(group, obj, _version(obj), self._clock() + self._ttl))

    def deleted(self, key: Hashable, last_seen: JsonObject | None, group: str = "") -> None:
        self._put(key, _Write(group, None, _version(last_seen), self._clock() + self._ttl))

    def _put(self, key: Hashable, write: _Write) -> None:
        self._drop(key)
        self._writes[key] = write
        self._groups.setdefault(write.group, set()).add(key)

    def _drop(self, key: Hashable) -> None:
        write = self._writes.pop(key, None)
        if write is not None:
            members = self._groups.get(write.group)
            if members is not None:
                members.discard(key)
                if not members:
                    del self._groups[write.group]

    def pick(self, key: Hashable, cached: JsonObject | None) -> JsonObject | None:
        """The fresher of the cached object and what we wrote (None: it does not exist)."""
        write = self._writes.get(key)
        if write is None:
            return cached
        if self._clock() > write.expires:
            self._drop(key)
            return cached
        cached_version = _version(cached)
        if write.obj is None:
            if cached is None:
                self._drop(key)  # the watch saw the deletion
                return None
            if cached_version is not None and write.version is not None and cached_version > write.version:
                self._drop(key)  # created again since
                return cached
            return None
        if cached_version is not None and write.version is not None and cached_version >= write.version:
            self._drop(key)
            return cached
        return write.obj

    def keys_of(self, group: str) -> set[Hashable]:
        return set(self._groups.get(group, ()))

    def groups(self) -> set[str]:
        """Every group some remembered write belongs to."""
        return {group for group in self._groups if group}


class BindingIndex:
    """Our RoleBindings and ClusterRoleBindings (managed-by sovereign-console) by the grant label they carry,
    kept from the cache's journals (a full pass over a kind only when its journal no longer reaches back)."""

    def __init__(self) -> None:
        self._by_label: dict[str, dict[BindingRef, JsonObject]] = {}
        self._label_of: dict[BindingRef, str] = {}
        self._bookmarks: dict[str, int] = {}
        self.writes = RecentWrites()

    def absorb(self, kind: str, watch: KindWatch) -> set[str]:
        """Take in what changed in `watch` (of `kind`) since the last call; the grant labels it touched."""
        bookmark = self._bookmarks.get(kind)
        keys = watch.changed_since(bookmark) if bookmark is not None else None
        self._bookmarks[kind] = watch.change_count
        touched: set[str] = set()
        if keys is None:
            for ref in [ref for ref in self._label_of if ref.kind == kind]:
                touched.add(self._remove(ref))
            for obj in watch.objects():
                touched |= self._put(kind, obj)
            return touched
        for key in dict.fromkeys(keys):
            namespace, _, name = key.rpartition("/")
            ref = BindingRef(kind, namespace, name)
            if ref in self._label_of:
                touched.add(self._remove(ref))
            found = watch.get(key)
            if found is not None:
                touched |= self._put(kind, found)
        return touched

    def _put(self, kind: str, obj: JsonObject) -> set[str]:
        labels = labels_of(obj)
        label = labels.get(USERACCESS_LABEL)
        if not label or labels.get(MANAGED_BY_LABEL) != MANAGED_BY:
            return set()  # not ours (another controller's, say): never compared, never removed
        metadata = obj.get("metadata") or {}
        ref = BindingRef(kind, str(metadata.get("namespace") or ""), str(metadata.get("name") or ""))
        self._by_label.setdefault(label, {})[ref] = obj
        self._label_of[ref] = label
        return {label}

    def _remove(self, ref: BindingRef) -> str:
        label = self._label_of.pop(ref)
        bound = self._by_label.get(label)
        if bound is not None:
            bound.pop(ref, None)
            if not bound:
                del self._by_label[label]
        return label

    def labels(self) -> set[str]:
        """Every grant label some binding carries (with our not-yet-seen creations)."""
        return set(self._by_label) | self.writes.groups()

    def current(self, label: str) -> dict[BindingRef, JsonObject]:
        """The bindings labelled for this grant now: the cache's, corrected by our recent writes."""
        cached = self._by_label.get(label, {})
        refs: set[Any] = set(cached) | self.writes.keys_of(label)
        current = {}
        for ref in refs:
            obj = self.writes.pick(ref, cached.get(ref))
            if obj is not None:
                current[ref] = obj
        return current
