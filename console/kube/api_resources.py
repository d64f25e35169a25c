"""Every resource the cluster serves that can be listed and watched, as `kubectl api-resources` finds them.

Read from the discovery documents (`/api/v1`, `/apis`, `/apis/<group>/<version>`): one entry per resource
in its group's preferred version (the version `kubectl get` uses), subresources (`pods/log`) and resources
without both `list` and `watch` (reviews, bindings, metrics) left out: the console only lists what it can
keep live.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath

__all__ = ["ApiResource", "discover_api_resources", "listable_resources"]

_PARALLEL_REQUESTS = 8
_NEEDED_VERBS = frozenset({"list", "watch"})


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One listable resource type, as discovery describes it."""

    path: ResourcePath
    kind: str  # e.g. "Job"
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # e.g. ("all",)


def listable_resources(group: str, version: str, document: JsonObject) -> list[ApiResource]:
    """The resources of one APIResourceList that can be listed and watched (no subresources)."""
    found = []
    for entry in document.get("resources") or ():
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("name") or "")
        verbs = {str(verb) for verb in entry.get("verbs") or ()}
        if not name or "/" in name or not _NEEDED_VERBS <= verbs:
            continue
        found.append(
            ApiResource(
                path=ResourcePath(group, version, name),
                kind=str(entry.get("kind") or ""),
                namespaced=bool(entry.get("namespaced")),
                short_names=tuple(str(short) for short in entry.get("shortNames") or ()),
                categories=tuple(str(category) for category in entry.get("categories") or ()),
            )
        )
    return found


def _preferred_versions(groups: JsonObject) -> list[tuple[str, str]]:
    """(group, version) for every group: its preferred version, else the first one it lists."""
    chosen = []
    for group in groups.get("groups") or ():
        if not isinstance(group, dict) or not group.get("name"):
            continue
        preferred = group.get("preferredVersion")
        versions = [version for version in group.get("versions") or () if isinstance(version, dict)]
        version = preferred if isinstance(preferred, dict) and preferred.get("version") else next(iter(versions), None)
        if version is not None and version.get("version"):
            chosen.append((str(group["name"]), str(version["version"])))
    return chosen


async def discover_api_resources(api: KubeApi) -> list[ApiResource]:
    """Every listable and watchable resource, core group first, then the groups in the server's order.

    A group version whose discovery fails (an aggregated API that is down) is skipped, as kubectl does;
    raises `KubeApiError` when the core group or the group list cannot be read.
    """
    core = listable_resources("", "v1", await api.get("/api/v1"))
    limit = asyncio.Semaphore(_PARALLEL_REQUESTS)

    async def one(group: str, version: str) -> list[ApiResource]:
        async with limit:
            try:
                return listable_resources(group, version, await api.get(f"/apis/{group}/{version}"))
            except KubeApiError:
                return []

    preferred = _preferred_versions(await api.get("/apis"))
    found = await asyncio.gather(*(one(group, version) for group, version in preferred))
    return core + [resource for resources in found for resource in resources]
