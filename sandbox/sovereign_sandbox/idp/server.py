"""`IdentityProvider`: the seeded realm served over plain HTTP on its own event loop in a thread."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable
from typing import Any

import uvicorn
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sovereign_sandbox.idp.app import create_idp_app
from sovereign_sandbox.idp.realm import Lifetimes, Realm
from sovereign_sandbox.idp.seed import (
    CONSOLE_CLIENT_ID,
    add_console_redirect_uri,
    build_realm,
    set_backchannel_logout_url,
)
from sovereign_sandbox.idp.tokens import SigningKeys
from sovereign_sandbox.loop_thread import LoopThread, listen, url_of
from sovereign_sandbox.world.people import PEOPLE, password_of

__all__ = ["DEFAULT_REDIRECT_URIS", "IdentityProvider"]

DEFAULT_REDIRECT_URIS = ("http://localhost:3000/auth/callback", "http://127.0.0.1:3000/auth/callback")
_NO_UPSTREAM = HTMLResponse(
    "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
    "<h1>503 Service Temporarily Unavailable</h1></center></body></html>",
    status_code=503,
)


class IdentityProvider(LoopThread):
    """A Keycloak-compatible IdP for realm `sovereign`; a context manager in tests, `run_forever()` from the CLI.

    The port is bound in the constructor (0 = a free port), so `issuer` is known before `start()`.
    """

    thread_name = "sandbox IdP"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 1,
        access_token_seconds: int = 300,
        refresh_token_seconds: int = 1800,
        console_redirect_uris: Iterable[str] = DEFAULT_REDIRECT_URIS,
    ):
        super().__init__()
        self.host = host
        self.seed = seed  # people and ids are fixed by the world catalog; kept for parity with Sandbox
        self._socket = listen(host, port)
        self.port = self._socket.getsockname()[1]
        self.url = url_of("http", host, self.port)
        self.console_client_id = CONSOLE_CLIENT_ID
        self.console_client_secret = secrets.token_urlsafe(24)
        self.realm: Realm = build_realm(
            console_secret=self.console_client_secret,
            console_redirect_uris=console_redirect_uris,
            lifetimes=Lifetimes(access_token_seconds=access_token_seconds, refresh_token_seconds=refresh_token_seconds),
        )
        self.issuer = f"{self.url}/realms/{self.realm.name}"
        self.discovery_url = f"{self.issuer}/.well-known/openid-configuration"
        self.passwords: dict[str, str] = {person.username: password_of(person.username) for person in PEOPLE}
        self.keys = SigningKeys()
        self._server: uvicorn.Server | None = None
        self._down = False

    def outage(self, down: bool = True) -> None:
        """While down, every request is answered 503, as an ingress with no ready Keycloak pod behind it does."""
        self._down = down

    def _unless_down(self, app: ASGIApp) -> ASGIApp:
        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and self._down:
                await _NO_UPSTREAM(scope, receive, send)
                return
            await app(scope, receive, send)

        return serve

    @property
    def console_client(self) -> Any:
        client = self.realm.client_by_client_id(CONSOLE_CLIENT_ID)
        assert client is not None
        return client

    def add_redirect_uri(self, uri: str) -> None:
        """Allow another console callback (its origin also becomes a post-logout redirect and web origin)."""
        self.call(add_console_redirect_uri, self.console_client, uri)

    def set_backchannel_logout_url(self, url: str) -> None:
        """Send the console's client a logout token at `url` whenever one of its sessions ends ("" stops it)."""
        self.call(set_backchannel_logout_url, self.console_client, url)

    async def _serve(self) -> None:
        config = uvicorn.Config(
            self._unless_down(create_idp_app(self.realm, self.issuer, keys=self.keys)),
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        task = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started and not task.done():
            await asyncio.sleep(0.01)
        self._ready.set()
        await task

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def _close(self) -> None:
        self._socket.close()
