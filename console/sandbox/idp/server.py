"""`IdentityProvider`: the seeded realm served over plain HTTP on its own event loop in a thread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import uvicorn

from console.sandbox.idp.app import create_idp_app
from console.sandbox.idp.realm import Lifetimes, Realm
from console.sandbox.idp.seed import CONSOLE_CLIENT_ID, add_console_redirect_uri, build_realm, password_of
from console.sandbox.idp.tokens import SigningKeys
from console.sandbox.server import _listen, _url
from console.sandbox.world_catalog import PEOPLE

__all__ = ["DEFAULT_REDIRECT_URIS", "IdentityProvider"]

DEFAULT_REDIRECT_URIS = ("http://localhost:3000/auth/callback", "http://127.0.0.1:3000/auth/callback")
_Result = TypeVar("_Result")


class IdentityProvider:
    """A Keycloak-compatible IdP for realm `sovereign`; a context manager in tests, `run_forever()` from the CLI.

    The port is bound in the constructor (0 = a free port), so `issuer` is known before `start()`.
    """

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
        self.host = host
        self.seed = seed  # people and ids are fixed by the world catalog; kept for parity with Sandbox
        self._socket = _listen(host, port)
        self.port = self._socket.getsockname()[1]
        self.url = _url("http", host, self.port)
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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def console_client(self) -> Any:
        client = self.realm.client_by_client_id(CONSOLE_CLIENT_ID)
        assert client is not None
        return client

    def add_redirect_uri(self, uri: str) -> None:
        """Allow another console callback (its origin also becomes a post-logout redirect and web origin)."""
        self.call(add_console_redirect_uri, self.console_client, uri)

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        config = uvicorn.Config(
            create_idp_app(self.realm, self.issuer, keys=self.keys),
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

    def start(self) -> IdentityProvider:
        """Serve in a background thread with its own event loop; returns once the listener accepts."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="sandbox-idp", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the sandbox IdP did not start within 30 s")
        return self

    def call(self, function: Callable[..., _Result], *args: Any) -> _Result:
        """Run `function(*args)` on the server's loop (the realm is single-threaded) and return its result."""
        if self._loop is None:
            return function(*args)
        future: concurrent.futures.Future[_Result] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed back to the calling thread
                future.set_exception(error)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            server = self._server

            def shutdown() -> None:
                if server is not None:
                    server.should_exit = True

            self._loop.call_soon_threadsafe(shutdown)
            self._thread.join(10)
        self._loop = None
        self._socket.close()

    def run_forever(self) -> None:
        """Serve until interrupted (Ctrl+C); the loop runs in a worker thread so the main one gets the signal."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> IdentityProvider:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
