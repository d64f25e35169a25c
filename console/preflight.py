"""`console run`'s start-up checks: one plain line per configuration problem, before Reflex starts.

Nothing here imports Reflex: the checks read the settings, then ask the IdP, the cluster, the database and
Redis (when configured) whether they answer, each within a few seconds.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import sqlalchemy

from console.kube.api import KubeApi, KubeApiError
from console.settings import Settings

__all__ = ["check_origin", "preflight", "problems"]

TIMEOUT_SECONDS = 5.0
_DISCOVERY_FIELDS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def check_origin(value: str) -> str:
    """Why `value` is not an origin (scheme://host[:port], http or https, nothing after), "" when it is."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as error:
        return str(error)
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parts.hostname:
        return "it has no host"
    if "@" in parts.netloc:
        return "it carries a user name"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "it has a path, query or fragment"
    return ""


def _static(settings: Settings) -> list[str]:
    problems = []
    if not settings.oidc_issuer:
        problems.append("OIDC_ISSUER is not set: the console signs people in through Keycloak only")
    for origin in settings.embed_allowed_origins:
        why = check_origin(origin)
        if why:
            problems.append(f"EMBED_ALLOWED_ORIGINS: {origin!r} is not an origin (scheme://host[:port]): {why}")
    why = check_origin(settings.public_url)
    if why:
        problems.append(f"CONSOLE_PUBLIC_URL: {settings.public_url!r} is not an origin (scheme://host[:port]): {why}")
    return problems


async def _discovery(issuer: str) -> str:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            response = await http.get(url)
    except httpx.HTTPError as error:
        return f"OIDC_ISSUER: the IdP's discovery document {url} is unreachable: {error or type(error).__name__}"
    if response.status_code != 200:
        return f"OIDC_ISSUER: the IdP answered {response.status_code} for its discovery document {url}"
    try:
        document = response.json()
    except ValueError:
        return f"OIDC_ISSUER: the IdP's discovery document {url} is not JSON"
    if not isinstance(document, dict) or any(not document.get(field) for field in _DISCOVERY_FIELDS):
        return f"OIDC_ISSUER: the IdP's discovery document {url} lacks {', '.join(_DISCOVERY_FIELDS)}"
    if str(document["issuer"]).rstrip("/") != issuer:
        return f"OIDC_ISSUER: the IdP names itself {document['issuer']!r}, not {issuer!r}"
    return ""


async def _cluster(settings: Settings) -> str:
    try:
        api = await KubeApi.connect(settings)
    except Exception as error:  # noqa: BLE001 - the client library's configuration errors, worded by it
        message = error.message if isinstance(error, KubeApiError) else str(error)
        hint = "" if settings.kubeconfig else " (no CONSOLE_KUBECONFIG or KUBECONFIG, and not in a pod)"
        return f"cluster: cannot configure the connection{hint}: {message}"
    try:
        await asyncio.wait_for(api.get("/version"), TIMEOUT_SECONDS)
        await asyncio.wait_for(api.get("/api/v1/namespaces", {"limit": 1}), TIMEOUT_SECONDS)
    except TimeoutError:
        return f"cluster: the API server did not answer within {TIMEOUT_SECONDS:g} s"
    except KubeApiError as error:
        if error.status == 0:
            return f"cluster: the API server is unreachable: {error.message}"
        if error.status in (401, 403):
            return f"cluster: the API server refused the console's identity ({error.status}): {error.message}"
        return f"cluster: the API server answered {error.status}: {error.message}"
    except ValueError as error:
        return f"cluster: the API server's answer is not JSON: {error}"
    finally:
        await api.close()
    return ""


def _database_blocking(url: str) -> str:
    from console.database.engine import safe_url  # the database layer only when the check runs

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"connect_timeout": int(TIMEOUT_SECONDS)} if url.startswith("postgresql") else {}
    engine = sqlalchemy.create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except (sqlalchemy.exc.SQLAlchemyError, OSError) as error:
        first = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"CONSOLE_DATABASE_URL: the console database {safe_url(url)} does not answer: {first}"
    finally:
        engine.dispose()
    return ""


async def _database(settings: Settings) -> str:
    try:
        return await asyncio.wait_for(asyncio.to_thread(_database_blocking, settings.database_url), TIMEOUT_SECONDS * 2)
    except TimeoutError:
        return f"CONSOLE_DATABASE_URL: the console database did not answer within {TIMEOUT_SECONDS * 2:g} s"


async def _redis(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
        return "REFLEX_REDIS_URL is not a redis://host:port URL"
    where = parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
    try:
        if parts.scheme == "unix":
            connecting = asyncio.open_unix_connection(parts.path)
        else:
            tls = ssl.create_default_context() if parts.scheme == "rediss" else None
            connecting = asyncio.open_connection(parts.hostname, parts.port or 6379, ssl=tls)
        reader, writer = await asyncio.wait_for(connecting, TIMEOUT_SECONDS)
        try:
            writer.write(b"PING\r\n")
            await writer.drain()
            reply = await asyncio.wait_for(reader.readline(), TIMEOUT_SECONDS)
        finally:
            writer.close()
    except (OSError, TimeoutError) as error:
        return f"REFLEX_REDIS_URL: Redis at {where} is unreachable: {error or type(error).__name__}"
    # +PONG, or -NOAUTH when a password is needed: either way a Redis answers there.
    if not reply.startswith((b"+", b"-")):
        return f"REFLEX_REDIS_URL: what answers at {where} is not Redis"
    return ""


async def problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Every configuration problem, one line each (empty: the console can start)."""
    found = _static(settings)
    checks = []
    if settings.oidc_issuer:
        checks.append(_discovery(settings.oidc_issuer))
    checks.append(_cluster(settings))
    checks.append(_database(settings))
    redis_url = environ.get("REFLEX_REDIS_URL", "").strip()
    if redis_url:
        checks.append(_redis(redis_url))
    found.extend(problem for problem in await asyncio.gather(*checks) if problem)
    return found


def preflight(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """`problems` for synchronous callers (`console run`)."""
    return asyncio.run(problems(settings, environ))
