"""The resource catalogue: one frozen entry per served resource type, built-ins as data, CRDs added live."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sovereign_sandbox.apiserver.printers import COLUMNS, Column

__all__ = ["BUILTIN_RESOURCES", "Catalogue", "ResourceType", "Subresource", "STANDARD_VERBS"]

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
_STATUS_VERBS = ("get", "patch", "update")


@dataclass(frozen=True, slots=True)
class Subresource:
    name: str  # "status", "scale", "log", "exec"
    kind: str  # the kind discovery reports for it (Scale, PodExecOptions…)
    verbs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResourceType:
    group: str  # "" for the core group
    version: str
    plural: str  # URL segment and discovery name
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = STANDARD_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[Subresource, ...] = ()
    columns: tuple[Column, ...] = ()  # Table columns; empty → the generic Name + Created At table
    storage: str = ""  # objects of types with the same storage key are shared (core and events.k8s.io events)
    custom: bool = False  # served from a CustomResourceDefinition
    tracks_generation: bool = True  # metadata.generation set and bumped on spec changes
    returns_deleted_object: bool = False  # DELETE answers with the object instead of a Status

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def storage_key(self) -> str:
        return self.storage or f"{self.group}/{self.plural}"

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def subresource(self, name: str) -> Subresource | None:
        return next((entry for entry in self.subresources if entry.name == name), None)


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, _STATUS_VERBS)


_SCALE = Subresource("scale", "Scale", _STATUS_VERBS)


def _builtin(
    group: str,
    version: str,
    plural: str,
    kind: str,
    namespaced: bool = True,
    *,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    subresources: tuple[Subresource, ...] = (),
    verbs: tuple[str, ...] = STANDARD_VERBS,
    generation: bool = True,
    storage: str = "",
    returns_deleted_object: bool = False,
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        plural=plural,
        singular=kind.lower(),
        kind=kind,
        namespaced=namespaced,
        verbs=verbs,
        short_names=short,
        categories=categories,
        subresources=subresources,
        columns=COLUMNS.get((group, plural), ()),
        storage=storage,
        tracks_generation=generation,
        returns_deleted_object=returns_deleted_object,
    )


_POD_SUBRESOURCES = (
    Subresource("attach", "PodAttachOptions", ("create", "get")),
    Subresource("binding", "Binding", ("create",)),
    Subresource("ephemeralcontainers", "Pod", _STATUS_VERBS),
    Subresource("eviction", "Eviction", ("create",)),
    Subresource("exec", "PodExecOptions", ("create", "get")),
    Subresource("log", "Pod", ("get",)),
    Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
    Subresource("resize", "Pod", _STATUS_VERBS),
    _status("Pod"),
)

BUILTIN_RESOURCES: tuple[ResourceType, ...] = (
    _builtin("", "v1", "configmaps", "ConfigMap", short=("cm",), generation=False),
    ResourceType(
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        True,
        short_names=("ep",),
        columns=COLUMNS[("", "endpoints")],
        tracks_generation=False,
    ),
    _builtin("", "v1", "events", "Event", short=("ev",), generation=False),
    _builtin(
        "",
        "v1",
        "namespaces",
        "Namespace",
        False,
        short=("ns",),
        generation=False,
        verbs=tuple(verb for verb in STANDARD_VERBS if verb != "deletecollection"),
        subresources=(Subresource("finalize", "Namespace", ("update",)), _status("Namespace")),
    ),
    _builtin(
        "",
        "v1",
        "nodes",
        "Node",
        False,
        short=("no",),
        generation=False,
        subresources=(
            Subresource("proxy", "NodeProxyOptions", ("create", "delete", "get", "patch", "update")),
            _status("Node"),
        ),
    ),
    _builtin(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        short=("pvc",),
        generation=False,
        subresources=(_status("PersistentVolumeClaim"),),
    ),
    _builtin(
        "",
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        False,
        short=("pv",),
        generation=False,
        subresources=(_status("PersistentVolume"),),
    ),
    _builtin(
        "",
        "v1",
        "pods",
        "Pod",
        short=("po",),
        categories=("all",),
        subresources=_POD_SUBRESOURCES,
        returns_deleted_object=True,
    ),
    _builtin("", "v1", "secrets", "Secret", generation=False),
    _builtin(
        "",
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        short=("sa",),
        generation=False,
        subresources=(Subresource("token", "TokenRequest", ("create",)),),
    ),
    _builtin(
        "",
        "v1",
        "services",
        "Service",
        short=("svc",),
        categories=("all",),
        generation=False,
        subresources=(_status("Service"),),
    ),
    _builtin(
        "apps",
        "v1",
        "daemonsets",
        "DaemonSet",
        short=("ds",),
        categories=("all",),
        subresources=(_status("DaemonSet"),),
    ),
    _builtin(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        short=("deploy",),
        categories=("all",),
        subresources=(_SCALE, _status("Deployment")),
    ),
    _builtin(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        short=("rs",),
        categories=("all",),
        subresources=(_SCALE, _status("ReplicaSet")),
    ),
    _builtin(
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        short=("sts",),
        categories=("all",),
        subresources=(_SCALE, _status("StatefulSet")),
    ),
    _builtin("events.k8s.io", "v1", "events", "Event", short=("ev",), generation=False, storage="/events"),
    _builtin(
        "batch", "v1", "cronjobs", "CronJob", short=("cj",), categories=("all",), subresources=(_status("CronJob"),)
    ),
    _builtin("batch", "v1", "jobs", "Job", categories=("all",), subresources=(_status("Job"),)),
    _builtin("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    _builtin("networking.k8s.io", "v1", "ingresses", "Ingress", short=("ing",), subresources=(_status("Ingress"),)),
    _builtin("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    _builtin(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        short=("pdb",),
        subresources=(_status("PodDisruptionBudget"),),
    ),
    _builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False, generation=False),
    _builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False, generation=False),
    _builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", generation=False),
    _builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", generation=False),
    _builtin("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, short=("sc",), generation=False),
    _builtin(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        short=("crd", "crds"),
        categories=("api-extensions",),
        subresources=(_status("CustomResourceDefinition"),),
    ),
    _builtin("coordination.k8s.io", "v1", "leases", "Lease", generation=False),
    _builtin("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", generation=False),
)


@dataclass
class Catalogue:
    """Every served resource type, keyed by (group, version, plural); CRDs are added and removed live."""

    _types: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> Catalogue:
        catalogue = cls()
        for resource in BUILTIN_RESOURCES:
            catalogue.add(resource)
        return catalogue

    def add(self, resource: ResourceType) -> None:
        self._types[(resource.group, resource.version, resource.plural)] = resource

    def remove(self, group: str, plural: str) -> None:
        for key in [key for key in self._types if key[0] == group and key[2] == plural]:
            del self._types[key]

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._types.get((group, version, plural))

    def __iter__(self) -> Iterator[ResourceType]:
        return iter(list(self._types.values()))

    def for_storage(self, storage_key: str) -> list[ResourceType]:
        return [resource for resource in self._types.values() if resource.storage_key == storage_key]

    def for_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """The type a manifest's apiVersion/kind names (used when loading manifests)."""
        return next((r for r in self._types.values() if r.api_version == api_version and r.kind == kind), None)

    def groups(self) -> dict[str, list[str]]:
        """Group name → its served versions, preferred version first, in registration order."""
        groups: dict[str, list[str]] = {}
        for group, version, _plural in self._types:
            versions = groups.setdefault(group, [])
            if version not in versions:
                versions.append(version)
        return groups

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [resource for key, resource in self._types.items() if key[0] == group and key[1] == version]
