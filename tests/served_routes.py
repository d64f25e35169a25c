"""Our routes served by uvicorn with the console's environment against a sandbox world (the socket and
observability tests share it)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sovereign_sandbox.servers import SandboxWorld
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from console.identity import runtime as identity_runtime
from console.settings import get_settings

Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[Any]]


@contextlib.contextmanager
def serving(
    world: SandboxWorld,
    state_dir: Path,
    routes: Callable[[], list[BaseRoute]],
    lifespan: Lifespan | None,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    scheme: str = "http",
) -> Iterator[str]:
    """`routes()` (made once the environment is the console's) on uvicorn, inside `wrap` (e.g. the console's
    guard) if given; yields the base URL with `scheme` (`ws` for the sockets)."""
    kubeconfig = world.cluster.write_kubeconfig(state_dir / "kubeconfig", token=world.cluster.console_token)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OIDC_ISSUER", world.idp.issuer)
        patch.setenv("OIDC_CLIENT_ID", world.idp.console_client_id)
        patch.setenv("OIDC_CLIENT_SECRET", world.idp.console_client_secret)
        patch.setenv("CONSOLE_STATE_DIR", str(state_dir))
        patch.setenv("CONSOLE_KUBECONFIG", str(kubeconfig))
        patch.setenv("CONSOLE_KUBE_AUTH", "impersonate")
        patch.setenv("CONSOLE_PREWARM_KINDS", "v1/namespaces,v1/pods,v1/nodes")
        patch.delenv("CONSOLE_DATABASE_URL", raising=False)
        patch.delenv("REFLEX_REDIS_URL", raising=False)
        get_settings.cache_clear()
        identity_runtime.session_service.cache_clear()
        app: ASGIApp = Starlette(routes=routes(), lifespan=lifespan)
        if wrap is not None:
            app = wrap(app)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        config = uvicorn.Config(app, log_level="warning", log_config=None, ws="websockets-sansio")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start (see its log above)")
            time.sleep(0.02)  # uvicorn's thread says nothing else when it is up
        try:
            yield f"{scheme}://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(10)
            get_settings.cache_clear()
            identity_runtime.session_service.cache_clear()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
