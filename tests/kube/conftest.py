"""Fixtures: a sandbox cluster, and the console's API connection to it as its own service account."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from cutting_proxy import CuttingProxy
from sovereign_sandbox.apiserver.server import Sandbox

from console.kube.api import KubeApi
from console.settings import get_settings


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1, history_size=500) as running:
        yield running


@pytest.fixture(scope="module")
def console_kubeconfig(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console") / "kubeconfig"
    return sandbox.write_kubeconfig(path, token=sandbox.console_token)


@pytest.fixture
async def kube_api(console_kubeconfig: Path) -> AsyncIterator[KubeApi]:
    settings = dataclasses.replace(get_settings(), kubeconfig=str(console_kubeconfig), kube_context="")
    api = await KubeApi.connect(settings)
    yield api
    await api.close()


@pytest.fixture
async def cluster_http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """Writes made by "someone else" (kubectl-like), over the sandbox's plain HTTP listener."""
    async with httpx.AsyncClient(base_url=sandbox.http_url, timeout=10) as http:
        yield http


@pytest.fixture
async def proxied_api(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[tuple[KubeApi, CuttingProxy]]:
    """The console's connection through a proxy that can cut, stop, hold or count (the plain HTTP listener behind)."""
    target = httpx.URL(sandbox.http_url)
    async with CuttingProxy(target.host, target.port or 80) as proxy:
        kubeconfig = proxy.write_kubeconfig(tmp_path / "kubeconfig", sandbox.console_token)
        api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context=""))
        yield api, proxy
        await api.close()
