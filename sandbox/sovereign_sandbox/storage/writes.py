"""Writes of the store: create, update, patch (incl. server-side apply) with admission, validation and
managedFields.

A collaborator of `Store`: it reads through the store, commits through `Store.commit`, and hands an update
that releases a marked object (its last finalizer gone) to `Deletion`. Every write but a seed load passes
the registered admission plugins (`self.admission`) before it is validated.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sovereign_sandbox import errors
from sovereign_sandbox.storage import apply, validation
from sovereign_sandbox.storage.admission import CREATE, UPDATE, Admission, AdmissionRequest
from sovereign_sandbox.storage.objects import generate_name, new_uid, now_rfc3339, spec_changed, validate_metadata
from sovereign_sandbox.storage.patches import APPLY_PATCH, PATCHERS
from sovereign_sandbox.storage.resources import ResourceType

if TYPE_CHECKING:
    from sovereign_sandbox.auth.authentication import User
    from sovereign_sandbox.storage.deletion import Deletion
    from sovereign_sandbox.storage.store import Store

__all__ = ["Writes"]

Obj = dict[str, Any]
Key = tuple[str, str]
_NAMESPACES = "/namespaces"


class Writes:
    """Create/update/patch paths of `store` (which exposes them as its own verbs)."""

    def __init__(self, store: Store, deletion: Deletion):
        self.store = store
        self.deletion = deletion
        self.admission = Admission()

    def create(
        self,
        resource: ResourceType,
        namespace: str | None,
        obj: Obj,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        validate: bool = False,
        user: User | None = None,
    ) -> Obj:
        """Store a new object (201 semantics); `namespace` comes from the URL.

        `field_manager` records managedFields (API writes always name one); `validate` runs kind validation;
        `user` is who asks (None: the server itself), for admission.
        """
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise errors.bad_request("metadata: expected an object")
        if resource.namespaced:
            body_namespace = metadata.get("namespace")
            if namespace and body_namespace and body_namespace != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            metadata["namespace"] = namespace or body_namespace or "default"
        else:
            metadata.pop("namespace", None)
        requested_name = metadata.get("name") or metadata.get("generateName") or ""
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = generate_name(metadata["generateName"])
        validate_metadata(resource, new)
        if resource.namespaced:
            owning = self.store.stored(_NAMESPACES, ("", metadata["namespace"]))
            if owning is None:
                raise errors.not_found("namespaces", "", metadata["namespace"])
            if owning["metadata"].get("deletionTimestamp"):
                raise errors.namespace_terminating(
                    resource.plural, resource.group, metadata["name"], metadata["namespace"]
                )
        self.admission.admit(
            AdmissionRequest(CREATE, resource, requested_name, metadata.get("namespace", ""), new, None, user, dry_run)
        )
        key = self.store.key(resource, metadata.get("namespace"), metadata["name"])
        if self.store.stored(resource.storage_key, key) is not None:
            raise errors.already_exists(resource.plural, resource.group, metadata["name"])
        if validate:
            validation.validate(resource, new)
        if field_manager is not None:
            metadata.pop("managedFields", None)
            apply.record_update(resource, None, new, field_manager)
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
        strategy = self.store.strategy(resource.storage_key)
        if strategy is not None:
            strategy.prepare_create(resource, new)
        if dry_run:
            metadata["resourceVersion"] = str(self.store.resource_version)
            return new
        self.store.commit(resource, key, "ADDED", new, None)
        return new

    def load(self, resource: ResourceType, obj: Obj) -> Obj:
        """Insert a seeded object keeping its uid and creationTimestamp; no namespace check, no watch event."""
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if not resource.namespaced:
            metadata.pop("namespace", None)
        elif not metadata.get("namespace"):
            metadata["namespace"] = "default"
        key = self.store.key(resource, metadata.get("namespace"), metadata["name"])
        stored = self._insert(resource, key, new, dry_run=False, keep_identity=True)
        # Seeded objects are the starting state: a watch cannot start before it (like a restarted server).
        self.store.hub.expire_history(self.store.resource_version)
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
        field_manager: str | None = None,
        validate: bool = False,
        user: User | None = None,
    ) -> Obj:
        """PUT: replace the object, 409 if its resourceVersion is stale."""
        old = self.store.get(resource, namespace, name)
        new = copy.deepcopy(obj)
        metadata = new.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise errors.bad_request("metadata: expected an object")
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
        if "managedFields" not in metadata and "managedFields" in old["metadata"]:
            metadata["managedFields"] = copy.deepcopy(old["metadata"]["managedFields"])
        return self._replace(
            resource,
            old,
            new,
            subresource=subresource,
            dry_run=dry_run,
            manager=field_manager,
            validate=validate,
            user=user,
        )

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
        field_manager: str | None = None,
        force: bool = False,
        validate: bool = False,
        user: User | None = None,
    ) -> tuple[Obj, bool]:
        """Apply a patch of `patch_type` (a content type); returns (object, created) — apply may create.

        An apply patch with a `field_manager` is server-side apply (ownership, conflicts, `force`);
        without one it merges like before (in-process callers).
        """
        patcher = PATCHERS.get(patch_type)
        if patcher is None:
            raise errors.unsupported_media_type(patch_type, list(PATCHERS))
        server_side_apply = patch_type == APPLY_PATCH and field_manager is not None
        if patch_type == APPLY_PATCH and not self.store.exists(resource, namespace, name):
            if not isinstance(body, dict):
                raise errors.bad_request("error decoding YAML: the apply patch is not an object")
            body = copy.deepcopy(body)
            body.setdefault("metadata", {})["name"] = name
            if server_side_apply:
                body.pop("status", None)
                body = apply.apply(resource, None, body, field_manager, subresource=subresource)
            return self.create(resource, namespace, body, dry_run=dry_run, validate=validate, user=user), True
        old = self.store.get(resource, namespace, name)
        current_version = old["metadata"]["resourceVersion"]
        if server_side_apply:
            if not isinstance(body, dict):
                raise errors.bad_request("error decoding YAML: the apply patch is not an object")
            wanted = (body.get("metadata") or {}).get("resourceVersion")
            if wanted and wanted != current_version:
                raise errors.conflict(resource.plural, resource.group, name)
            new = apply.apply(resource, old, body, field_manager, force=force, subresource=subresource)
            manager = None
        else:
            new = patcher(copy.deepcopy(old), body, resource)
            manager = field_manager
        new_metadata = new.get("metadata") or {}
        if new_metadata.get("name", name) != name:
            raise errors.bad_request(
                f"the name of the object ({new_metadata.get('name')}) does not match the name on the URL ({name})"
            )
        if new_metadata.get("resourceVersion", current_version) != current_version:
            raise errors.conflict(resource.plural, resource.group, name)
        replaced = self._replace(
            resource,
            old,
            new,
            subresource=subresource,
            dry_run=dry_run,
            manager=manager,
            validate=validate,
            user=user,
        )
        return replaced, False

    def _replace(
        self,
        resource: ResourceType,
        old: Obj,
        new: Obj,
        *,
        subresource: str,
        dry_run: bool,
        manager: str | None = None,
        validate: bool = False,
        user: User | None = None,
    ) -> Obj:
        old_metadata = old["metadata"]
        if subresource == "status":
            # A status write changes only status (the rest of the body is ignored).
            status = new.get("status")
            managed = (new.get("metadata") or {}).get("managedFields")
            new = copy.deepcopy(old)
            if status is None:
                new.pop("status", None)
            else:
                new["status"] = status
            if managed is not None:
                new["metadata"]["managedFields"] = managed
        elif resource.subresource("status") is not None:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        metadata = new.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise errors.bad_request("metadata: expected an object")
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
        self.admission.admit(
            AdmissionRequest(
                UPDATE,
                resource,
                metadata["name"],
                metadata.get("namespace", ""),
                new,
                old,
                user,
                dry_run,
                subresource,
            )
        )
        if validate and not subresource:
            validation.validate(resource, new, old)
        if resource.tracks_generation and spec_changed(old, new):
            metadata["generation"] = old_metadata.get("generation", 0) + 1
        strategy = self.store.strategy(resource.storage_key)
        if strategy is not None:
            strategy.prepare_update(resource, old, new)
        if manager is not None:
            apply.record_update(resource, old, new, manager, subresource=subresource)
        metadata["resourceVersion"] = old_metadata["resourceVersion"]
        if new == old:
            return old  # a no-op write keeps its resourceVersion, as on the real server
        if dry_run:
            return new
        key = self.store.key(resource, metadata.get("namespace"), metadata["name"])
        if self.deletion.released(resource, new):
            return self.deletion.remove(resource, key, new, old)
        self.store.commit(resource, key, "MODIFIED", new, old)
        return new


def _stamped(resource: ResourceType, obj: Obj) -> Obj:
    """The object with its type's kind and apiVersion, listed first as the real server writes them."""
    rest = {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}
    return {"kind": resource.kind, "apiVersion": resource.api_version, **rest}
