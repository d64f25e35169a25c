"""The object store: every resource type keyed by (storage, namespace, name), one global resourceVersion."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from console.sandbox import errors
from console.sandbox.objects import generate_name, new_uid, now_rfc3339, spec_changed, validate_metadata
from console.sandbox.pagination import Snapshots, decode_continue, encode_continue
from console.sandbox.patches import APPLY_PATCH, PATCHERS
from console.sandbox.resources import Catalogue, ResourceType
from console.sandbox.selectors import SelectorError, parse_field_selector, parse_label_selector
from console.sandbox.watch import INITIAL_EVENTS_END, Change, Watcher, WatchHub

__all__ = ["ListPage", "Store", "Strategy", "Observer"]

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)
_NAMESPACES = "/namespaces"


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
    read-only snapshots that callers copy before changing.
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

    @property
    def resource_version(self) -> int:
        return self._version

    def register_strategy(self, storage_key: str, strategy: Strategy) -> None:
        self._strategies[storage_key] = strategy

    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def _bucket(self, resource: ResourceType) -> dict[Key, Obj]:
        return self._objects.setdefault(resource.storage_key, {})

    def _key(self, resource: ResourceType, namespace: str | None, name: str) -> Key:
        return (namespace or "", name) if resource.namespaced else ("", name)

    def get(self, resource: ResourceType, namespace: str | None, name: str) -> Obj:
        found = self._bucket(resource).get(self._key(resource, namespace, name))
        if found is None:
            raise errors.not_found(resource.plural, resource.group, name)
        return found

    def exists(self, resource: ResourceType, namespace: str | None, name: str) -> bool:
        return self._key(resource, namespace, name) in self._bucket(resource)

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

    def create(self, resource: ResourceType, namespace: str | None, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Store a new object (201 semantics); `namespace` comes from the URL."""
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if resource.namespaced:
            body_namespace = metadata.get("namespace")
            if namespace and body_namespace and body_namespace != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            metadata["namespace"] = namespace or body_namespace or "default"
        else:
            metadata.pop("namespace", None)
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = generate_name(metadata["generateName"])
        validate_metadata(resource, new)
        if resource.namespaced and ("", metadata["namespace"]) not in self._objects.get(_NAMESPACES, {}):
            raise errors.not_found("namespaces", "", metadata["namespace"])
        key = self._key(resource, metadata.get("namespace"), metadata["name"])
        if key in self._bucket(resource):
            raise errors.already_exists(resource.plural, resource.group, metadata["name"])
        return self._insert(resource, key, new, dry_run=dry_run, keep_identity=False)

    def _insert(self, resource: ResourceType, key: Key, new: Obj, *, dry_run: bool, keep_identity: bool) -> Obj:
        new = _stamped(resource, new)
        metadata = new["metadata"]
        if not keep_identity or not metadata.get("uid"):
            metadata["uid"] = new_uid()
        if not keep_identity or not metadata.get("creationTimestamp"):
            metadata["creationTimestamp"] = now_rfc3339()
        for server_owned in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
            metadata.pop(server_owned, None)
        if not resource.tracks_generation:
            metadata.pop("generation", None)
        elif not keep_identity or not metadata.get("generation"):
            metadata["generation"] = 1
        strategy = self._strategies.get(resource.storage_key)
        if strategy is not None:
            strategy.prepare_create(resource, new)
        if dry_run:
            metadata["resourceVersion"] = str(self._version)
            return new
        self._commit(resource, key, "ADDED", new, None)
        return new

    def load(self, resource: ResourceType, obj: Obj) -> Obj:
        """Insert a seeded object keeping its uid and creationTimestamp; no namespace check, no watch event."""
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if not resource.namespaced:
            metadata.pop("namespace", None)
        elif not metadata.get("namespace"):
            metadata["namespace"] = "default"
        key = self._key(resource, metadata.get("namespace"), metadata["name"])
        stored = self._insert(resource, key, new, dry_run=False, keep_identity=True)
        # Seeded objects are the starting state: a watch cannot start before it (like a restarted server).
        self.hub.expire_history(self._version)
        return stored

    def update(
        self,
        resource: ResourceType,
        namespace: str | None,
        name: str,
        obj: Obj,
        *,
        subresource: str = "",
        dry_run: bool = False,
    ) -> Obj:
        """PUT: replace the object, 409 if its resourceVersion is stale."""
        old = self.get(resource, namespace, name)
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if metadata.get("name") not in (None, name):
            raise errors.bad_request(
                f"the name of the object ({metadata['name']}) does not match the name on the URL ({name})"
            )
        version = metadata.get("resourceVersion")
        if not version and resource.custom:
            raise errors.invalid(
                resource.kind,
                resource.group,
                name,
                [
                    {
                        "reason": "FieldValueInvalid",
                        "message": "Invalid value: 0x0: must be specified for an update",
                        "field": "metadata.resourceVersion",
                    }
                ],
            )
        if version and version != old["metadata"]["resourceVersion"]:
            raise errors.conflict(resource.plural, resource.group, name)
        return self._replace(resource, old, new, subresource=subresource, dry_run=dry_run)

    def patch(
        self,
        resource: ResourceType,
        namespace: str | None,
        name: str,
        patch_type: str,
        body: Any,
        *,
        subresource: str = "",
        dry_run: bool = False,
    ) -> tuple[Obj, bool]:
        """Apply a patch of `patch_type` (a content type); returns (object, created) — apply may create."""
        patcher = PATCHERS.get(patch_type)
        if patcher is None:
            raise errors.unsupported_media_type(patch_type, list(PATCHERS))
        if patch_type == APPLY_PATCH and not self.exists(resource, namespace, name):
            body = copy.deepcopy(body)
            body.setdefault("metadata", {})["name"] = name
            return self.create(resource, namespace, body, dry_run=dry_run), True
        old = self.get(resource, namespace, name)
        new = patcher(copy.deepcopy(old), body, resource)
        new_metadata = new.get("metadata") or {}
        if new_metadata.get("name", name) != name:
            raise errors.bad_request(
                f"the name of the object ({new_metadata.get('name')}) does not match the name on the URL ({name})"
            )
        current_version = old["metadata"]["resourceVersion"]
        if new_metadata.get("resourceVersion", current_version) != current_version:
            raise errors.conflict(resource.plural, resource.group, name)
        return self._replace(resource, old, new, subresource=subresource, dry_run=dry_run), False

    def _replace(self, resource: ResourceType, old: Obj, new: Obj, *, subresource: str, dry_run: bool) -> Obj:
        old_metadata = old["metadata"]
        if subresource == "status":
            # A status write changes only status (the rest of the body is ignored).
            status = new.get("status")
            new = copy.deepcopy(old)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
        elif resource.subresource("status") is not None:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        metadata = new.setdefault("metadata", {})
        for server_owned in (
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "name",
            "namespace",
            "generation",
        ):
            if server_owned in old_metadata:
                metadata[server_owned] = old_metadata[server_owned]
            else:
                metadata.pop(server_owned, None)
        new = _stamped(resource, new)
        if resource.tracks_generation and spec_changed(old, new):
            metadata["generation"] = old_metadata.get("generation", 0) + 1
        strategy = self._strategies.get(resource.storage_key)
        if strategy is not None:
            strategy.prepare_update(resource, old, new)
        metadata["resourceVersion"] = old_metadata["resourceVersion"]
        if new == old:
            return old  # a no-op write keeps its resourceVersion, as on the real server
        if dry_run:
            return new
        key = self._key(resource, metadata.get("namespace"), metadata["name"])
        if metadata.get("deletionTimestamp") and not metadata.get("finalizers"):
            return self._remove(resource, key, new)
        self._commit(resource, key, "MODIFIED", new, old)
        return new

    def delete(
        self,
        resource: ResourceType,
        namespace: str | None,
        name: str,
        *,
        dry_run: bool = False,
        propagation: str = "Background",
        preconditions: dict[str, str] | None = None,
    ) -> tuple[Obj, bool]:
        """Delete (or, with finalizers, mark for deletion); returns (last state, deleted now)."""
        old = self.get(resource, namespace, name)
        for field, value in (preconditions or {}).items():
            actual = old["metadata"].get(field)
            if value and value != actual:
                label = "UID" if field == "uid" else "ResourceVersion"
                error = errors.conflict(resource.plural, resource.group, name)
                error.message = (
                    f"Operation cannot be fulfilled on {errors.qualified(resource.plural, resource.group)} "
                    f'"{name}": Precondition failed: {label} in precondition: {value}, {label} in object meta: {actual}'
                )
                raise error
        key = self._key(resource, namespace, name)
        if old["metadata"].get("finalizers"):
            if old["metadata"].get("deletionTimestamp"):
                return old, False
            marked = copy.deepcopy(old)
            marked["metadata"]["deletionTimestamp"] = now_rfc3339()
            marked["metadata"]["deletionGracePeriodSeconds"] = 0
            if not dry_run:
                self._commit(resource, key, "MODIFIED", marked, old)
            return marked, False
        if dry_run:
            return old, True
        if resource.storage_key == _NAMESPACES:
            self._delete_namespace_contents(name)
        deleted = self._remove(resource, key, old)
        self._collect_dependents(old["metadata"]["uid"], orphan=propagation == "Orphan")
        return deleted, True

    def _remove(self, resource: ResourceType, key: Key, last: Obj) -> Obj:
        final = copy.deepcopy(last)
        self._commit(resource, key, "DELETED", final, last)
        return final

    def _delete_namespace_contents(self, namespace: str) -> None:
        for storage_key, bucket in list(self._objects.items()):
            types = self.catalogue.for_storage(storage_key)
            if not types or not types[0].namespaced:
                continue
            for key in [key for key in bucket if key[0] == namespace]:
                self._remove(types[0], key, bucket[key])

    def _collect_dependents(self, owner_uid: str, *, orphan: bool) -> None:
        """Garbage-collect (or orphan) the objects whose ownerReferences name a deleted owner."""
        for storage_key, key in list(self._dependents.pop(owner_uid, ())):
            types = self.catalogue.for_storage(storage_key)
            dependent = self._objects.get(storage_key, {}).get(key)
            if not types or dependent is None:
                continue
            references = dependent["metadata"].get("ownerReferences") or []
            remaining = [ref for ref in references if ref.get("uid") != owner_uid]
            if orphan or any(ref.get("uid") in self._by_uid for ref in remaining):
                updated = copy.deepcopy(dependent)
                updated["metadata"]["ownerReferences"] = remaining
                if not remaining:
                    del updated["metadata"]["ownerReferences"]
                self._commit(types[0], key, "MODIFIED", updated, dependent)
            else:
                self.delete(types[0], key[0] or None, key[1])

    def delete_collection(
        self,
        resource: ResourceType,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        dry_run: bool = False,
    ) -> list[Obj]:
        page = self.list(resource, namespace, label_selector=label_selector, field_selector=field_selector)
        deleted = []
        for obj in page.items:
            metadata = obj["metadata"]
            deleted.append(self.delete(resource, metadata.get("namespace"), metadata["name"], dry_run=dry_run)[0])
        return deleted

    def _commit(self, resource: ResourceType, key: Key, event_type: str, new: Obj, old: Obj | None) -> None:
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
            observer(change)

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


def _stamped(resource: ResourceType, obj: Obj) -> Obj:
    """The object with its type's kind and apiVersion, listed first as the real server writes them."""
    rest = {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}
    return {"kind": resource.kind, "apiVersion": resource.api_version, **rest}
