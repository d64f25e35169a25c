"""The process runtime against the sandbox: the lifespan starts the core kinds' watches and keeps them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from console.kube import runtime
from console.kube.api import ResourcePath
from console.kube.runtime import kube_lifespan
from console.settings import get_settings

pytestmark = pytest.mark.sandbox

NAMESPACES = ResourcePath("", "v1", "namespaces")
DEPLOYMENTS = ResourcePath("apps", "v1", "deployments")


@pytest.fixture
def configured(console_kubeconfig: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONSOLE_KUBECONFIG", str(console_kubeconfig))
    monkeypatch.setenv("CONSOLE_KUBE_CONTEXT", "")
    monkeypatch.setenv("CONSOLE_PREWARM_KINDS", "v1/namespaces, apps/v1/deployments")
    monkeypatch.setenv("CONSOLE_WATCH_GRACE_SECONDS", "0.05")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_the_core_kinds_are_listed_from_start_and_kept(configured: None):
    async with kube_lifespan():
        cache = runtime.current().cache
        assert set(cache.running()) == {NAMESPACES, DEPLOYMENTS}  # before anybody asked for them
        async with cache.subscribe(NAMESPACES) as namespaces:
            assert await namespaces.wait_synced()
            assert namespaces.status.state == "live"
        past_the_grace = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.3, past_the_grace.set_result, None)
        await past_the_grace
        assert set(cache.running()) == {NAMESPACES, DEPLOYMENTS}  # no grace-period stop for kept kinds
        assert await cache.acquire(DEPLOYMENTS).wait_synced()
    with pytest.raises(runtime.KubeUnavailable, match="shutting down"):
        runtime.current()
