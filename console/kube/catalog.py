"""Every kind this cluster offers right now: the registry, a generic kind per other CRD, and a printed kind
for every other resource the cluster serves that can be listed and watched.

CRDs come from the shared watch cache like any other kind, so a CRD created while the console runs gets
its list at once, and a deleted one disappears. The other resources come from API discovery (re-read
every few minutes: aggregated APIs come and go); their columns are the server's printed ones, read once
per resource when its list first opens, and their watches run in the server's Table form.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.api_resources import ApiResource, discover_api_resources
from console.kube.discovery import CRD_PATH, custom_kinds
from console.kube.kinds import Kind, KindNotFound
from console.kube.printed_kinds import printed_kind, table_columns
from console.kube.registry import KINDS
from console.kube.tables import TableColumn
from console.kube.watch_cache import KindWatch, WatchCache

log = logging.getLogger(__name__)

# How long a page waits for the first list of CRDs, or for discovery, before showing what it has.
_FIRST_LIST_SECONDS = 5.0
_DISCOVERY_MAX_AGE_SECONDS = 300.0  # discovery is re-read this often (a new aggregated API shows up)
_DISCOVERY_RETRY_SECONDS = 30.0  # after a failed discovery, the next attempt waits at least this long


def _crd_resources(definitions: Iterable[object]) -> set[tuple[str, str]]:
    """(group, plural) of every CRD: their kinds come from the definitions, not from printed Tables."""
    found = set()
    for definition in definitions:
        spec = definition.get("spec") if isinstance(definition, dict) else None
        names = spec.get("names") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and isinstance(names, dict):
            found.add((str(spec.get("group") or ""), str(names.get("plural") or "")))
    return found


def printed_resources(
    served: Iterable[ApiResource], known: Iterable[Kind], crds: set[tuple[str, str]]
) -> list[ApiResource]:
    """The served resources no registered kind or CRD covers.

    A resource the registry lists under another group (`events.k8s.io` Events are core Events) is left
    out: the same objects would be listed twice.
    """
    known = list(known)
    known_resources = [kind.resource for kind in known if kind.resource is not None]
    covered = {(path.group, path.plural) for path in known_resources} | crds
    known_kinds = {(kind.kind, kind.resource.plural) for kind in known if kind.resource is not None}
    return [
        resource
        for resource in served
        if (resource.path.group, resource.path.plural) not in covered
        and (resource.kind, resource.path.plural) not in known_kinds
    ]


def printed_ids(resources: list[ApiResource], taken: Iterable[str]) -> dict[ResourcePath, tuple[str, tuple[str, ...]]]:
    """Each resource's kind id and `:` short names: the plural when nothing else is called that (`jobs`),
    else `plural.group`; short names only where free."""
    names = set(taken)
    plurals: dict[str, int] = {}
    for resource in resources:
        plurals[resource.path.plural] = plurals.get(resource.path.plural, 0) + 1
    chosen: dict[ResourcePath, tuple[str, tuple[str, ...]]] = {}
    for resource in resources:
        plural, group = resource.path.plural, resource.path.group
        kind_id = plural if plurals[plural] == 1 and plural not in names else f"{plural}.{group or 'core'}"
        names.add(kind_id)
        shorts = tuple(short for short in resource.short_names if short not in names)
        names.update(shorts)
        chosen[resource.path] = (kind_id, shorts)
    return chosen


class KindCatalog:
    def __init__(self, cache: WatchCache, api: KubeApi | None = None) -> None:
        self._cache = cache
        self._api = api if api is not None else cache.api
        self._crds: KindWatch | None = None
        self._built_at: tuple[int, float] = (-1, -1.0)
        self._kinds: Mapping[str, Kind] = KINDS
        self._served: list[ApiResource] | None = None
        self._discovered_at = -_DISCOVERY_MAX_AGE_SECONDS  # loop time of the last attempt
        self._discovery_lock = asyncio.Lock()
        self._columns: dict[ResourcePath, list[TableColumn]] = {}  # printed columns, read once per resource
        self._resources: dict[str, ApiResource] = {}  # printed kind id → its resource

    async def kinds(self) -> Mapping[str, Kind]:
        """Registered kinds first, then CRDs', then the printed ones, by id."""
        if self._crds is None:
            self._crds = self._cache.acquire(CRD_PATH)  # held for the life of the process
        if not self._crds.synced:
            try:
                await asyncio.wait_for(self._crds.wait_synced(), _FIRST_LIST_SECONDS)
            except TimeoutError:
                return KINDS
        await self._discover()
        if (self._crds.revision, self._discovered_at) != self._built_at:
            self._kinds = self._build(self._crds.objects())
            self._built_at = (self._crds.revision, self._discovered_at)
        return self._kinds

    async def _discover(self) -> None:
        """Read API discovery when it is older than its maximum age (once at a time; failures keep the last)."""
        loop = asyncio.get_running_loop()
        async with self._discovery_lock:
            age = loop.time() - self._discovered_at
            if age < (_DISCOVERY_MAX_AGE_SECONDS if self._served is not None else _DISCOVERY_RETRY_SECONDS):
                return
            self._discovered_at = loop.time()
            try:
                self._served = await asyncio.wait_for(discover_api_resources(self._api), _FIRST_LIST_SECONDS)
            except (KubeApiError, ValueError, TimeoutError) as error:
                log.warning("API discovery failed (%s); listing the kinds known so far", error)

    def _build(self, definitions: list[JsonObject]) -> Mapping[str, Kind]:
        known = [kind.resource for kind in KINDS.values() if kind.resource is not None]
        crd_kinds = [kind for kind in custom_kinds(definitions, known) if kind.id not in KINDS]
        kinds: dict[str, Kind] = {**KINDS, **{kind.id: kind for kind in crd_kinds}}
        resources = printed_resources(self._served or (), KINDS.values(), _crd_resources(definitions))
        taken = {name for kind in kinds.values() for name in (kind.id, *kind.short_names)}
        ids = printed_ids(resources, taken)
        self._cache.print_tables(resource.path for resource in resources)
        for resource in resources:
            kind_id, short_names = ids[resource.path]
            columns = self._columns.get(resource.path, [])
            kinds[kind_id] = printed_kind(
                resource, columns, self._cells_of(resource.path), kind_id=kind_id, short_names=short_names
            )
        self._resources = {ids[resource.path][0]: resource for resource in resources}
        return kinds

    def _cells_of(self, path: ResourcePath) -> Callable[[JsonObject], dict[str, Any] | None]:
        """Looks an object's printed cells up in the resource's watch, whichever watch runs when rendering."""

        def cells_of(obj: JsonObject) -> dict[str, Any] | None:
            watch = self._cache.peek(path)
            return None if watch is None else watch.printed_cells(obj)

        return cells_of

    async def _with_columns(self, kind: Kind) -> Kind:
        """A printed kind with the server's columns (read once; on failure the common columns, retried later)."""
        resource = self._resources.get(kind.id)
        if resource is None or resource.path in self._columns:
            return kind
        try:
            columns = await asyncio.wait_for(table_columns(self._api, resource), _FIRST_LIST_SECONDS)
        except (KubeApiError, ValueError, TimeoutError) as error:
            log.warning("cannot read the printed columns of %s (%s)", resource.path.collection(), error)
            return kind
        self._columns[resource.path] = columns
        upgraded = printed_kind(
            resource, columns, self._cells_of(resource.path), kind_id=kind.id, short_names=kind.short_names
        )
        self._kinds = {**self._kinds, kind.id: upgraded}
        return upgraded

    async def find(self, kind_id: str) -> Kind:
        """The kind with this id, printed kinds with their columns; raises `KindNotFound`."""
        kinds = await self.kinds()
        try:
            kind = kinds[kind_id]
        except KeyError:
            raise KindNotFound(kind_id) from None
        return await self._with_columns(kind)
