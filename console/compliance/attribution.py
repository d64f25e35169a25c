"""Where a resource belongs: application, environment and organization, read on labels (compliance.md).

The labels come from the watch cache's objects, kept here as small facts (labels and owners) per kind. A Pod
falls back to its owner workload (Pod → ReplicaSet → Deployment, or a StatefulSet, DaemonSet or Job
directly); environment and organization fall back to the namespace. A resource the cache does not hold
(yet) has no labels of its own: only its namespace's count. Each attribution says which cached objects it
read (present or not), so a change to one of them re-attributes exactly the resources that read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from console.compliance.model import Attribution, ResourceRef
from console.kube.objects import labels_of, metadata_of, name_of, namespace_of, resource_version_of

__all__ = [
    "APPLICATION_LABELS",
    "ENVIRONMENT_LABELS",
    "LABELLED_KINDS",
    "ORGANIZATION_LABELS",
    "WORKLOAD_KINDS",
    "Attributed",
    "ContextKey",
    "LabelIndex",
    "ObjectFacts",
    "attribute",
    "first_label",
]

# First label present wins, in this order.
APPLICATION_LABELS = (
    "catalyst.openova.io/application",
    "openova.io/application",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/name",
)
ENVIRONMENT_LABELS = ("catalyst.openova.io/environment", "openova.io/environment")
ORGANIZATION_LABELS = ("catalyst.openova.io/organization", "openova.io/organization")

# The workloads the dashboard's coverage counts ("412 of 530 workloads evaluated").
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
# Kinds whose labels attribution reads (a Pod's owners directly, a ReplicaSet on the way to its Deployment).
LABELLED_KINDS = ("Namespace", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod", "Job")
_POD_OWNERS = frozenset({"StatefulSet", "DaemonSet", "Job", "Deployment", "ReplicaSet"})

ContextKey = tuple[str, str, str]  # (lower-case kind, namespace, name) of a cached object


def first_label(labels: Mapping[str, str], keys: Iterable[str]) -> str:
    """The value of the first of `keys` present with a non-empty value ("" when none is)."""
    for key in keys:
        value = labels.get(key)
        if value:
            return value
    return ""


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """What attribution reads of one cached object."""

    labels: Mapping[str, str]
    owners: tuple[tuple[str, str], ...]  # (kind, name) of its ownerReferences, the controller first


def _owners(obj: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    references = metadata_of(obj).get("ownerReferences")
    if not isinstance(references, list):
        return ()
    readable = [ref for ref in references if isinstance(ref, dict) and ref.get("kind") and ref.get("name")]
    readable.sort(key=lambda ref: ref.get("controller") is not True)  # stable: the controller first
    return tuple((str(ref["kind"]), str(ref["name"])) for ref in readable)


def _facts(obj: dict[str, Any]) -> ObjectFacts:
    return ObjectFacts(labels_of(obj), _owners(obj))


class LabelIndex:
    """The labels and owners of the cached objects attribution reads, replaced one kind at a time."""

    def __init__(self) -> None:
        # lower-case kind → (namespace, name) → (resourceVersion, facts)
        self._kinds: dict[str, dict[tuple[str, str], tuple[str, ObjectFacts]]] = {}

    def replace(self, kind: str, objects: Iterable[object]) -> set[ContextKey]:
        """Hold these objects as all there is of `kind`; return the keys whose labels or owners changed.

        A new resourceVersion alone (a Pod's status moving) is no change: only what attribution reads counts.
        """
        kind = kind.lower()
        old = self._kinds.get(kind, {})
        new: dict[tuple[str, str], tuple[str, ObjectFacts]] = {}
        changed: set[ContextKey] = set()
        for obj in objects:
            if not isinstance(obj, dict) or not name_of(obj):
                continue
            key = (namespace_of(obj), name_of(obj))
            version = resource_version_of(obj)
            before = old.get(key)
            if before is not None and version and before[0] == version:
                new[key] = before
                continue
            facts = _facts(obj)
            new[key] = (version, facts)
            if before is None or before[1] != facts:
                changed.add((kind, *key))
        changed.update((kind, *key) for key in old.keys() - new.keys())
        self._kinds[kind] = new
        return changed

    def facts(self, kind: str, namespace: str, name: str) -> ObjectFacts | None:
        entry = self._kinds.get(kind.lower(), {}).get((namespace, name))
        return entry[1] if entry is not None else None

    def names(self, kind: str) -> Iterator[tuple[str, str]]:
        """(namespace, name) of every held object of the kind."""
        return iter(list(self._kinds.get(kind.lower(), {})))


@dataclass(frozen=True, slots=True)
class Attributed:
    """A resource's attribution and what it was read from."""

    attribution: Attribution
    workload: str  # key of the Deployment/StatefulSet/DaemonSet this resource is or belongs to (pods); "" else
    depends_on: frozenset[ContextKey]  # the cached objects read (or looked for), for re-attribution


_NO_LABELS: Mapping[str, str] = {}


def _pod_owner(namespace: str, pod: ObjectFacts, index: LabelIndex, read: set[ContextKey]) -> tuple[str, str] | None:
    """(kind, name) of the workload a Pod belongs to: its controller, through a ReplicaSet to a Deployment."""
    for kind, name in pod.owners[:1]:
        if kind not in _POD_OWNERS:
            return None
        if kind != "ReplicaSet":
            return kind, name
        read.add(("replicaset", namespace, name))
        replica_set = index.facts("ReplicaSet", namespace, name)
        if replica_set is not None:
            for owner_kind, owner_name in replica_set.owners[:1]:
                if owner_kind == "Deployment":
                    return owner_kind, owner_name
        return kind, name  # a bare ReplicaSet (or one not cached yet): its own labels are the owner's
    return None


def attribute(ref: ResourceRef, index: LabelIndex) -> Attributed:
    """Application, environment and organization of a resource (first label present wins; see module doc)."""
    kind = ref.kind.lower()
    read: set[ContextKey] = {(kind, ref.namespace, ref.name)}
    own = index.facts(kind, ref.namespace, ref.name)
    labels = own.labels if own is not None else _NO_LABELS
    if kind == "namespace":
        namespace_labels = labels
    elif ref.namespace:
        read.add(("namespace", "", ref.namespace))
        namespace_facts = index.facts("namespace", "", ref.namespace)
        namespace_labels = namespace_facts.labels if namespace_facts is not None else _NO_LABELS
    else:
        namespace_labels = _NO_LABELS
    owner_labels = _NO_LABELS
    workload = ref.key if ref.kind in WORKLOAD_KINDS else ""
    if kind == "pod" and own is not None:
        owner = _pod_owner(ref.namespace, own, index, read)
        if owner is not None:
            read.add((owner[0].lower(), ref.namespace, owner[1]))
            owner_facts = index.facts(owner[0], ref.namespace, owner[1])
            owner_labels = owner_facts.labels if owner_facts is not None else _NO_LABELS
            if owner[0] in WORKLOAD_KINDS:
                workload = ResourceRef(owner[0], ref.namespace, owner[1]).key
    attribution = Attribution(
        application=first_label(labels, APPLICATION_LABELS) or first_label(owner_labels, APPLICATION_LABELS),
        environment=first_label(labels, ENVIRONMENT_LABELS)
        or first_label(owner_labels, ENVIRONMENT_LABELS)
        or first_label(namespace_labels, ENVIRONMENT_LABELS),
        organization=first_label(labels, ORGANIZATION_LABELS)
        or first_label(owner_labels, ORGANIZATION_LABELS)
        or first_label(namespace_labels, ORGANIZATION_LABELS),
    )
    return Attributed(attribution, workload, frozenset(read))
