"""One JSON log line per HTTP request (method, path, status, duration, request id), the id echoed back.

The query string is logged with the values of credential-like parameters (code, state, token, …) replaced;
cookies and headers are never logged. Session cookies are noted (hashed) for `console_active_sessions`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.observability.activity import SessionActivity, activity

__all__ = ["REQUEST_ID_HEADER", "RequestLog", "request_id_from", "safe_query"]

logger = logging.getLogger("console.http")

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_SECRET_PARAMETERS = re.compile(r"code|state|token|secret|password|session|key|ticket|assertion", re.IGNORECASE)
REDACTED = "[redacted]"


def request_id_from(headers: Headers) -> str:
    """The caller's X-Request-Id when it is a plain token (letters, digits, `._:-`, ≤ 128), else a new one."""
    offered = headers.get(REQUEST_ID_HEADER, "").strip()
    return offered if _REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex


def safe_query(query_string: bytes) -> str:
    """The query string with the value of every credential-like parameter replaced."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return urlencode([(name, REDACTED if _SECRET_PARAMETERS.search(name) else value) for name, value in pairs])


def _cookie(headers: Headers, name: str) -> str:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


class RequestLog:
    """ASGI middleware, outermost: logs each HTTP request once it is answered, and tracks session activity."""

    def __init__(self, app: ASGIApp, *, session_cookie: str, sessions: SessionActivity = activity) -> None:
        self._app = app
        self._session_cookie = session_cookie
        self._sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._socket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        session_id = _cookie(headers, self._session_cookie)
        if session_id:
            self._sessions.seen(session_id)
        request_id = request_id_from(headers)
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            fields = {
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                "query": safe_query(scope.get("query_string", b"")),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
            }
            logger.info("%s %s %s", fields["method"], fields["path"], status, extra={"http": fields})

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        session_id = _cookie(Headers(scope=scope), self._session_cookie)
        if not session_id:
            await self._app(scope, receive, send)
            return
        self._sessions.socket_opened(session_id)
        try:
            await self._app(scope, receive, send)
        finally:
            self._sessions.socket_closed(session_id)
