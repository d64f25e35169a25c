"""Fixtures: a sandbox cluster, and the console's API connection to it as its own service account."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cutting_proxy import CuttingProxy
from sovereign_sandbox.apiserver.server import Sandbox

from console.kube.api import KubeApi
from console.settings import get_settings


@pytest.fixture
async def proxied_api(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[tuple[KubeApi, CuttingProxy]]:
    """The console's connection through a proxy that can cut, stop, hold or count (the plain HTTP listener behind)."""
    target = httpx.URL(sandbox.http_url)
    async with CuttingProxy(target.host, target.port or 80) as proxy:
        kubeconfig = proxy.write_kubeconfig(tmp_path / "kubeconfig", sandbox.console_token)
        api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context=""))
        yield api, proxy
        await api.close()
