"""Sessions against the sandbox IdP over real HTTP: refresh before expiry, one refresh at a time, clean sign-out."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.idp import IdentityProvider

from console.identity.oidc import IdentityProviderUnavailable, OidcClient, OidcConfig, SignInError
from console.identity.service import SessionService
from console.identity.sessions import Session, SqliteSessionStore

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider("127.0.0.1", 0, access_token_seconds=300) as running:
        yield running


def _oidc(idp: IdentityProvider) -> OidcClient:
    return OidcClient(
        OidcConfig(
            issuer=idp.issuer,
            client_id=idp.console_client_id,
            client_secret=idp.console_client_secret,
            redirect_uri="http://127.0.0.1:3000/auth/callback",
        )
    )


async def _signed_in(idp: IdentityProvider, oidc: OidcClient, username: str) -> Session:
    """Tokens for a person as the code flow would give them (the password grant skips the browser)."""
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "username": username,
                "password": idp.passwords[username],
                "scope": "openid profile email",
            },
            auth=(idp.console_client_id, idp.console_client_secret),
        )
    response.raise_for_status()
    token = response.json()
    claims = await oidc.verify_access_token(token["access_token"])
    return Session(
        access_token=token["access_token"],
        refresh_token=token["refresh_token"],
        id_token=token["id_token"],
        access_expires_at=time.time() + token["expires_in"],
        refresh_expires_at=time.time() + token["refresh_expires_in"],
        claims=claims,
    )


async def test_a_session_resolves_to_the_person(idp: IdentityProvider, tmp_path: Path):
    oidc = _oidc(idp)
    service = SessionService(SqliteSessionStore(tmp_path / "sessions.db"), oidc)
    session_id = await service.start(await _signed_in(idp, oidc, "sre"))
    resolved = await service.resolve(session_id)
    assert resolved is not None
    assert resolved[1].username == "sre" and resolved[1].tier == "operator"


async def test_concurrent_refreshes_do_not_sign_the_person_out(idp: IdentityProvider, tmp_path: Path):
    """Keycloak rotates refresh tokens: two refreshes with the same token would end the session."""
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    service = SessionService(store, oidc)
    session = await _signed_in(idp, oidc, "viewer")
    session.access_expires_at = time.time() + 5  # inside the refresh margin
    session_id = await service.start(session)
    first_refresh_token = session.refresh_token

    results = await asyncio.gather(*(service.resolve(session_id) for _ in range(5)))

    assert all(result is not None for result in results)
    stored = await store.get(session_id)
    assert stored is not None and stored.refresh_token != first_refresh_token
    assert stored.access_expires_at > time.time() + 60
    # The rotated-away refresh token is dead at the IdP: had two refreshes raced, one would have failed.
    async with httpx.AsyncClient() as http:
        reuse = await http.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={"grant_type": "refresh_token", "refresh_token": first_refresh_token},
            auth=(idp.console_client_id, idp.console_client_secret),
        )
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"


async def test_a_refused_refresh_ends_the_session_cleanly(idp: IdentityProvider, tmp_path: Path):
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    service = SessionService(store, oidc)
    session = await _signed_in(idp, oidc, "developer")
    async with httpx.AsyncClient() as http:  # the person signs out elsewhere: the IdP session ends
        ended = await http.post(
            f"{idp.issuer}/protocol/openid-connect/logout",
            data={"refresh_token": session.refresh_token},
            auth=(idp.console_client_id, idp.console_client_secret),
        )
    assert ended.status_code == 204
    session.access_expires_at = time.time()
    session_id = await service.start(session)

    assert await service.resolve(session_id) is None
    assert await store.get(session_id) is None


async def test_a_forged_access_token_is_refused(idp: IdentityProvider, tmp_path: Path):
    oidc = _oidc(idp)
    session = await _signed_in(idp, oidc, "viewer")
    header, payload, signature = session.access_token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    with pytest.raises(SignInError, match="cannot trust"):
        await oidc.verify_access_token(forged)


async def _worker(idp: IdentityProvider, database: Path, session_id: str) -> asyncio.subprocess.Process:
    environment = {
        **os.environ,
        "OIDC_ISSUER": idp.issuer,
        "OIDC_CLIENT_ID": idp.console_client_id,
        "OIDC_CLIENT_SECRET": idp.console_client_secret,
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("refresh_worker.py")),
        str(database),
        session_id,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=environment,
    )
    assert worker.stdout is not None
    async with asyncio.timeout(30):
        assert (await worker.stdout.readline()).strip() == b"ready"
    return worker


async def test_two_worker_processes_refresh_one_session_once(idp: IdentityProvider, tmp_path: Path):
    """Two OS processes share the SQLite store and both find the session due: one refresh reaches the IdP."""
    oidc = _oidc(idp)
    database = tmp_path / "sessions.db"
    store = SqliteSessionStore(database)
    session = await _signed_in(idp, oidc, "viewer")
    session.access_expires_at = time.time() + 5  # inside the refresh margin
    session_id = await SessionService(store, oidc).start(session)
    rotated_before = idp.call(lambda: len(idp.realm.sessions.revoked_token_ids))

    workers = [await _worker(idp, database, session_id) for _ in range(2)]
    for worker in workers:  # both ready: let them go together
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        await worker.stdin.drain()
    async with asyncio.timeout(30):
        outputs = [(await worker.communicate())[0] for worker in workers]

    results = [json.loads(output) for output in outputs]
    assert all(worker.returncode == 0 for worker in workers)
    assert results[0] is not None and results[0] == results[1], "a worker was signed out or got other tokens"
    # Every refresh the IdP honours rotates (revokes) one refresh token: exactly one happened.
    assert idp.call(lambda: len(idp.realm.sessions.revoked_token_ids)) == rotated_before + 1
    stored = await store.get(session_id)
    assert stored is not None and stored.refresh_token == results[0]["refresh"] != session.refresh_token
    assert (await oidc.verify_access_token(stored.access_token))["preferred_username"] == "viewer"


async def test_while_keycloak_is_down_an_expired_session_is_kept_and_renewed_once_it_answers(
    idp: IdentityProvider, tmp_path: Path
):
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    service = SessionService(store, oidc)
    session = await _signed_in(idp, oidc, "sre")
    session.access_expires_at = time.time()  # expired: only a refresh lets the console act as them
    session_id = await service.start(session)
    idp.outage()
    try:
        with pytest.raises(IdentityProviderUnavailable) as outage:
            await service.resolve(session_id)
        assert outage.value.message == "Keycloak answered 503 Service Unavailable"
        assert await store.get(session_id) is not None  # not their fault: the session is kept
    finally:
        idp.outage(down=False)

    resolved = await service.resolve(session_id)

    assert resolved is not None and resolved[1].username == "sre"
    assert resolved[0].access_expires_at > time.time() + 60


async def test_while_keycloak_is_down_a_token_that_still_holds_carries_on(idp: IdentityProvider, tmp_path: Path):
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    service = SessionService(store, oidc)
    session = await _signed_in(idp, oidc, "viewer")
    session.access_expires_at = time.time() + 30  # due for a refresh, still valid
    session_id = await service.start(session)
    idp.outage()
    try:
        resolved = await service.resolve(session_id)
    finally:
        idp.outage(down=False)

    assert resolved is not None and resolved[0].access_token == session.access_token
    stored = await store.get(session_id)
    assert stored is not None and stored.refresh_token == session.refresh_token  # refreshed later, not lost


async def test_an_unreachable_keycloak_is_an_outage_not_a_sign_out(idp: IdentityProvider, tmp_path: Path):
    session = await _signed_in(idp, _oidc(idp), "developer")
    session.access_expires_at = time.time()
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/realms/sovereign"
    unreachable = OidcClient(
        OidcConfig(issuer=nowhere, client_id="console", client_secret="-", redirect_uri="http://127.0.0.1:3000/cb")
    )
    store = SqliteSessionStore(tmp_path / "sessions.db")
    session_id = await SessionService(store, _oidc(idp)).start(session)

    with pytest.raises(IdentityProviderUnavailable) as outage:
        await SessionService(store, unreachable).resolve(session_id)

    assert outage.value.message == "Keycloak is unreachable"
    assert await store.get(session_id) is not None
