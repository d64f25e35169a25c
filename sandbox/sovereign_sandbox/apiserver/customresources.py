"""Live CustomResourceDefinitions: a stored CRD serves its resource at once; deleting it stops serving it."""

from __future__ import annotations

import json
import re
from typing import Any

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.printers import Column, name_column, since
from sovereign_sandbox.storage.jsonpath import find_values
from sovereign_sandbox.storage.resources import STANDARD_VERBS, ResourceType, Subresource
from sovereign_sandbox.storage.store import Store
from sovereign_sandbox.storage.watch import Change

__all__ = ["CRD_STORAGE_KEY", "install", "resource_types_for", "version_priority"]

CRD_STORAGE_KEY = "apiextensions.k8s.io/customresourcedefinitions"
_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Kubernetes version ordering key, smallest first: GA > beta > alpha, higher numbers first, then others."""
    match = _VERSION.match(version)
    if match is None:
        return (3, 0, 0, version)
    major, stage, minor = int(match[1]), match[2], int(match[3] or 0)
    return ({None: 0, "beta": 1, "alpha": 2}[stage], -major, -minor, "")


def _cell(value: Any, column_type: str) -> Any:
    if column_type == "date":
        return since(value) if isinstance(value, str) else "<unknown>"
    if column_type == "integer":
        return value if isinstance(value, int) else None
    if column_type == "number":
        return value if isinstance(value, int | float) else None
    if column_type == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _printer_column(definition: dict[str, Any]) -> Column:
    path, column_type = definition.get("jsonPath", ""), definition.get("type", "string")

    def value(obj: dict[str, Any]) -> Any:
        found = find_values(obj, path)
        return _cell(found[0], column_type) if found else None

    return Column(
        definition["name"],
        value,
        type=column_type,
        priority=int(definition.get("priority", 0)),
        description=definition.get("description", ""),
        format=definition.get("format", ""),
    )


_AGE = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


def resource_types_for(crd: dict[str, Any]) -> list[ResourceType]:
    """One ResourceType per served version, preferred version first."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural, kind = spec.get("group", ""), names.get("plural", ""), names.get("kind", "")
    versions = [version for version in spec.get("versions") or [] if version.get("served", True)]
    versions.sort(key=lambda version: version_priority(version["name"]))
    types = []
    for version in versions:
        printer_columns = version.get("additionalPrinterColumns") or [_AGE]
        subresources = []
        declared = version.get("subresources") or {}
        if "status" in declared:
            subresources.append(Subresource("status", kind, ("get", "patch", "update")))
        if "scale" in declared:
            subresources.append(Subresource("scale", "Scale", ("get", "patch", "update")))
        types.append(
            ResourceType(
                group=group,
                version=version["name"],
                plural=plural,
                singular=names.get("singular") or kind.lower(),
                kind=kind,
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                verbs=STANDARD_VERBS,
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=tuple(subresources),
                columns=(name_column(), *(_printer_column(column) for column in printer_columns)),
                storage=f"{group}/{plural}",
                custom=True,
            )
        )
    return types


class _DefinitionStrategy:
    """Validates a CRD's name and reports it accepted and established straight away."""

    def prepare_create(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        self._prepare(resource, obj)

    def prepare_update(self, resource: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._prepare(resource, new)

    @staticmethod
    def _prepare(resource: ResourceType, obj: dict[str, Any]) -> None:
        spec = obj.get("spec") or {}
        names = dict(spec.get("names") or {})
        expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
        name = obj["metadata"]["name"]
        if name != expected:
            raise errors.invalid(
                resource.kind,
                resource.group,
                name,
                [
                    {
                        "reason": "FieldValueInvalid",
                        "message": f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
                        "field": "metadata.name",
                    }
                ],
            )
        names.setdefault("singular", str(names.get("kind", "")).lower())
        names.setdefault("listKind", f"{names.get('kind', '')}List")
        storage = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
        timestamp = obj["metadata"].get("creationTimestamp")
        obj["status"] = {
            "acceptedNames": names,
            "conditions": [
                {
                    "type": "NamesAccepted",
                    "status": "True",
                    "lastTransitionTime": timestamp,
                    "reason": "NoConflicts",
                    "message": "no conflicts found",
                },
                {
                    "type": "Established",
                    "status": "True",
                    "lastTransitionTime": timestamp,
                    "reason": "InitialNamesAccepted",
                    "message": "the initial names have been accepted",
                },
            ],
            "storedVersions": storage,
        }


def install(store: Store) -> None:
    """Make CRDs in `store` live: serve on create/update, stop serving and drop objects on delete."""
    store.register_strategy(CRD_STORAGE_KEY, _DefinitionStrategy())

    def observe(change: Change) -> None:
        if change.storage_key != CRD_STORAGE_KEY:
            return
        spec = change.obj.get("spec") or {}
        group, plural = spec.get("group", ""), (spec.get("names") or {}).get("plural", "")
        if change.type == "DELETED":
            storage_key = f"{group}/{plural}"
            types = store.catalogue.for_storage(storage_key)
            if types:
                for obj in store.list(types[0]).items:
                    metadata = obj["metadata"]
                    store.delete(types[0], metadata.get("namespace"), metadata["name"])
            store.catalogue.remove(group, plural)
            return
        store.catalogue.remove(group, plural)
        for resource in resource_types_for(change.obj):
            store.catalogue.add(resource)

    store.observe(observe)
