"""The resource catalogue: one frozen entry per served resource type; built-ins are data
(`builtin_resources`), CRDs are added live."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sovereign_sandbox.apiserver.printers import Column

__all__ = ["Catalogue", "ResourceType", "Subresource", "STANDARD_VERBS", "STATUS_VERBS"]

STANDARD_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


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


@dataclass
class Catalogue:
    """Every served resource type, keyed by (group, version, plural); CRDs are added and removed live."""

    _types: dict[tuple[str, str, str], ResourceType] = field(default_factory=dict)

    @classmethod
    def builtin(cls) -> Catalogue:
        from sovereign_sandbox.storage.builtin_resources import BUILTIN_RESOURCES  # the table imports this module

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
