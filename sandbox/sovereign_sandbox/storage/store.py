"""The object store: every resource type keyed by (storage, namespace, name), one global resourceVersion.

The store owns the objects, their indexes and the watch hub; its write paths live in two collaborators,
`Writes` (create, update, patch, apply) and `Deletion` (finalizers, grace, garbage collection, namespaces),
which change objects only through `commit`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sovereign_sandbox import errors
from sovereign_sandbox.storage.deletion import Deletion
from sovereign_sandbox.storage.pagination import Snapshots, decode_continue, encode_continue
from sovereign_sandbox.storage.resources import Catalogue, ResourceType
from sovereign_sandbox.storage.selectors import SelectorError, parse_field_selector, parse_label_selector
from sovereign_sandbox.storage.watch import INITIAL_EVENTS_END, Change, Watcher, WatchHub
from sovereign_sandbox.storage.writes import Writes

__all__ = ["ListPage", "Store", "Strategy", "Observer", "Key"]

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)
_log = logging.getLogger(__name__)


class Strategy(Protocol):
    """Kind-specific behaviour run inside a write (defaults, status the server owns, validation)."""

    def prepare_create(self, resource: ResourceType, obj: Obj) -> None: ...

    def prepare_update(self, resource: ResourceType, old: Obj, new: Obj) -> None: ...


# Called after every committed change: (change, resource type of the storage); used to serve CRDs live.
Observer = Callable[[Change], None]


@dataclass(frozen=True, slots=True)
class ListPage:
    items: list[Obj]
    resource_version: str
    continue_token: str = ""
    remaining: int | None = None


class Store:
    """Synchronous and single-threaded: call it only from the server's event loop (or before it starts).

    Stored objects are never mutated in place; every write stores a new dict, so returned objects are
    read-only snapshots that callers copy before changing. The write verbs (`create`, `update`, `patch`,
    `load`, `delete`, `delete_collection`) are those of its `writes` and `deletion` collaborators.
    """

    def __init__(self, catalogue: Catalogue, *, history_size: int = 10_000, snapshot_count: int = 64):
        self.catalogue = catalogue
        self.hub = WatchHub(history_size)
        self._objects: dict[str, dict[Key, Obj]] = {}
        self._sorted: dict[str, list[Key]] = {}
        self._by_uid: dict[str, tuple[str, Key]] = {}
        self._dependents: dict[str, set[tuple[str, Key]]] = {}
        self._snapshots = Snapshots(snapshot_count)
        self._strategies: dict[str, Strategy] = {}
        self._observers: list[Observer] = []
        self._version = 0
        self.deletion = Deletion(self)
        self.writes = Writes(self, self.deletion)
        self.create = self.writes.create
        self.update = self.writes.update
        self.patch = self.writes.patch
        self.load = self.writes.load
        self.delete = self.deletion.delete
        self.delete_collection = self.deletion.delete_collection

    @property
    def resource_version(self) -> int:
        return self._version

    def register_strategy(self, storage_key: str, strategy: Strategy) -> None:
        self._strategies[storage_key] = strategy

    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def strategy(self, storage_key: str) -> Strategy | None:
        return self._strategies.get(storage_key)

    def _bucket(self, resource: ResourceType) -> dict[Key, Obj]:
        return self._objects.setdefault(resource.storage_key, {})

    @staticmethod
    def key(resource: ResourceType, namespace: str | None, name: str) -> Key:
        return (namespace or "", name) if resource.namespaced else ("", name)

    def stored(self, storage_key: str, key: Key) -> Obj | None:
        """The stored object at `key`, or None."""
        return self._objects.get(storage_key, {}).get(key)

    def get(self, resource: ResourceType, namespace: str | None, name: str) -> Obj:
        found = self._bucket(resource).get(self.key(resource, namespace, name))
        if found is None:
            raise errors.not_found(resource.plural, resource.group, name)
        return found

    def exists(self, resource: ResourceType, namespace: str | None, name: str) -> bool:
        return self.key(resource, namespace, name) in self._bucket(resource)

    def object_by_uid(self, uid: str) -> tuple[ResourceType, Key, Obj] | None:
        location = self._by_uid.get(uid)
        if location is None:
            return None
        storage_key, key = location
        obj = self.stored(storage_key, key)
        types = self.catalogue.for_storage(storage_key)
        return (types[0], key, obj) if types and obj is not None else None

    def dependents(self, owner_uid: str) -> list[tuple[ResourceType, Key, Obj]]:
        """The stored objects whose ownerReferences name `owner_uid`, in key order."""
        found: list[tuple[ResourceType, Key, Obj]] = []
        for storage_key, key in sorted(self._dependents.get(owner_uid, ())):
            types = self.catalogue.for_storage(storage_key)
            dependent = self.stored(storage_key, key)
            if types and dependent is not None:
                found.append((types[0], key, dependent))
        return found

    def forget_dependents(self, owner_uid: str) -> None:
        """Drop the index entry of an owner that is gone (its dependents were collected or orphaned)."""
        self._dependents.pop(owner_uid, None)

    def in_namespace(self, namespace: str) -> list[tuple[ResourceType, Key, Obj]]:
        """Every stored object of every namespaced type in `namespace`."""
        contents: list[tuple[ResourceType, Key, Obj]] = []
        for storage_key, bucket in list(self._objects.items()):
            types = self.catalogue.for_storage(storage_key)
            if types and types[0].namespaced:
                contents.extend((types[0], key, obj) for key, obj in list(bucket.items()) if key[0] == namespace)
        return contents

    def _sorted_objects(self, resource: ResourceType, namespace: str | None) -> list[Obj]:
        bucket = self._bucket(resource)
        keys = self._sorted.get(resource.storage_key)
        if keys is None:
            keys = self._sorted[resource.storage_key] = sorted(bucket)
        if namespace:
            return [bucket[key] for key in keys if key[0] == namespace]
        return [bucket[key] for key in keys]

    def list(
        self,
        resource: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
        resource_version: str = "",
    ) -> ListPage:
        """A list (or one page of it); pages after the first come from the first page's snapshot."""
        labels, fields = self._selectors(resource, label_selector, field_selector)
        if continue_token:
            if resource_version not in ("", "0"):
                raise errors.bad_request("specifying resource version is not allowed when using continue")
            snapshot_id, list_version, start = decode_continue(continue_token)
            snapshot = self._snapshots.get(snapshot_id)
        else:
            snapshot, list_version, start = self._sorted_objects(resource, namespace), self._version, 0
        selecting = not (labels.empty and fields.empty)
        items: list[Obj] = []
        position = start
        while position < len(snapshot) and not (limit and len(items) >= limit):
            obj = snapshot[position]
            position += 1
            if not selecting or (labels.matches(obj) and fields.matches(obj)):
                items.append(obj)
        if not limit or position >= len(snapshot):
            return ListPage(items, str(list_version))
        if not continue_token:
            snapshot_id = self._snapshots.keep(snapshot)
        token = encode_continue(snapshot_id, list_version, position)
        # The real server only counts the rest when no selector filters it.
        remaining = None if selecting else len(snapshot) - position
        return ListPage(items, str(list_version), token, remaining)

    def _selectors(self, resource: ResourceType, label_selector: str, field_selector: str):
        try:
            labels = parse_label_selector(label_selector)
        except SelectorError as error:
            raise errors.bad_request(str(error)) from None
        try:
            # kubectl itself prefixes `Unable to find "<resource>" that match …:`; the server sends the cause.
            fields = parse_field_selector(field_selector, resource.group, resource.plural)
        except SelectorError as error:
            raise errors.bad_request(str(error)) from None
        return labels, fields

    def commit(self, resource: ResourceType, key: Key, event_type: str, new: Obj, old: Obj | None) -> None:
        """Store `new` at `key` (or remove it for DELETED) under the next resourceVersion and tell watchers.

        The only way objects change: `Writes` and `Deletion` call it, so every change is recorded and fanned out.
        """
        self._version += 1
        new["metadata"]["resourceVersion"] = str(self._version)
        storage_key = resource.storage_key
        bucket = self._bucket(resource)
        if old is not None:
            self._unindex(storage_key, key, old)
        if event_type == "DELETED":
            del bucket[key]
        else:
            bucket[key] = new
            self._index(storage_key, key, new)
        if event_type != "MODIFIED":
            self._sorted.pop(storage_key, None)
        change = Change(self._version, event_type, storage_key, new, old)
        self.hub.record(change)
        for observer in self._observers:
            try:
                observer(change)
            except Exception:  # the write is committed; one observer's failure must not undo or stop it
                _log.exception("sandbox: store observer failed on %s %s", event_type, key)

    def _index(self, storage_key: str, key: Key, obj: Obj) -> None:
        self._by_uid[obj["metadata"]["uid"]] = (storage_key, key)
        for reference in obj["metadata"].get("ownerReferences") or ():
            self._dependents.setdefault(reference.get("uid", ""), set()).add((storage_key, key))

    def _unindex(self, storage_key: str, key: Key, obj: Obj) -> None:
        self._by_uid.pop(obj["metadata"].get("uid", ""), None)
        for reference in obj["metadata"].get("ownerReferences") or ():
            self._dependents.get(reference.get("uid", ""), set()).discard((storage_key, key))

    def watch(
        self,
        resource: ResourceType,
        namespace: str | None = None,
        *,
        resource_version: str = "",
        label_selector: str = "",
        field_selector: str = "",
        send_initial_events: bool | None = None,
    ) -> Watcher:
        """Open a watch; the caller drains `watcher.queue` and calls `stop_watch` when the client goes away."""
        labels, fields = self._selectors(resource, label_selector, field_selector)
        watcher = Watcher(resource.storage_key, namespace, labels, fields)
        requested: int | None = None
        if resource_version not in ("", "0"):
            try:
                requested = int(resource_version)
            except ValueError:
                raise errors.bad_request(f'invalid resource version "{resource_version}"') from None
        initial: Iterable[Obj] = ()
        end_bookmark = None
        since = requested
        if send_initial_events:
            # A watch-list starts from the current state; the requested version is only a lower bound.
            initial, since = self._sorted_objects(resource, namespace), None
            end_bookmark = self.bookmark(resource, initial_events_end=True)
        elif send_initial_events is None and requested is None:
            initial = self._sorted_objects(resource, namespace)
        elif requested is None:
            since = self._version
        return self.hub.start(watcher, since, self._version, initial, end_bookmark)

    def bookmark(self, resource: ResourceType, *, initial_events_end: bool = False) -> Obj:
        metadata: dict[str, Any] = {"resourceVersion": str(self._version)}
        if initial_events_end:
            metadata["annotations"] = {INITIAL_EVENTS_END: "true"}
        return {"kind": resource.kind, "apiVersion": resource.api_version, "metadata": metadata}

    def stop_watch(self, watcher: Watcher) -> None:
        self.hub.stop(watcher)

    def expire_history(self) -> None:
        """Fault injection: drop the watch history (old-version watches get 410) and every list snapshot."""
        self.hub.expire_history(self._version)
        self._snapshots.clear()

    def expire_next_watches(self, count: int = 1) -> None:
        """Fault injection: the next `count` watches from a resourceVersion answer 410 Expired."""
        self.hub.expire_next_watches(count)

    def drop_watches(self) -> int:
        """Fault injection: end every open watch stream; returns how many were open."""
        return self.hub.drop_watches()
