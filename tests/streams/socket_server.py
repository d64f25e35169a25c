"""What the socket tests share: our routes served by uvicorn against a sandbox world, and real sessions."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sovereign_sandbox.servers import SandboxWorld
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from console.identity import runtime as identity_runtime
from console.identity.oidc import OidcClient, OidcConfig
from console.identity.routes import SESSION_COOKIE
from console.identity.service import SessionService
from console.identity.sessions import Session, SqliteSessionStore
from console.settings import get_settings

Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[Any]]


@contextlib.contextmanager
def serving(
    world: SandboxWorld,
    state_dir: Path,
    routes: Callable[[], list[BaseRoute]],
    lifespan: Lifespan,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Iterator[str]:
    """`routes()` (made once the environment is the console's) on uvicorn, inside `wrap` (e.g. the console's
    guard) if given; yields the `ws://` base URL."""
    kubeconfig = world.cluster.write_kubeconfig(state_dir / "kubeconfig", token=world.cluster.console_token)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OIDC_ISSUER", world.idp.issuer)
        patch.setenv("OIDC_CLIENT_ID", world.idp.console_client_id)
        patch.setenv("OIDC_CLIENT_SECRET", world.idp.console_client_secret)
        patch.setenv("CONSOLE_STATE_DIR", str(state_dir))
        patch.setenv("CONSOLE_KUBECONFIG", str(kubeconfig))
        patch.setenv("CONSOLE_KUBE_AUTH", "impersonate")
        patch.delenv("REFLEX_REDIS_URL", raising=False)
        get_settings.cache_clear()
        identity_runtime.session_service.cache_clear()
        app: ASGIApp = Starlette(routes=routes(), lifespan=lifespan)
        if wrap is not None:
            app = wrap(app)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="websockets-sansio"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start (see its log above)")
            time.sleep(0.02)
        try:
            yield f"ws://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(10)
            get_settings.cache_clear()
            identity_runtime.session_service.cache_clear()


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
