"""Every kind this cluster offers right now: the registry plus a generic kind per other served CRD.

CRDs come from the shared watch cache like any other kind, so a CRD created while the console runs
gets its list at once, and a deleted one disappears.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from console.kube.discovery import CRD_PATH, custom_kinds
from console.kube.kinds import Kind, KindNotFound
from console.kube.registry import KINDS
from console.kube.watch_cache import KindWatch, WatchCache

# How long a page waits for the first list of CRDs before showing only the registered kinds.
_FIRST_LIST_SECONDS = 5.0


class KindCatalog:
    def __init__(self, cache: WatchCache) -> None:
        self._cache = cache
        self._crds: KindWatch | None = None
        self._built_at = -1
        self._kinds: Mapping[str, Kind] = KINDS

    async def kinds(self) -> Mapping[str, Kind]:
        """Registered kinds first, then discovered ones, by id."""
        if self._crds is None:
            self._crds = self._cache.acquire(CRD_PATH)  # held for the life of the process
        if not self._crds.synced:
            try:
                await asyncio.wait_for(self._crds.wait_synced(), _FIRST_LIST_SECONDS)
            except TimeoutError:
                return KINDS
        if self._crds.revision != self._built_at:
            known = [kind.resource for kind in KINDS.values() if kind.resource is not None]
            discovered = custom_kinds(self._crds.objects(), known)
            self._kinds = {**KINDS, **{kind.id: kind for kind in discovered if kind.id not in KINDS}}
            self._built_at = self._crds.revision
        return self._kinds

    async def find(self, kind_id: str) -> Kind:
        """The kind with this id; raises `KindNotFound`."""
        kinds = await self.kinds()
        try:
            return kinds[kind_id]
        except KeyError:
            raise KindNotFound(kind_id) from None
