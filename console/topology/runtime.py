"""The process's topology: one graph kept live from the shared watch cache, and the views drawn from it.

The feed starts when the first graph opens (its watches cover ~30 kinds; a console nobody draws a graph on
does not pay for them) and then runs for the life of the process, as informers do. Views are built on the
event loop from the one graph; people who see the same nodes with the same options share one build.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime

from console.kube.access import AccessReviews
from console.kube.api import KubeApi
from console.kube.kinds import Kind, RenderContext
from console.kube.watch_cache import WatchCache
from console.topology.access import person_visibility
from console.topology.feed import TopologyFeed
from console.topology.model import ViewGraph, ViewOptions
from console.topology.view import build_view

__all__ = ["TopologyRuntime", "TopologyUnavailable", "current", "topology_lifespan", "unavailable"]

log = logging.getLogger(__name__)

_SHARED_VIEWS = 32  # built views kept for other sockets asking the same at the same graph revision


class TopologyUnavailable(RuntimeError):
    """The graph cannot be drawn now (the message says why)."""


class TopologyRuntime:
    def __init__(self, cache: WatchCache, kinds: Mapping[str, Kind], cluster_id: str) -> None:
        self.kinds = kinds
        self.feed = TopologyFeed(cache, kinds, RenderContext(now=datetime.now(UTC), cluster_id=cluster_id))
        self._task: asyncio.Task[None] | None = None
        self._views: OrderedDict[tuple, ViewGraph] = OrderedDict()

    def start(self) -> None:
        """Follow the cache from now on (idempotent; restarts a feed whose task ended)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.feed.run(), name="topology feed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def view_for(self, api: KubeApi, reviews: AccessReviews, person: str, options: ViewOptions) -> ViewGraph:
        """What `person` (`api` acts as them) sees with `options` now.

        Raises:
            ValueError: the options name something that is not there for them (an unknown lens, a focus on a
                node they may not see or that is gone); the message says which.
        """
        graph = self.feed.graph
        visibility = await person_visibility(graph, self.kinds, reviews, api, person)
        key = (self.feed.revision, options, visibility.signature())
        view = self._views.get(key)
        if view is None:
            view = build_view(graph, options, visibility)
            self._views[key] = view
            while len(self._views) > _SHARED_VIEWS:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return view


_runtime: TopologyRuntime | None = None
_problem = "the graph is starting"


def current() -> TopologyRuntime:
    """The running topology, its feed started; raises `TopologyUnavailable` with the reason when there is none."""
    if _runtime is None:
        raise TopologyUnavailable(_problem)
    _runtime.start()
    return _runtime


def unavailable(reason: str) -> None:
    global _problem
    _problem = reason


@contextlib.asynccontextmanager
async def topology_lifespan(cache: WatchCache, kinds: Mapping[str, Kind], cluster_id: str) -> AsyncIterator[None]:
    global _runtime, _problem
    _runtime = TopologyRuntime(cache, kinds, cluster_id)
    try:
        yield
    finally:
        running, _runtime, _problem = _runtime, None, "the console is shutting down"
        await running.close()
