"""The process-wide Kubernetes connection and shared watch cache, opened and closed by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from console.kube.access import AccessReviews
from console.kube.api import KubeApi, KubeApiError
from console.kube.catalog import KindCatalog
from console.kube.watch_cache import WatchCache, resource_from_id
from console.settings import get_settings

log = logging.getLogger(__name__)


class KubeUnavailable(RuntimeError):
    """The console could not configure its connection to the cluster (the message says why)."""


_VERSION_RETRY_SECONDS = 30.0
_VERSION_TIMEOUT_SECONDS = 5.0


class ServerVersion:
    """The API server's `gitVersion` (`GET /version`): read in the background at start, and again on use
    while unknown (at most every 30 s), so a cluster that was down at start still gets its version."""

    def __init__(self, api: KubeApi) -> None:
        self._api = api
        self._text = ""
        self._tried_at: float | None = None

    async def text(self) -> str:
        """The version ("" while it cannot be read)."""
        loop = asyncio.get_running_loop()
        if self._text or (self._tried_at is not None and loop.time() - self._tried_at < _VERSION_RETRY_SECONDS):
            return self._text
        self._tried_at = loop.time()
        try:
            document = await asyncio.wait_for(self._api.get("/version"), _VERSION_TIMEOUT_SECONDS)
            self._text = str(document.get("gitVersion") or "")
        except (KubeApiError, ValueError, TimeoutError) as error:
            log.warning("cannot read the API server's version: %s", error)
        return self._text


@dataclass(slots=True)
class KubeRuntime:
    api: KubeApi  # the console's own identity: only the shared cache uses it directly
    cache: WatchCache
    reviews: AccessReviews  # per-person access answers, shared by every session of this process
    catalog: KindCatalog  # registered kinds, the cluster's other CRDs and every other listable resource
    server_version: ServerVersion  # the Clusters list's VERSION


_runtime: KubeRuntime | None = None
_problem = "the console is starting"


def current() -> KubeRuntime:
    """The running connection; raises `KubeUnavailable` with a readable reason when there is none."""
    if _runtime is None:
        raise KubeUnavailable(_problem)
    return _runtime


@contextlib.asynccontextmanager
async def kube_lifespan() -> AsyncIterator[None]:
    """Open the API connection and the watch cache for the life of the backend process."""
    global _runtime, _problem
    settings = get_settings()
    try:
        api = await KubeApi.connect(settings)
    except Exception as error:  # any config problem must leave the console up, showing the reason
        _problem = f"cannot configure the cluster connection: {error}"
        log.error(_problem)
        yield
        return
    cache = WatchCache(
        api,
        page_size=settings.list_page_size,
        grace_seconds=settings.watch_grace_seconds,
        max_backoff_seconds=settings.watch_max_backoff_seconds,
        sync_timeout_seconds=settings.watch_sync_timeout_seconds,
    )
    # The kinds every page reads start listing now, in the background: the first person to open Pods
    # finds them listed, and the lifespan does not wait for any cluster answer.
    cache.keep(resource_from_id(resource_id) for resource_id in settings.prewarm_resources)
    version = ServerVersion(api)
    reading = asyncio.create_task(version.text(), name="read the API server version")
    _runtime = KubeRuntime(
        api=api, cache=cache, reviews=AccessReviews(), catalog=KindCatalog(cache, api), server_version=version
    )
    try:
        yield
    finally:
        reading.cancel()
        _runtime, _problem = None, "the console is shutting down"
        await cache.close()
        await api.close()
