"""The RoleBindings and ClusterRoleBindings one UserAccess grant should have (rbac.md), and what to change to
get there from what the cluster holds. Pure: no I/O.

A grant's scopes, with its tier ClusterRole's enforced scopes merged in, pick the namespaces whose labels
match all of them: one RoleBinding in each. No scopes, or only `*`, means the whole cluster: one
ClusterRoleBinding. Every binding is named `useraccess-<grant>-<tier>` (hash-truncated to 63 characters, as
the seed's Go controller does) and labelled so it is found again by its grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.rbac.scopes import Scope, enforced_scopes, is_cluster_wide, matches, merge
from console.rbac.tiers import ENFORCED_SCOPES_ANNOTATION
from console.rbac.useraccess import API_VERSION, KIND, UserAccess

__all__ = [
    "CLUSTER_ROLE_BINDING",
    "MANAGED_BY",
    "MANAGED_BY_LABEL",
    "RBAC_API_VERSION",
    "ROLE_BINDING",
    "SOVEREIGN_LABEL",
    "TIER_BINDING_LABEL",
    "USERACCESS_LABEL",
    "BindingDiff",
    "BindingRef",
    "DesiredBindings",
    "Update",
    "binding_name",
    "desired_bindings",
    "diff_bindings",
    "fit_name",
    "fnv32a",
    "grant_label",
    "ref_of",
    "update_patch",
]

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_API_VERSION = f"{RBAC_GROUP}/v1"
ROLE_BINDING, CLUSTER_ROLE_BINDING = "RoleBinding", "ClusterRoleBinding"
MANAGED_BY_LABEL, MANAGED_BY = "app.kubernetes.io/managed-by", "sovereign-console"
USERACCESS_LABEL = "access.openova.io/useraccess"
TIER_BINDING_LABEL = "access.openova.io/tier"
SOVEREIGN_LABEL = "openova.io/sovereign"
_MAX_NAME = 63
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def fnv32a(data: bytes) -> int:
    """The 32-bit FNV-1a hash (Go's `hash/fnv.New32a`)."""
    value = 0x811C9DC5
    for byte in data:
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def _base36(value: int) -> str:
    digits = ""
    while True:
        value, digit = divmod(value, 36)
        digits = _DIGITS[digit] + digits
        if not value:
            return digits


def fit_name(raw: str) -> str:
    """`raw` when it fits in 63 characters, else its head and `-<fnv-32a of raw in base 36>` (the Go
    controller's `truncatedBindingName`), so long names stay distinct and stable."""
    if len(raw) <= _MAX_NAME:
        return raw
    suffix = "-" + _base36(fnv32a(raw.encode()))
    return raw[: max(0, _MAX_NAME - len(suffix))] + suffix


def binding_name(grant_name: str, tier: str) -> str:
    """`useraccess-<grant>-<tier>`, hash-truncated to 63 characters."""
    return fit_name(f"useraccess-{grant_name}-{tier}")


def grant_label(grant_name: str) -> str:
    """The `access.openova.io/useraccess` label value for a grant (a label value holds at most 63 characters)."""
    return fit_name(grant_name)


@dataclass(frozen=True, slots=True, order=True)
class BindingRef:
    """Which binding: its kind, namespace ("" for a ClusterRoleBinding) and name."""

    kind: str
    namespace: str
    name: str

    def as_status(self) -> dict[str, str]:
        """The grant's `status.bindings` entry."""
        if self.kind == CLUSTER_ROLE_BINDING:
            return {"kind": self.kind, "name": self.name}
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}

    def path(self) -> str:
        """The binding's URL path on the API server."""
        root = f"/apis/{RBAC_API_VERSION}"
        if self.kind == CLUSTER_ROLE_BINDING:
            return f"{root}/clusterrolebindings/{self.name}"
        return f"{root}/namespaces/{self.namespace}/rolebindings/{self.name}"

    def collection(self) -> str:
        """Where a new binding of this kind is created."""
        root = f"/apis/{RBAC_API_VERSION}"
        if self.kind == CLUSTER_ROLE_BINDING:
            return f"{root}/clusterrolebindings"
        return f"{root}/namespaces/{self.namespace}/rolebindings"

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def ref_of(obj: Mapping[str, Any]) -> BindingRef:
    """The ref of a binding object (its `kind`, or ClusterRoleBinding when it has no namespace)."""
    metadata = obj.get("metadata") or {}
    namespace = str(metadata.get("namespace") or "")
    kind = str(obj.get("kind") or (ROLE_BINDING if namespace else CLUSTER_ROLE_BINDING))
    return BindingRef(kind, namespace, str(metadata.get("name") or ""))


@dataclass(frozen=True, slots=True)
class DesiredBindings:
    """What one grant should have, and the scopes that decided it."""

    scopes: tuple[Scope, ...]  # the grant's scopes with the tier's enforced scopes merged in
    enforced: tuple[Scope, ...]  # every scope the tier ClusterRole enforces
    injected: tuple[Scope, ...]  # the enforced scopes the grant's own scopes lacked (or set otherwise)
    cluster_wide: bool  # one ClusterRoleBinding rather than RoleBindings per namespace
    bindings: tuple[dict[str, Any], ...] = field(default=())  # complete manifests, sorted by ref

    def refs(self) -> list[BindingRef]:
        return [ref_of(binding) for binding in self.bindings]


def _labels(grant: UserAccess) -> dict[str, str]:
    return {
        MANAGED_BY_LABEL: MANAGED_BY,
        USERACCESS_LABEL: grant_label(grant.name),
        TIER_BINDING_LABEL: grant.tier.name,
        SOVEREIGN_LABEL: fit_name(grant.sovereign_ref),
    }


def _owner(grant: UserAccess) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "name": grant.name,
        "uid": grant.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _manifest(grant: UserAccess, namespace: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": binding_name(grant.name, grant.tier.name), "labels": _labels(grant)}
    if namespace:
        metadata["namespace"] = namespace
        # Owner references cannot cross namespaces: only a binding beside its grant is owned by it (the
        # grant's finalizer removes the others).
        if namespace == grant.namespace and grant.uid:
            metadata["ownerReferences"] = [_owner(grant)]
    return {
        "apiVersion": RBAC_API_VERSION,
        "kind": ROLE_BINDING if namespace else CLUSTER_ROLE_BINDING,
        "metadata": metadata,
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": grant.tier.cluster_role},
        "subjects": grant.subjects(),
    }


def desired_bindings(
    grant: UserAccess,
    tier_role: Mapping[str, Any],
    namespaces: Mapping[str, Mapping[str, str]],
) -> DesiredBindings:
    """The bindings `grant` should have.

    Args:
        grant: the parsed UserAccess.
        tier_role: the tier's ClusterRole (its `catalyst.openova.io/enforced-scopes` annotation is read).
        namespaces: every namespace's labels, by name.
    """
    annotations = (tier_role.get("metadata") or {}).get("annotations") or {}
    enforced = enforced_scopes(annotations, ENFORCED_SCOPES_ANNOTATION)
    scopes, injected = merge(grant.scopes, enforced)
    cluster_wide = is_cluster_wide(scopes)
    if cluster_wide:
        bindings = [_manifest(grant, "")]
    else:
        bindings = [_manifest(grant, name) for name in sorted(namespaces) if matches(namespaces[name], scopes)]
    return DesiredBindings(tuple(scopes), tuple(enforced), tuple(injected), cluster_wide, tuple(bindings))


@dataclass(frozen=True, slots=True)
class Update:
    """An existing binding to bring in line (subjects, labels or owner) without recreating it."""

    existing: dict[str, Any]
    desired: dict[str, Any]

    @property
    def ref(self) -> BindingRef:
        return ref_of(self.desired)


@dataclass(frozen=True, slots=True)
class BindingDiff:
    """What to write so the cluster holds exactly the desired bindings of one grant."""

    create: tuple[dict[str, Any], ...] = ()
    update: tuple[Update, ...] = ()
    recreate: tuple[dict[str, Any], ...] = ()  # roleRef is immutable: delete, then create the desired one
    delete: tuple[BindingRef, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.recreate or self.delete)

    @property
    def writes(self) -> int:
        return len(self.create) + len(self.update) + 2 * len(self.recreate) + len(self.delete)


def _subject_keys(subjects: object) -> list[tuple[str, str, str, str]]:
    if not isinstance(subjects, list):
        return []
    return sorted(
        (
            str(subject.get("kind") or ""),
            str(subject.get("apiGroup") or ""),
            str(subject.get("namespace") or ""),
            str(subject.get("name") or ""),
        )
        for subject in subjects
        if isinstance(subject, dict)
    )


def _role_ref(binding: Mapping[str, Any]) -> tuple[str, str, str]:
    ref = binding.get("roleRef") or {}
    return (str(ref.get("apiGroup") or ""), str(ref.get("kind") or ""), str(ref.get("name") or ""))


def _owned(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    wanted = (desired.get("metadata") or {}).get("ownerReferences") or []
    held = {str(ref.get("uid") or "") for ref in (existing.get("metadata") or {}).get("ownerReferences") or []}
    return all(ref["uid"] in held for ref in wanted)


def _in_line(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """Subjects (as a set), our labels (others may be added by admission) and the owner reference agree."""
    labels = (existing.get("metadata") or {}).get("labels") or {}
    wanted_labels = desired["metadata"]["labels"]
    return (
        _subject_keys(existing.get("subjects")) == _subject_keys(desired.get("subjects"))
        and all(labels.get(key) == value for key, value in wanted_labels.items())
        and _owned(existing, desired)
    )


def diff_bindings(desired: Sequence[Mapping[str, Any]], existing: Iterable[Mapping[str, Any]]) -> BindingDiff:
    """Creates, updates, recreations and deletions that turn `existing` (the grant's bindings on the cluster,
    found by its label) into `desired`."""
    have = {ref_of(binding): dict(binding) for binding in existing}
    create, update, recreate = [], [], []
    for binding in desired:
        ref = ref_of(binding)
        current = have.pop(ref, None)
        if current is None:
            create.append(dict(binding))
        elif _role_ref(current) != _role_ref(binding):
            recreate.append(dict(binding))
        elif not _in_line(current, binding):
            update.append(Update(current, dict(binding)))
    return BindingDiff(tuple(create), tuple(update), tuple(recreate), tuple(sorted(have)))


def update_patch(change: Update) -> dict[str, Any]:
    """A JSON merge patch bringing `change.existing` in line: the subjects whole, our labels, and the owner
    reference (kept beside any others)."""
    metadata: dict[str, Any] = {"labels": dict(change.desired["metadata"]["labels"])}
    wanted = change.desired["metadata"].get("ownerReferences") or []
    if wanted and not _owned(change.existing, change.desired):
        held = (change.existing.get("metadata") or {}).get("ownerReferences") or []
        uids = {ref["uid"] for ref in wanted}
        metadata["ownerReferences"] = [ref for ref in held if ref.get("uid") not in uids] + list(wanted)
    return {"metadata": metadata, "subjects": list(change.desired["subjects"])}
