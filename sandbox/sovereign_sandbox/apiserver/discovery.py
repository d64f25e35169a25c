"""Legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`), `/version` and OpenAPI stubs."""

from __future__ import annotations

from typing import Any

from sovereign_sandbox.storage.resources import Catalogue, ResourceType

__all__ = ["api_group", "api_group_list", "api_resource_list", "api_versions", "version_info"]


def version_info() -> dict[str, str]:
    return {
        "major": "1",
        "minor": "37",
        "emulationMajor": "1",
        "emulationMinor": "37",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "36",
        "gitVersion": "v1.37.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{version}", "version": version} for version in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(catalogue: Catalogue) -> dict[str, Any]:
    groups = [_group(name, versions) for name, versions in catalogue.groups().items() if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(catalogue: Catalogue, name: str) -> dict[str, Any] | None:
    versions = catalogue.groups().get(name)
    if not name or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)}


def _entries(resource: ResourceType) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    entries = [entry]
    for subresource in resource.subresources:
        sub_entry: dict[str, Any] = {
            "name": f"{resource.plural}/{subresource.name}",
            "singularName": "",
            "namespaced": resource.namespaced,
            "kind": subresource.kind,
            "verbs": list(subresource.verbs),
        }
        if subresource.name == "scale":
            sub_entry.update({"group": "autoscaling", "version": "v1"})
        entries.append(sub_entry)
    return entries


def api_resource_list(catalogue: Catalogue, group: str, version: str) -> dict[str, Any] | None:
    resources = catalogue.in_group_version(group, version)
    if not resources:
        return None
    resources.sort(key=lambda resource: resource.plural)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [entry for resource in resources for entry in _entries(resource)],
    }
