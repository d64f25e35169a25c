"""The sign-in routes' plain-words answers when something goes wrong, and the cookie they set."""

from __future__ import annotations

import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.testclient import TestClient

from console.identity.oidc import OidcClient, OidcConfig
from console.identity.routes import IdentityRoutes
from console.identity.service import SessionService
from console.identity.sessions import SqliteSessionStore


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _app(tmp_path: Path, issuer: str) -> TestClient:
    oidc = OidcClient(OidcConfig(issuer, "sovereign-console", "secret", "http://testserver/auth/callback"))
    service = SessionService(SqliteSessionStore(tmp_path / "sessions.db"), oidc)
    routes = IdentityRoutes(lambda: service, public_url="http://testserver", embedded=False)
    app = Starlette(routes=routes.routes, middleware=[Middleware(SessionMiddleware, secret_key="test")])
    return TestClient(app, follow_redirects=False)


def test_an_unreachable_keycloak_gets_a_plain_page_not_a_traceback(tmp_path: Path):
    client = _app(tmp_path, f"http://127.0.0.1:{_closed_port()}/realms/sovereign")
    response = client.get("/login?next=/cloud")
    assert response.status_code == 503
    assert "Keycloak is unreachable" in response.text
    assert "Traceback" not in response.text


def test_a_callback_without_matching_state_says_so(tmp_path: Path):
    client = _app(tmp_path, f"http://127.0.0.1:{_closed_port()}/realms/sovereign")
    response = client.get("/auth/callback?code=x&state=forged")
    assert response.status_code == 400
    assert "state mismatch — possible CSRF; please sign in again" in response.text


def test_whoami_without_a_session_is_401(tmp_path: Path):
    client = _app(tmp_path, f"http://127.0.0.1:{_closed_port()}/realms/sovereign")
    response = client.get("/api/whoami")
    assert response.status_code == 401
    assert response.headers["cache-control"] == "no-store"


def test_a_forged_handover_code_sets_no_cookie(tmp_path: Path):
    client = _app(tmp_path, f"http://127.0.0.1:{_closed_port()}/realms/sovereign")
    response = client.post("/auth/exchange", json={"code": "guessed"})
    assert response.status_code == 400
    assert "set-cookie" not in response.headers
