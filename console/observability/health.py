"""`/healthz` (the process answers) and `/readyz` (watch cache synced, IdP discovery reachable, database up)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import httpx
import sqlalchemy
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from console.database import runtime as database_runtime
from console.kube import runtime as kube_runtime
from console.kube.watch_cache import resource_from_id
from console.settings import Settings, get_settings

__all__ = ["Check", "DiscoveryProbe", "health_routes", "readiness", "ready_kinds"]

# The kinds every page needs: ready when these are listed (those of them the settings prewarm).
CORE_KINDS = ("v1/namespaces", "v1/pods", "v1/nodes")
DISCOVERY_CACHE_SECONDS = 10.0
_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # watch_cache, identity_provider, database
    ok: bool
    reason: str  # one line; "" when ok


def ready_kinds(settings: Settings) -> tuple[str, ...]:
    """The core kinds the settings prewarm; the prewarm set itself when it names none of them."""
    core = tuple(kind for kind in CORE_KINDS if kind in settings.prewarm_resources)
    return core or settings.prewarm_resources


def watch_check(settings: Settings) -> Check:
    try:
        cache = kube_runtime.current().cache
    except kube_runtime.KubeUnavailable as problem:
        return Check("watch_cache", False, str(problem))
    waiting = []
    for kind in ready_kinds(settings):
        watch = cache.peek(resource_from_id(kind))
        if watch is None:
            waiting.append(f"{kind}: not watched")
        elif not watch.synced:
            waiting.append(f"{kind}: {watch.status.describe()}")
    return Check("watch_cache", not waiting, "; ".join(waiting))


class DiscoveryProbe:
    """Fetches the IdP's discovery document, remembering the answer for `cache_seconds`."""

    def __init__(self, cache_seconds: float = DISCOVERY_CACHE_SECONDS) -> None:
        self._cache_seconds = cache_seconds
        self._answer: tuple[float, str, Check] | None = None  # (when, issuer, check)
        self._lock = asyncio.Lock()

    async def check(self, issuer: str) -> Check:
        if not issuer:
            return Check("identity_provider", False, "OIDC_ISSUER is not set")
        async with self._lock:
            now = time.monotonic()
            if self._answer is not None and self._answer[1] == issuer and now - self._answer[0] < self._cache_seconds:
                return self._answer[2]
            check = await self._fetch(issuer)
            self._answer = (time.monotonic(), issuer, check)
            return check

    @staticmethod
    async def _fetch(issuer: str) -> Check:
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            async with httpx.AsyncClient(timeout=_TIMEOUT_SECONDS) as http:
                response = await http.get(url)
        except httpx.HTTPError as error:
            return Check("identity_provider", False, f"{url} is unreachable: {error or type(error).__name__}")
        if response.status_code != 200:
            return Check("identity_provider", False, f"{url} answered {response.status_code}")
        return Check("identity_provider", True, "")


def database_check() -> Check:
    try:
        engine = database_runtime.current().engine
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except database_runtime.DatabaseUnavailable as problem:
        return Check("database", False, str(problem))
    except sqlalchemy.exc.SQLAlchemyError as error:
        return Check("database", False, f"SELECT 1 failed: {type(error).__name__}: {str(error).splitlines()[0]}")
    return Check("database", True, "")


async def readiness(settings: Settings, discovery: DiscoveryProbe) -> list[Check]:
    """Every readiness check, in a fixed order."""
    database = asyncio.to_thread(database_check)
    idp = discovery.check(settings.oidc_issuer)
    database_result, idp_result = await asyncio.gather(database, idp)
    return [watch_check(settings), idp_result, database_result]


def health_routes(settings: Callable[[], Settings] = get_settings) -> list[Route]:
    """`GET /healthz` and `GET /readyz`: unauthenticated, cheap, JSON."""
    discovery = DiscoveryProbe()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        checks = await readiness(settings(), discovery)
        ready = all(check.ok for check in checks)
        body = {"status": "ready" if ready else "not ready", "checks": [asdict(check) for check in checks]}
        return JSONResponse(body, status_code=200 if ready else 503, headers={"cache-control": "no-store"})

    return [
        Route("/healthz", endpoint=healthz, methods=["GET"]),
        Route("/readyz", endpoint=readyz, methods=["GET"]),
    ]
