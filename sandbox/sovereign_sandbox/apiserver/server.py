"""`Sandbox`: a seeded cluster served over HTTPS (kubectl, tokens) and plain HTTP (tests) on its own loop."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from pathlib import Path
from typing import Any

import uvicorn

from sovereign_sandbox.apiserver.app import create_app
from sovereign_sandbox.apiserver.faults import Faults
from sovereign_sandbox.apiserver.tls import generate_certificates, write_kubeconfig
from sovereign_sandbox.auth.authentication import ANONYMOUS_ADMIN, User
from sovereign_sandbox.auth.oidc import OidcVerifier
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.loop_thread import LoopThread, listen, url_of
from sovereign_sandbox.simulation import Simulation
from sovereign_sandbox.world.people import PEOPLE, persona_user
from sovereign_sandbox.world.sovereign import build_world

__all__ = ["CONSOLE_SERVICE_ACCOUNT", "Sandbox"]

CONSOLE_SERVICE_ACCOUNT = "system:serviceaccount:catalyst-system:sovereign-console"


class Sandbox(LoopThread):
    """The sandbox API server; a context manager in tests, `run_forever()` from the CLI.

    Ports are bound in the constructor (0 = a free port), so URLs are known before `start()`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        kube_port: int = 6443,
        http_port: int = 0,
        *,
        seed: int = 1,
        pods: int | None = None,
        state_dir: Path | str | None = None,
        kubeconfig_path: Path | str | None = None,
        history_size: int = 10_000,
        oidc_issuer: str | None = None,
        oidc_audience: str = "sovereign-console",
        churn: float = 0.0,
        simulate: bool = True,
    ):
        super().__init__()
        self.host = host
        self._temporary = None if state_dir else tempfile.TemporaryDirectory(prefix="sandbox-")
        self.state_dir = Path(state_dir or self._temporary.name)  # type: ignore[union-attr]
        self.admin_token = secrets.token_urlsafe(32)
        self.console_token = secrets.token_urlsafe(32)
        self.cluster = Cluster(
            history_size=history_size,
            tokens={
                self.admin_token: User("sandbox-admin", ("system:masters",)),
                self.console_token: User(
                    CONSOLE_SERVICE_ACCOUNT, ("system:serviceaccounts", "system:serviceaccounts:catalyst-system")
                ),
            },
        )
        # Seeded person → a static token acting as what their Keycloak token would make them.
        self.persona_tokens: dict[str, str] = {}
        for person in PEOPLE:
            token = self.persona_tokens[person.username] = secrets.token_urlsafe(32)
            self.cluster.tokens[token] = persona_user(person.username)
        if oidc_issuer:
            self.configure_oidc(oidc_issuer, oidc_audience)
        self.cluster.load(build_world(seed=seed, pods=pods))
        # Controllers that keep the world alive (`churn` = background changes a second, for benchmarks).
        self.simulation = Simulation(self.cluster, seed=seed, churn=churn) if simulate else None
        self.faults = Faults(self.cluster.store, self.call)
        self._https_socket = listen(host, kube_port)
        self._http_socket = listen(host, http_port)
        self.https_url = url_of("https", host, self._https_socket.getsockname()[1])
        self.http_url = url_of("http", host, self._http_socket.getsockname()[1])
        certificates = generate_certificates((host,))
        self.ca_path, self._certificate_path, self._key_path = certificates.write(self.state_dir / "pki")
        self._ca_pem = certificates.ca_pem
        self.kubeconfig_path = self.write_kubeconfig(
            kubeconfig_path or self.state_dir / "kubeconfig", token=self.admin_token
        )
        self._servers: list[uvicorn.Server] = []

    def configure_oidc(self, issuer: str | None, audience: str = "sovereign-console", **options: Any) -> None:
        """Accept access tokens from `issuer` (its JWKS fetched on first use); None turns OIDC off.

        `options` go to `OidcVerifier` (verify= a CA bundle for an HTTPS issuer, transport=, prefixes).
        """
        self.cluster.token_verifier = OidcVerifier(issuer, audience, **options) if issuer else None

    def write_kubeconfig(self, path: Path | str, *, token: str) -> Path:
        """Write a kubeconfig for this sandbox (HTTPS, its CA) authenticating with `token`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_kubeconfig(path, self.https_url, self._ca_pem, token)

    def _make_servers(self) -> list[uvicorn.Server]:
        address = self.https_url.split("://", 1)[1]
        secure = uvicorn.Config(
            self.faults.middleware(create_app(self.cluster, server_address=address, admin=self.faults.admin)),
            log_level="warning",
            ssl_certfile=str(self._certificate_path),
            ssl_keyfile=str(self._key_path),
            timeout_graceful_shutdown=1,
            lifespan="off",
            access_log=False,
        )
        plain = uvicorn.Config(
            self.faults.middleware(
                create_app(self.cluster, anonymous=ANONYMOUS_ADMIN, server_address=address, admin=self.faults.admin)
            ),
            log_level="warning",
            timeout_graceful_shutdown=1,
            lifespan="off",
            access_log=False,
        )
        return [uvicorn.Server(secure), uvicorn.Server(plain)]

    async def _serve(self) -> None:
        self._servers = self._make_servers()
        tasks = [
            asyncio.create_task(self._servers[0].serve(sockets=[self._https_socket])),
            asyncio.create_task(self._servers[1].serve(sockets=[self._http_socket])),
        ]
        while not all(server.started for server in self._servers) and not any(task.done() for task in tasks):
            await asyncio.sleep(0.01)
        if self.simulation is not None:
            self.simulation.start(self._loop)
        self._ready.set()
        await asyncio.gather(*tasks)

    def _shutdown(self) -> None:
        if self.simulation is not None:
            self.simulation.stop()
        self.cluster.store.drop_watches()
        for server in self._servers:
            server.should_exit = True

    def _close(self) -> None:
        for sock in (self._https_socket, self._http_socket):
            sock.close()
        self.cluster.container_roots.close()
        if self._temporary is not None:
            self._temporary.cleanup()
