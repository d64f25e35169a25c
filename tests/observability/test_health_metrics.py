"""/healthz, /readyz and /metrics over real HTTP (uvicorn, the console's guard and request log), against a
sandbox world; and the JSON request log."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from served_routes import closed_port, serving
from sovereign_sandbox.servers import SandboxWorld
from starlette.applications import Starlette

from console.api import guard, request_log
from console.database.runtime import database_lifespan, open_database
from console.identity.routes import SESSION_COOKIE
from console.kube.api import KubeApi, KubeApiError
from console.kube.runtime import kube_lifespan
from console.observability.health import health_routes
from console.observability.logs import configure_logging
from console.observability.metrics import metrics_routes
from console.settings import get_settings


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld(seed=1) as running:
        yield running


@contextlib.asynccontextmanager
async def _lifespan(_: Starlette) -> AsyncIterator[None]:
    async with database_lifespan(), kube_lifespan():
        yield


@pytest.fixture(scope="module")
def console_url(world: SandboxWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    def routes() -> list:
        return [*health_routes(), *metrics_routes()]

    with serving(
        world, tmp_path_factory.mktemp("state"), routes, _lifespan, lambda app: request_log(guard(app))
    ) as url:
        yield url


def _ready(url: str, timeout: float = 30.0) -> httpx.Response:
    """/readyz until it says ready (each answer is a real check; the watch cache lists the core kinds)."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{url}/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response


def test_healthz_answers_without_sign_in(console_url: str):
    response = httpx.get(f"{console_url}/healthz", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_once_the_core_kinds_are_listed(console_url: str):
    response = _ready(console_url)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": [
            {"name": "watch_cache", "ok": True, "reason": ""},
            {"name": "identity_provider", "ok": True, "reason": ""},
            {"name": "database", "ok": True, "reason": ""},
        ],
    }


def test_readyz_says_what_is_not_ready(world: SandboxWorld, tmp_path: Path):
    issuer = f"http://127.0.0.1:{closed_port()}/realms/x"

    def routes() -> list:
        return health_routes(lambda: dataclasses.replace(get_settings(), oidc_issuer=issuer))

    with serving(world, tmp_path, routes, None, lambda app: app) as url:
        response = httpx.get(f"{url}/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    checks = {check["name"]: check for check in body["checks"]}
    assert list(checks) == ["watch_cache", "identity_provider", "database"]
    assert checks["identity_provider"]["ok"] is False
    assert checks["identity_provider"]["reason"].startswith(f"{issuer}/.well-known/openid-configuration is unreachable")
    # The watch cache and the database are the process's: another test's server may have opened them.
    for name in ("watch_cache", "database"):
        assert checks[name]["ok"] is (checks[name]["reason"] == "")


async def test_metrics_show_watches_sessions_upstream_errors_and_audit_writes(
    console_url: str, world: SandboxWorld, tmp_path: Path
):
    assert _ready(console_url).status_code == 200
    kubeconfig = world.cluster.write_kubeconfig(tmp_path / "kubeconfig", token=world.cluster.console_token)
    api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context=""))
    try:
        with pytest.raises(KubeApiError):
            await api.get("/api/v1/namespaces/no-such-namespace-here")
    finally:
        await api.close()
    database = await open_database(f"sqlite:///{tmp_path}/audit.db", install=False)
    try:
        await database.audit_log.record("alice", "scale", "apps/v1/deployments/x", "ok")
    finally:
        database.close()
    httpx.get(f"{console_url}/healthz", cookies={SESSION_COOKIE: "a-browser-session"})

    response = httpx.get(f"{console_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert 'console_watch_state{resource="/api/v1/pods",state="live"} 1.0' in lines
    assert 'console_watch_state{resource="/api/v1/pods",state="error"} 0.0' in lines
    relists = [line for line in lines if line.startswith('console_watch_relists_total{resource="/api/v1/pods"}')]
    assert relists and float(relists[0].split()[-1]) >= 1
    events = [line for line in lines if line.startswith('console_watch_events_total{resource="/api/v1/pods"}')]
    assert events and float(events[0].split()[-1]) > 0  # the first list's objects
    sessions = [line for line in lines if line.startswith("console_active_sessions ")]
    assert sessions and float(sessions[0].split()[-1]) >= 1
    errors = [
        line for line in lines if line.startswith('console_upstream_errors_total{code="404",upstream="kubernetes"}')
    ]
    assert errors and float(errors[0].split()[-1]) >= 1
    audits = [line for line in lines if line.startswith('console_audit_writes_total{result="ok"}')]
    assert audits and float(audits[0].split()[-1]) >= 1
    assert "# TYPE console_event_handler_seconds histogram" in lines


def test_each_request_is_one_json_line_with_its_request_id_and_no_secrets(console_url: str):
    stream, audit = io.StringIO(), io.StringIO()
    configure_logging("json", stream=stream, audit_stream=audit)
    try:
        echoed = httpx.get(
            f"{console_url}/healthz?code=SECRET1&state=SECRET2&next=/cloud",
            headers={"x-request-id": "req-42"},
            cookies={SESSION_COOKIE: "SECRET3"},
        )
        generated = httpx.get(f"{console_url}/healthz", headers={"x-request-id": "not valid!"})
        logging.getLogger("console.audit").info('{"actor":"alice"}')
        # The server thread writes a request's line once its response is sent, which can be after the client
        # has read it: wait for the second line rather than race it.
        deadline = time.monotonic() + 5
        while stream.getvalue().count('"logger":"console.http"') < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        configure_logging("text")
    assert echoed.headers["x-request-id"] == "req-42"
    assert len(generated.headers["x-request-id"]) == 32
    requests = [json.loads(line) for line in stream.getvalue().splitlines() if '"logger":"console.http"' in line]
    assert len(requests) == 2
    first = requests[0]
    assert {key: first[key] for key in ("method", "path", "status", "request_id")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "request_id": "req-42",
    }
    assert first["query"] == "code=%5Bredacted%5D&state=%5Bredacted%5D&next=%2Fcloud"
    assert isinstance(first["duration_ms"], float)
    assert requests[1]["request_id"] == generated.headers["x-request-id"]
    assert "SECRET" not in stream.getvalue()
    assert audit.getvalue() == '{"actor":"alice"}\n'
    assert "alice" not in stream.getvalue()
