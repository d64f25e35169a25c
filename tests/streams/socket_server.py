"""What the socket tests share: our routes served by uvicorn against a sandbox world, and real sessions."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import served_routes
from served_routes import Lifespan
from sovereign_sandbox.servers import SandboxWorld
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from console.identity.oidc import OidcClient, OidcConfig
from console.identity.routes import SESSION_COOKIE
from console.identity.service import SessionService
from console.identity.sessions import Session, SqliteSessionStore
from console.settings import get_settings


def serving(
    world: SandboxWorld,
    state_dir: Path,
    routes: Callable[[], list[BaseRoute]],
    lifespan: Lifespan,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> contextlib.AbstractContextManager[str]:
    """`routes()` served as the console serves them; the context yields the `ws://` base URL."""
    return served_routes.serving(world, state_dir, routes, lifespan, wrap, scheme="ws")


async def session_cookie(world: SandboxWorld, username: str) -> str:
    """A signed-in session for a seeded person (the password grant stands in for the browser's code flow)."""
    settings = get_settings()
    oidc = OidcClient(
        OidcConfig(
            issuer=world.idp.issuer,
            client_id=world.idp.console_client_id,
            client_secret=world.idp.console_client_secret,
            redirect_uri="http://127.0.0.1:3000/auth/callback",
        )
    )
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{world.idp.issuer}/protocol/openid-connect/token",
            data={"grant_type": "password", "username": username, "password": world.idp.passwords[username]},
            auth=(world.idp.console_client_id, world.idp.console_client_secret),
        )
    token = response.raise_for_status().json()
    session = Session(
        access_token=token["access_token"],
        refresh_token=token["refresh_token"],
        id_token=token.get("id_token", ""),
        access_expires_at=time.time() + token["expires_in"],
        refresh_expires_at=time.time() + token["refresh_expires_in"],
        claims=await oidc.verify_access_token(token["access_token"]),
    )
    store = SqliteSessionStore(Path(settings.state_dir) / "sessions.db")
    return f"{SESSION_COOKIE}={await SessionService(store, oidc).start(session)}"
