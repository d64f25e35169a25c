"""What every controller shares: the resource types it writes, deterministic names and store writes."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox import errors
from sovereign_sandbox.storage.objects import now_rfc3339
from sovereign_sandbox.storage.resources import Catalogue, ResourceType
from sovereign_sandbox.storage.store import Store

__all__ = ["Kinds", "Writer", "Obj", "safe_hash", "owner_reference", "matches_selector", "now_rfc3339", "is_ready"]

Obj = dict[str, Any]
# The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
MERGE_PATCH = "application/merge-patch+json"


def safe_hash(text: str, length: int) -> str:
    """`length` characters of the safe alphabet derived from `text` (stable across runs)."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    characters = []
    for _ in range(length):
        digest, index = divmod(digest, len(_SAFE_ALPHABET))
        characters.append(_SAFE_ALPHABET[index])
    return "".join(characters)


def template_hash(template: Obj) -> str:
    return safe_hash(json.dumps(template, sort_keys=True, separators=(",", ":")), 10)


def owner_reference(obj: Obj, *, controller: bool = True) -> Obj:
    reference = {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
    }
    if controller:
        reference.update(controller=True, blockOwnerDeletion=True)
    return reference


def controller_of(obj: Obj) -> Obj | None:
    for reference in obj["metadata"].get("ownerReferences") or ():
        if reference.get("controller"):
            return reference
    return None


def matches_selector(selector: Obj | None, labels: dict[str, str] | None) -> bool:
    """A LabelSelector (matchLabels + matchExpressions) against labels; an empty selector matches nothing."""
    if not selector:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or ():
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def is_ready(pod: Obj) -> bool:
    if pod["metadata"].get("deletionTimestamp"):
        return False
    for condition in pod.get("status", {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


@dataclass(frozen=True)
class Kinds:
    """The resource types the simulation reads and writes (as stored)."""

    pod: ResourceType
    node: ResourceType
    deployment: ResourceType
    replica_set: ResourceType
    stateful_set: ResourceType
    daemon_set: ResourceType
    controller_revision: ResourceType
    service: ResourceType
    endpoint_slice: ResourceType
    event: ResourceType
    policy_report: ResourceType | None
    cluster_policy: ResourceType | None
    helm_release: ResourceType | None
    kustomization: ResourceType | None

    @classmethod
    def find(cls, catalogue: Catalogue) -> Kinds:
        def get(group: str, version: str, plural: str) -> Any:
            return catalogue.get(group, version, plural)

        return cls(
            pod=get("", "v1", "pods"),
            node=get("", "v1", "nodes"),
            deployment=get("apps", "v1", "deployments"),
            replica_set=get("apps", "v1", "replicasets"),
            stateful_set=get("apps", "v1", "statefulsets"),
            daemon_set=get("apps", "v1", "daemonsets"),
            controller_revision=get("apps", "v1", "controllerrevisions"),
            service=get("", "v1", "services"),
            endpoint_slice=get("discovery.k8s.io", "v1", "endpointslices"),
            event=get("", "v1", "events"),
            policy_report=get("wgpolicyk8s.io", "v1alpha2", "policyreports"),
            cluster_policy=get("kyverno.io", "v1", "clusterpolicies"),
            helm_release=get("helm.toolkit.fluxcd.io", "v2", "helmreleases"),
            kustomization=get("kustomize.toolkit.fluxcd.io", "v1", "kustomizations"),
        )


class Writer:
    """Store writes as a controller makes them: only when something changed, tolerating races."""

    def __init__(self, store: Store):
        self.store = store

    def get(self, resource: ResourceType, namespace: str | None, name: str) -> Obj | None:
        try:
            return self.store.get(resource, namespace, name)
        except errors.ApiError:
            return None

    def create(self, resource: ResourceType, obj: Obj) -> Obj | None:
        created = self.create_or_refusal(resource, obj)
        return None if isinstance(created, errors.ApiError) else created

    def create_or_refusal(self, resource: ResourceType, obj: Obj) -> Obj | errors.ApiError:
        """Create `obj`, or return why the API server refused it (admission, a namespace going away…)."""
        try:
            return self.store.create(resource, obj["metadata"].get("namespace"), obj)
        except errors.ApiError as error:
            return error

    def replace(self, resource: ResourceType, new: Obj, *, status: bool = False) -> Obj | None:
        """Write `new` (a changed copy of a stored object) if it differs; status=True writes only status."""
        metadata = new["metadata"]
        try:
            return self.store.update(
                resource, metadata.get("namespace"), metadata["name"], new, subresource="status" if status else ""
            )
        except errors.ApiError:
            return None

    def set_status(self, resource: ResourceType, obj: Obj, status: Obj) -> Obj | None:
        if obj.get("status") == status:
            return obj
        new = copy.copy(obj)
        new["metadata"] = dict(obj["metadata"])
        new["status"] = status
        return self.replace(resource, new, status=True)

    def merge(self, resource: ResourceType, obj: Obj, patch: Obj) -> Obj | None:
        metadata = obj["metadata"]
        try:
            return self.store.patch(resource, metadata.get("namespace"), metadata["name"], MERGE_PATCH, patch)[0]
        except errors.ApiError:
            return None

    def delete(self, resource: ResourceType, obj: Obj) -> bool:
        metadata = obj["metadata"]
        try:
            self.store.delete(resource, metadata.get("namespace"), metadata["name"])
        except errors.ApiError:
            return False
        return True
