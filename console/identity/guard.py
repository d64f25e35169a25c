"""ASGI guard in front of the whole console: framing policy, WebSocket origins, and signed-in page loads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths anyone may load: sign-in itself, health checks, and the static build (pages are gated, assets are not).
_OPEN_PREFIXES = ("/login", "/auth/", "/api/", "/_event", "/ping", "/_health", "/_upload", "/assets/", "/favicon")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def frame_headers(allowed_origins: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """CSP frame-ancestors from the embedding allow-list; X-Frame-Options too when nobody else may frame."""
    ancestors = " ".join(("'self'", *allowed_origins))
    headers = [
        (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if not allowed_origins:
        headers.append((b"x-frame-options", b"SAMEORIGIN"))
    return headers


class ConsoleGuard:
    """Wraps the backend app (Reflex's plus our routes).

    - every HTTP response carries the framing policy;
    - a WebSocket upgrade whose Origin is neither the console nor an allowed embedder is refused;
    - loading a page without a live session redirects to sign-in and back (client-side navigations never
      reach here, so the Reflex states check the session as well).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        public_url: str,
        allowed_origins: tuple[str, ...],
        signed_in: Callable[[str], Awaitable[bool]],
        session_cookie: str,
    ) -> None:
        self._app = app
        self._allowed_origins = {origin_of(public_url), *(origin.lower() for origin in allowed_origins)}
        self._frame_headers = frame_headers(allowed_origins)
        self._signed_in = signed_in
        self._session_cookie = session_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            origin = Headers(scope=scope).get("origin", "").rstrip("/").lower()
            if origin not in self._allowed_origins:
                await send({"type": "websocket.close", "code": 4403, "reason": "origin not allowed"})
                return
            await self._app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if await self._needs_sign_in(scope):
            path = scope.get("path", "/")
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            await response(scope, receive, self._with_frame_headers(send))
            return
        await self._app(scope, receive, self._with_frame_headers(send))

    async def _needs_sign_in(self, scope: Scope) -> bool:
        if scope.get("method") != "GET":
            return False
        path = scope.get("path", "/")
        if path.startswith(_OPEN_PREFIXES) or "." in path.rsplit("/", 1)[-1]:
            return False
        headers = Headers(scope=scope)
        if "text/html" not in headers.get("accept", ""):
            return False
        cookies = headers.get("cookie", "")
        session_id = ""
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == self._session_cookie:
                session_id = value
        return not (session_id and await self._signed_in(session_id))

    def _with_frame_headers(self, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._frame_headers:
                    headers.append(name.decode(), value.decode())
            await send(message)

        return send_with_headers
