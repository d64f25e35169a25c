"""Fixtures: one sandbox world (Keycloak-compatible IdP + the cluster trusting it) per module, the console's
API connection to its cluster as the console's service account, and the console's Keycloak Admin client."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sovereign_sandbox.servers import SandboxWorld

from console.kube.api import KubeApi
from console.rbac.keycloak_admin import KeycloakAdmin
from console.settings import get_settings


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld(seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def world_kubeconfig(world: SandboxWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("who-can") / "kubeconfig"
    return world.cluster.write_kubeconfig(path, token=world.cluster.console_token)


@pytest.fixture
async def console_api(world_kubeconfig: Path) -> AsyncIterator[KubeApi]:
    api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(world_kubeconfig), kube_context=""))
    yield api
    await api.close()


@pytest.fixture
async def keycloak(world: SandboxWorld) -> AsyncIterator[KeycloakAdmin]:
    admin = KeycloakAdmin(world.idp.issuer, world.idp.console_client_id, world.idp.console_client_secret)
    yield admin
    await admin.aclose()
