"""The service-account token (cached, renewed before expiry and once on a 401, one request at a time) and
the failures people read: wrong credentials, missing realm-management roles, Keycloak unreachable."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Iterator

import httpx
import pytest
from counted_keycloak import counted_admin
from sovereign_sandbox.idp import IdentityProvider

from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError
from console.settings import get_settings


@pytest.fixture
def short_lived_idp() -> Iterator[IdentityProvider]:
    """Access tokens that live less than the client's renewal margin, so each call renews."""
    with IdentityProvider(access_token_seconds=20) as running:
        yield running


@pytest.fixture
def fresh_idp() -> Iterator[IdentityProvider]:
    """An IdP of its own, for tests that change the console's service account."""
    with IdentityProvider() as running:
        yield running


async def test_concurrent_calls_share_one_token(idp: IdentityProvider) -> None:
    counted = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret)
    try:
        results = await asyncio.gather(*(counted.admin.search_users("o") for _ in range(20)))
        await counted.admin.realm_roles()
    finally:
        await counted.aclose()
    assert all(result == results[0] for result in results)
    assert counted.token_requests == 1
    assert len(set(counted.bearers)) == 1


async def test_a_token_close_to_expiry_is_renewed_before_use(short_lived_idp: IdentityProvider) -> None:
    idp = short_lived_idp
    counted = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret)
    try:
        await counted.admin.search_users("o")
        await counted.admin.search_users("a")
    finally:
        await counted.aclose()
    assert counted.token_requests == 2


async def test_a_refused_token_is_renewed_once(idp: IdentityProvider) -> None:
    counted = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret)
    try:
        await counted.admin.search_users("o")
        (revoked,) = set(counted.bearers)
        async with httpx.AsyncClient() as http:  # an administrator revokes the token the console holds
            answer = await http.post(
                f"{idp.issuer}/protocol/openid-connect/revoke",
                data={"token": revoked},
                auth=(idp.console_client_id, idp.console_client_secret),
            )
            assert answer.status_code == 200
        assert [user.username for user in await counted.admin.search_users("owner")] == ["owner"]
    finally:
        await counted.aclose()
    assert counted.token_requests == 2
    assert counted.bearers.count(revoked) == 2 and len(set(counted.bearers)) == 2


async def test_a_wrong_secret_is_explained(idp: IdentityProvider) -> None:
    admin = KeycloakAdmin(idp.issuer, idp.console_client_id, "not-the-secret")
    try:
        with pytest.raises(KeycloakAdminError) as failure:
            await admin.search_users("o")
    finally:
        await admin.aclose()
    assert failure.value.status == 401
    assert str(failure.value).startswith("Keycloak rejected the console's credentials (401)")
    assert "OIDC_CLIENT_SECRET" in str(failure.value)


def _strip_admin_roles(idp: IdentityProvider) -> None:
    account = next(user for user in idp.realm.users.values() if user.service_account_of == idp.console_client.id)
    account.role_ids.clear()


async def test_missing_realm_management_roles_are_named(fresh_idp: IdentityProvider) -> None:
    fresh_idp.call(_strip_admin_roles, fresh_idp)  # an administrator takes the roles away
    admin = KeycloakAdmin(fresh_idp.issuer, fresh_idp.console_client_id, fresh_idp.console_client_secret)
    try:
        with pytest.raises(KeycloakAdminError) as failure:
            await admin.group_tree()
    finally:
        await admin.aclose()
    assert failure.value.status == 403
    assert str(failure.value) == (
        "Keycloak refused the console's service account (403): it needs the realm-management roles "
        "view-users, manage-users, query-groups, view-realm"
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_keycloak_is_explained() -> None:
    issuer = f"http://127.0.0.1:{_closed_port()}/realms/sovereign"
    admin = KeycloakAdmin(issuer, "sovereign-console", "secret")
    try:
        with pytest.raises(KeycloakAdminError) as failure:
            await admin.get_user("anyone")
    finally:
        await admin.aclose()
    assert failure.value.status == 0
    assert str(failure.value).startswith(f"Keycloak is unreachable at {issuer}: ")


def test_the_admin_base_comes_from_the_issuer() -> None:
    assert KeycloakAdmin("https://kc.example/realms/sovereign/", "c", "s").base == (
        "https://kc.example/admin/realms/sovereign"
    )
    assert KeycloakAdmin("https://kc.example/auth/realms/r", "c", "s").base == "https://kc.example/auth/admin/realms/r"
    with pytest.raises(KeycloakAdminError, match="not a Keycloak realm URL"):
        KeycloakAdmin("https://kc.example/", "c", "s")


async def test_from_settings_uses_the_consoles_oidc_client(idp: IdentityProvider) -> None:
    settings = dataclasses.replace(
        get_settings(),
        oidc_issuer=idp.issuer,
        oidc_client_id=idp.console_client_id,
        oidc_client_secret=idp.console_client_secret,
    )
    admin = KeycloakAdmin.from_settings(settings)
    try:
        assert [user.username for user in await admin.search_users("viewer")] == ["viewer"]
    finally:
        await admin.aclose()
    with pytest.raises(KeycloakAdminError, match="OIDC_ISSUER is empty"):
        KeycloakAdmin.from_settings(dataclasses.replace(settings, oidc_issuer=""))


async def test_calls_waiting_on_an_unreachable_keycloak_fail_together() -> None:
    issuer = f"http://127.0.0.1:{_closed_port()}/realms/sovereign"
    counted = counted_admin(issuer, "sovereign-console", "secret")
    try:
        failures = await asyncio.gather(*(counted.admin.search_users("o") for _ in range(10)), return_exceptions=True)
    finally:
        await counted.aclose()
    assert all(isinstance(failure, KeycloakAdminError) and failure.status == 0 for failure in failures)
    assert counted.token_requests == 1  # the others did not each wait out a connection attempt
