"""A thin asynchronous Kubernetes API client on the official `kubernetes` package (its asyncio flavour).

The official client's typed APIs cover only built-in kinds and decode every object into models; the
console works with any kind (CRDs included) as plain JSON, so it uses the client's configuration, auth
and connection pool, and reads JSON and watch streams itself.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from kubernetes.aio import client as aio_client
from kubernetes.aio import config as aio_config
from multidict import CIMultiDict

from console.observability.counters import upstream_error
from console.settings import Settings

JsonObject = dict[str, Any]


class KubeApiError(Exception):
    """A request the API server answered with a non-2xx status (or could not be made at all)."""

    def __init__(self, status: int, reason: str, message: str, details: JsonObject | None = None) -> None:
        super().__init__(f"{status} {reason}: {message}" if status else message)
        self.status = status
        self.reason = reason
        self.message = message
        self.details = details or {}  # the Status `details` (name, kind, causes: [{reason, message, field}])

    @property
    def causes(self) -> list[JsonObject]:
        """The Status `details.causes` (field conflicts, validation errors), empty when the server sent none."""
        causes = self.details.get("causes")
        return [cause for cause in causes if isinstance(cause, dict)] if isinstance(causes, list) else []

    @classmethod
    def from_body(cls, status: int, body: bytes) -> KubeApiError:
        """Build the error from a `Status` body when the server sent one."""
        upstream_error("kubernetes", status)
        try:
            payload = orjson.loads(body or b"{}")
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        reason = str(payload.get("reason") or "")
        message = str(payload.get("message") or body[:200].decode("utf-8", "replace") or f"HTTP {status}")
        details = payload.get("details")
        return cls(status, reason, message, details if isinstance(details, dict) else None)


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """Where a resource type lives on the API server."""

    group: str  # "" for the core group
    version: str
    plural: str

    def collection(self, namespace: str = "") -> str:
        """The collection URL path, cluster-wide when `namespace` is empty."""
        root = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if namespace:
            return f"{root}/namespaces/{namespace}/{self.plural}"
        return f"{root}/{self.plural}"


@dataclass(frozen=True, slots=True)
class ActingAs:
    """Whose authority a request carries: impersonation of a person, or that person's own bearer token."""

    user: str = ""  # Impersonate-User
    groups: tuple[str, ...] = ()  # one Impersonate-Group header each (a comma-joined header is ONE group)
    bearer_token: str = ""  # replaces the console's own credentials (CONSOLE_KUBE_AUTH=token)

    def headers(self) -> list[tuple[str, str]]:
        if self.bearer_token:
            return [("Authorization", f"Bearer {self.bearer_token}")]
        if not self.user:
            return []
        return [("Impersonate-User", self.user), *(("Impersonate-Group", group) for group in self.groups)]


class KubeApi:
    """JSON requests and watch streams against one API server, as one identity.

    `as_person()` gives a view that shares the connection pool but acts as someone else; the console's
    own identity (service account) is only used by the shared watch cache.
    """

    def __init__(self, api_client: aio_client.ApiClient, acting_as: ActingAs | None = None) -> None:
        self._api_client = api_client
        self._acting_as = acting_as or ActingAs()

    def as_person(self, acting_as: ActingAs) -> KubeApi:
        return KubeApi(self._api_client, acting_as)

    @classmethod
    async def connect(cls, settings: Settings) -> KubeApi:
        """Configure from the kubeconfig in the settings, else the in-cluster service account."""
        configuration = aio_client.Configuration()
        if settings.kubeconfig and not Path(settings.kubeconfig).is_file():
            raise KubeApiError(0, "ConfigError", f"the kubeconfig {settings.kubeconfig} does not exist")
        if settings.kubeconfig:
            await aio_config.load_kube_config(
                config_file=settings.kubeconfig,
                context=settings.kube_context or None,
                client_configuration=configuration,
                persist_config=False,
            )
        else:
            try:
                aio_config.load_incluster_config(client_configuration=configuration)
            except aio_config.ConfigException:
                await aio_config.load_kube_config(
                    context=settings.kube_context or None,
                    client_configuration=configuration,
                    persist_config=False,
                )
        return cls(aio_client.ApiClient(configuration=configuration))

    async def close(self) -> None:
        await self._api_client.close()

    async def websocket_target(
        self, path: str, query: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]], ssl.SSLContext | None]:
        """URL (ws/wss), headers (credentials and acting-as, one per group) and TLS context for an upgrade.

        Kubernetes streams (exec, attach) are WebSockets the official client cannot open asynchronously
        with impersonation; this hands the same authority to a WebSocket client.
        """
        _, url, headers, _, _ = await self._api_client.param_serialize(
            method="GET", resource_path=path, query_params=None, header_params={}, auth_settings=["BearerToken"]
        )
        url = f"{url}?{urlencode(query)}" if query else url
        scheme, rest = url.split("://", 1)
        url = ("wss://" if scheme == "https" else "ws://") + rest
        pairs = [(name, value) for name, value in headers.items() if name.lower() == "authorization"]
        for name, value in self._acting_as.headers():
            if name == "Authorization":
                pairs = [(key, val) for key, val in pairs if key.lower() != "authorization"]
            pairs.append((name, value))
        return url, pairs, getattr(self._api_client.rest_client, "ssl_context", None)

    async def _request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        timeout: float | None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Any:
        method_, url, headers, _, _ = await self._api_client.param_serialize(
            method=method,
            resource_path=path,
            query_params=[(key, value) for key, value in (query or {}).items() if value not in (None, "")],
            header_params={"Accept": accept, "Content-Type": content_type},
            auth_settings=["BearerToken"],
        )
        # A multidict, so several Impersonate-Group headers can travel in one request.
        multi_headers = CIMultiDict(headers)
        for name, value in self._acting_as.headers():
            if name == "Authorization":
                multi_headers[name] = value
            else:
                multi_headers.add(name, value)
        try:
            return await self._api_client.call_api(
                method_, url, header_params=multi_headers, body=body, _request_timeout=timeout, _preload_content=False
            )
        except (OSError, aiohttp.ClientError) as error:
            upstream_error("kubernetes", 0)
            raise KubeApiError(0, "ConnectionError", f"cannot reach the API server: {error}") from error

    async def get(
        self, path: str, query: Mapping[str, Any] | None = None, *, accept: str = "application/json"
    ) -> JsonObject:
        """GET a JSON document (`accept`: another JSON form, e.g. the Table form); raises `KubeApiError` on a
        non-2xx answer."""
        return await self._json("GET", path, query, accept=accept)

    async def post(self, path: str, body: JsonObject, query: Mapping[str, Any] | None = None) -> JsonObject:
        """POST a JSON document; raises `KubeApiError` on a non-2xx answer."""
        return await self._json("POST", path, query, body)

    async def patch(
        self,
        path: str,
        body: Any,
        content_type: str = "application/merge-patch+json",
        query: Mapping[str, Any] | None = None,
    ) -> JsonObject:
        """PATCH with an explicit content type (`application/apply-patch+yaml` for server-side apply;
        `application/json-patch+json` takes a list). Raises `KubeApiError` on a non-2xx answer."""
        return await self._json("PATCH", path, query, body, content_type)

    async def put(self, path: str, body: JsonObject, query: Mapping[str, Any] | None = None) -> JsonObject:
        """PUT (replace) a JSON document; raises `KubeApiError` on a non-2xx answer."""
        return await self._json("PUT", path, query, body)

    async def delete(
        self, path: str, body: JsonObject | None = None, query: Mapping[str, Any] | None = None
    ) -> JsonObject:
        """DELETE with optional `DeleteOptions`; answers the deleted object or a `Status` (202 while graceful)."""
        return await self._json("DELETE", path, query, body)

    async def _json(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> JsonObject:
        response = await self._request(
            method, path, query, timeout=60, body=body, content_type=content_type, accept=accept
        )
        raw = await response.read()
        if not 200 <= response.status < 300:
            raise KubeApiError.from_body(response.status, raw)
        document = orjson.loads(raw)  # lists of thousands of objects: the fastest decoder pays off here
        if not isinstance(document, dict):
            raise KubeApiError(response.status, "InvalidResponse", "the API server did not answer with an object")
        return document

    async def watch(
        self, path: str, query: Mapping[str, Any], *, accept: str = "application/json"
    ) -> AsyncIterator[JsonObject]:
        """Stream watch events (`{"type", "object"}`) until the server ends the stream (`accept`: another
        JSON form of the objects, e.g. Table rows).

        The server is asked to end the stream after `timeoutSeconds` (as client-go does); the client
        gives up half a minute after that so a silently dead connection cannot hang a watch forever.
        """
        server_timeout = int(query.get("timeoutSeconds") or 300)
        response = await self._request(
            "GET",
            path,
            {**query, "timeoutSeconds": server_timeout, "watch": "true"},
            timeout=server_timeout + 30,
            accept=accept,
        )
        raw = response.response
        try:
            if not 200 <= response.status < 300:
                raise KubeApiError.from_body(response.status, await raw.read())
            while True:
                try:
                    line = await raw.content.readline()
                except (OSError, aiohttp.ClientError) as error:
                    raise KubeApiError(0, "ConnectionError", f"watch stream broke: {error}") from error
                if not line:
                    return
                line = line.strip()
                if line:
                    event = orjson.loads(line)
                    if not isinstance(event, dict):
                        raise ValueError("a watch line is not a JSON object")
                    yield event
        finally:
            raw.release()

    @contextlib.asynccontextmanager
    async def stream_lines(
        self, path: str, query: Mapping[str, Any], *, idle_timeout: float | None = None
    ) -> AsyncIterator[AsyncIterator[str]]:
        """Open a streaming text GET (a pod log, followed or not) and hand out its lines as they arrive.

        The answer's status is checked on entry (`KubeApiError` for a non-2xx), so a caller knows the
        stream is open before the first line. Lines come without their newline; an unterminated last line
        is handed out only when the stream ends cleanly. A broken stream raises `KubeApiError` with status 0.
        `idle_timeout` bounds the wait for the next bytes (None: no bound; the total time is never bounded).
        """
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=idle_timeout)
        response = await self._request("GET", path, query, timeout=timeout)  # type: ignore[arg-type]
        raw = response.response
        try:
            if not 200 <= response.status < 300:
                raise KubeApiError.from_body(response.status, await raw.read())
            yield _text_lines(raw.content)
        finally:
            if raw.content.at_eof():
                raw.release()
            else:
                raw.close()  # an unfinished (followed) stream: drop the connection rather than drain it


async def _text_lines(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    pending = b""
    try:
        async for chunk in content.iter_any():
            *complete, pending = (pending + chunk).split(b"\n")
            for line in complete:
                yield line.decode("utf-8", "replace")
    except (OSError, aiohttp.ClientError, TimeoutError) as error:
        raise KubeApiError(0, "ConnectionError", f"the stream broke: {error or type(error).__name__}") from error
    if pending:
        yield pending.decode("utf-8", "replace")
