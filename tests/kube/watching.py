"""Waiting on a watch cache in tests: on its revision, never on the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from console.kube.objects import name_of
from console.kube.watch_cache import KindWatch


async def until(watch: KindWatch, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for the cache to satisfy `condition`, re-checking each time its revision moves."""
    deadline = asyncio.get_running_loop().time() + timeout
    revision = watch.revision
    while not condition():
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, f"the cache did not reach the expected state in time (status {watch.status.describe()})"
        revision = await watch.wait_changed(revision, timeout=remaining)


def names(watch: KindWatch) -> set[str]:
    return {name_of(obj) for obj in watch.objects()}
