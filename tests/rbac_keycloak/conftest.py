"""Fixtures: one sandbox IdP (the Keycloak-compatible one SandboxWorld runs) per module, and the console's
Keycloak Admin client on it, with the requests it makes counted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from counted_keycloak import CountedAdmin, counted_admin
from sovereign_sandbox.idp import IdentityProvider

from console.rbac.keycloak_admin import KeycloakAdmin


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as running:
        yield running


@pytest.fixture
async def counted(idp: IdentityProvider) -> AsyncIterator[CountedAdmin]:
    result = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret)
    yield result
    await result.aclose()


@pytest.fixture
def keycloak(counted: CountedAdmin) -> KeycloakAdmin:
    return counted.admin
