"""Fixtures every console test folder shares: a sandbox cluster, the console's API connection to it as its
own service account, and a kubectl-like client."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
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
