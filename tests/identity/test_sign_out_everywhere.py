"""Sign out everywhere against the sandbox IdP over real HTTP: every session of the person ends, in every
browser and on every replica sharing the store; their refresh tokens are revoked; other people stay signed in."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.idp import IdentityProvider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.testclient import TestClient

from console.identity.oidc import OidcClient, OidcConfig
from console.identity.routes import SESSION_COOKIE, IdentityRoutes
from console.identity.service import SessionService
from console.identity.sessions import Session, SqliteSessionStore

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider("127.0.0.1", 0, access_token_seconds=300) as running:
        yield running


def _oidc(idp: IdentityProvider) -> OidcClient:
    return OidcClient(
        OidcConfig(idp.issuer, idp.console_client_id, idp.console_client_secret, "http://testserver/auth/callback")
    )


def _sign_in(idp: IdentityProvider, username: str) -> dict:
    """Tokens for a person as the code flow would give them (the password grant skips the browser)."""
    response = httpx.post(
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
    return response.json()


async def _session(idp: IdentityProvider, oidc: OidcClient, username: str) -> Session:
    token = _sign_in(idp, username)
    return Session(
        access_token=token["access_token"],
        refresh_token=token["refresh_token"],
        id_token=token["id_token"],
        access_expires_at=time.time() + token["expires_in"],
        refresh_expires_at=time.time() + token["refresh_expires_in"],
        claims=await oidc.verify_access_token(token["access_token"]),
    )


def _replica(service: SessionService) -> TestClient:
    """One console process: its own routes and session service over the shared store."""
    routes = IdentityRoutes(lambda: service, public_url="http://testserver", embedded=False)
    app = Starlette(routes=routes.routes, middleware=[Middleware(SessionMiddleware, secret_key="test")])
    return TestClient(app, follow_redirects=False)


def _whoami(replica: TestClient, session_id: str) -> int:
    replica.cookies.clear()
    return replica.get("/api/whoami", cookies={SESSION_COOKIE: session_id}).status_code


def _refresh_status(idp: IdentityProvider, refresh_token: str) -> int:
    return httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(idp.console_client_id, idp.console_client_secret),
    ).status_code


async def test_signing_out_everywhere_ends_every_session_of_the_person_on_every_replica(
    idp: IdentityProvider, tmp_path: Path
):
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    first, second = SessionService(store, oidc), SessionService(store, _oidc(idp))  # two replicas, one store
    laptop = await _session(idp, oidc, "sre")
    phone = await _session(idp, oidc, "sre")
    someone_else = await _session(idp, oidc, "viewer")
    laptop_id, phone_id = await first.start(laptop), await second.start(phone)
    other_id = await first.start(someone_else)
    replica_a, replica_b = _replica(first), _replica(second)
    assert _whoami(replica_b, phone_id) == 200

    replica_a.cookies.clear()
    response = replica_a.post(
        "/auth/logout/everywhere",
        cookies={SESSION_COOKIE: laptop_id},
        headers={"Origin": "http://testserver"},
    )

    assert response.status_code == 303
    # Keycloak's session was ended server to server: the browser goes back to the console, no token in its URL.
    assert response.headers["location"] == "http://testserver/"
    assert f"{SESSION_COOKIE}=;" in response.headers["set-cookie"]
    assert _whoami(replica_b, phone_id) == 401  # the other browser, served by the other replica
    assert _whoami(replica_a, laptop_id) == 401
    assert _whoami(replica_b, other_id) == 200  # another person is untouched
    # Keycloak no longer refreshes the ended sessions; the other person's refresh token still works.
    assert _refresh_status(idp, laptop.refresh_token) == 400
    assert _refresh_status(idp, phone.refresh_token) == 400
    assert _refresh_status(idp, someone_else.refresh_token) == 200


async def test_a_post_from_another_site_signs_nobody_out(idp: IdentityProvider, tmp_path: Path):
    oidc = _oidc(idp)
    service = SessionService(SqliteSessionStore(tmp_path / "sessions.db"), oidc)
    session_id = await service.start(await _session(idp, oidc, "developer"))
    replica = _replica(service)
    response = replica.post(
        "/auth/logout/everywhere", cookies={SESSION_COOKIE: session_id}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert _whoami(replica, session_id) == 200


async def test_signed_out_it_only_clears_the_cookie(idp: IdentityProvider, tmp_path: Path):
    replica = _replica(SessionService(SqliteSessionStore(tmp_path / "sessions.db"), _oidc(idp)))
    response = replica.post("/auth/logout/everywhere", cookies={SESSION_COOKIE: "unknown"})
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/"


async def test_a_refresh_racing_sign_out_everywhere_does_not_revive_the_session(idp: IdentityProvider, tmp_path: Path):
    """A replica that read the session just before it was ended refreshes it: the write-back is refused."""
    oidc = _oidc(idp)
    store = SqliteSessionStore(tmp_path / "sessions.db")
    service = SessionService(store, oidc)
    session = await _session(idp, oidc, "sre")
    session_id = await service.start(session)
    stale = await store.get(session_id)
    assert stale is not None
    assert await service.end_everywhere(session.subject) == 1

    assert await store.update(session_id, stale) is False
    assert await service.resolve(session_id) is None
    assert await store.get(session_id) is None
