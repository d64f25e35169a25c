"""ASGI guard in front of the whole console: framing policy, WebSocket origins, and signed-in page loads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.identity.content_policy import page_policy
from console.identity.pages import message_page
from console.identity.sessions import SessionStoreUnavailable

# How often the "session store unreachable" page reloads itself.
STORE_RETRY_SECONDS = 5

# Paths anyone may load: sign-in itself, health checks, and the static build (pages are gated, assets are not).
_OPEN_PREFIXES = (
    "/login",
    "/auth/",
    "/api/",
    "/_event",
    "/ping",
    "/_health",
    "/_upload",
    "/assets/",
    "/favicon",
    "/healthz",
    "/readyz",
    "/metrics",
)


# Framed by another site with its storage blocked (third-party cookies off), reading localStorage or
# sessionStorage throws and the app cannot start. Such a frame gets in-memory storage instead: the console
# keeps nothing there that must outlive the page (its session is an HttpOnly cookie).
STORAGE_FALLBACK_SCRIPT = """(function () {
  function memoryStorage() {
    var items = new Map();
    return {
      get length() { return items.size; },
      key: function (index) { var keys = Array.from(items.keys()); return index < keys.length ? keys[index] : null; },
      getItem: function (key) { return items.has(String(key)) ? items.get(String(key)) : null; },
      setItem: function (key, value) { items.set(String(key), String(value)); },
      removeItem: function (key) { items.delete(String(key)); },
      clear: function () { items.clear(); }
    };
  }
  ["localStorage", "sessionStorage"].forEach(function (name) {
    try { window[name].getItem("probe"); }
    catch (blocked) { Object.defineProperty(window, name, { value: memoryStorage(), configurable: true }); }
  });
})();"""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def frame_ancestors(allowed_origins: tuple[str, ...]) -> str:
    return " ".join(("'self'", *allowed_origins))


def frame_headers(allowed_origins: tuple[str, ...], *, https: bool = False) -> list[tuple[bytes, bytes]]:
    """Headers of every response: CSP frame-ancestors from the embedding allow-list (HTML gets the full policy),
    X-Frame-Options too when nobody else may frame, and HSTS when the console is served over TLS."""
    headers = [
        (b"content-security-policy", f"frame-ancestors {frame_ancestors(allowed_origins)}".encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
    ]
    if not allowed_origins:
        headers.append((b"x-frame-options", b"SAMEORIGIN"))
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    return headers


class ConsoleGuard:
    """Wraps the backend app (Reflex's plus our routes).

    - every HTTP response carries the framing policy (HTML: the whole CSP, see content_policy.py);
    - a state-changing request from a foreign Origin is refused (CSRF), as is
      a WebSocket upgrade whose Origin is neither the console nor an allowed embedder;
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
        form_targets: tuple[str, ...] = (),
    ) -> None:
        self._app = app
        self._allowed_origins = {origin_of(public_url), *(origin.lower() for origin in allowed_origins)}
        self._frame_headers = frame_headers(allowed_origins, https=public_url.startswith("https://"))
        self._frame_ancestors = frame_ancestors(allowed_origins)
        self._form_targets = form_targets
        self._signed_in = signed_in
        self._session_cookie = session_cookie
        self._fallback_tag = b"<script>" + STORAGE_FALLBACK_SCRIPT.encode() + b"</script>"

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
        if self._is_cross_site_write(scope):
            response = PlainTextResponse("cross-site request refused", status_code=403)
            await response(scope, receive, self._with_frame_headers(send))
            return
        try:
            needs_sign_in = await self._needs_sign_in(scope)
        except SessionStoreUnavailable as outage:
            await self._store_unavailable(outage)(scope, receive, self._with_frame_headers(send))
            return
        if needs_sign_in:
            path = scope.get("path", "/")
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            await response(scope, receive, self._with_frame_headers(send))
            return
        send = self._with_frame_headers(send)
        if self._is_page_load(scope):  # spliced in before the headers are made: its hash joins the page's CSP
            scope, send = self._with_storage_fallback(scope, send)
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, watched_send)
        except SessionStoreUnavailable as outage:  # a route that reads sessions (sign-in, whoami, sign-out)
            if started:
                raise
            await self._store_unavailable(outage)(scope, receive, send)

    @staticmethod
    def _store_unavailable(outage: SessionStoreUnavailable):
        """A plain page that says what is wrong and reloads itself until the store answers (no script needed)."""
        return message_page(
            "The console cannot read sessions",
            f"{outage.message[:1].upper()}{outage.message[1:]}. Nothing is lost on your side: this page "
            "tries again by itself every few seconds.",
            status=503,
            action_href="",
            action_label="Try again now",
            retry_seconds=STORE_RETRY_SECONDS,
        )

    def _is_cross_site_write(self, scope: Scope) -> bool:
        """A state-changing request a browser sent from another site (CSRF): its Origin is not the console's or an
        allowed embedder's. Server-to-server calls (Keycloak's back-channel logout) carry no Origin."""
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return False
        origin = Headers(scope=scope).get("origin")
        return origin is not None and origin.rstrip("/").lower() not in self._allowed_origins

    @staticmethod
    def _is_page_load(scope: Scope) -> bool:
        path = scope.get("path", "/")
        if scope.get("method") != "GET" or "." in path.rsplit("/", 1)[-1] or path.startswith(_OPEN_PREFIXES):
            return False
        return "text/html" in Headers(scope=scope).get("accept", "")

    async def _needs_sign_in(self, scope: Scope) -> bool:
        if scope.get("method") != "GET":
            return False
        path = scope.get("path", "/")
        if path.startswith(_OPEN_PREFIXES) or "." in path.rsplit("/", 1)[-1]:
            return False
        headers = Headers(scope=scope)
        if "text/html" not in headers.get("accept", ""):
            return False
        # A framed console signs in through a popup (the page offers it); never send the frame to the IdP.
        if headers.get("sec-fetch-dest") == "iframe" or b"embed=1" in scope.get("query_string", b""):
            return False
        cookies = headers.get("cookie", "")
        session_id = ""
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == self._session_cookie:
                session_id = value
        return not (session_id and await self._signed_in(session_id))

    def _with_storage_fallback(self, scope: Scope, send: Send) -> tuple[Scope, Send]:
        """Page loads get the storage fallback as the last element of <head>: before the inline scripts of
        <body>, which read sessionStorage, and after the head React hydrates. Spliced in as the first element
        it stood where React expects Reflex's theme script: a hydration mismatch (React error #418) on every
        page. The only inline script before it, the theme script, guards its own storage reads.
        Pages are asked for uncompressed and in full so the HTML can be edited."""
        # Never a 304 either: the page's CSP is made from its body (a revalidated page would keep a policy
        # without its script hashes), and pages are small.
        unwanted = (b"accept-encoding", b"if-none-match", b"if-modified-since")
        headers = [(name, value) for name, value in scope.get("headers", []) if name not in unwanted]
        # Without the pathsend extension the file server sends the body through us, where it can be edited.
        extensions = {
            key: value for key, value in (scope.get("extensions") or {}).items() if key != "http.response.pathsend"
        }
        scope = {**scope, "headers": headers, "extensions": extensions}
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_fallback(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if not content_type.startswith("text/html"):
                    await send(message)
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks).replace(b"</head>", self._fallback_tag + b"</head>", 1)
            headers = MutableHeaders(scope=start)
            headers["content-length"] = str(len(body))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        return scope, send_with_fallback

    def _with_frame_headers(self, send: Send) -> Send:
        """Every response gets the headers of `frame_headers`; an uncompressed HTML one is held until its body
        is complete, so its CSP can allow exactly the inline scripts it carries."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._frame_headers:
                    headers.append(name.decode(), value.decode())
                if headers.get("content-type", "").startswith("text/html") and "content-encoding" not in headers:
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                headers = MutableHeaders(scope=start)
                headers["content-security-policy"] = page_policy(
                    body, frame_ancestors=self._frame_ancestors, form_targets=self._form_targets
                )
                await send(start)
                message = {"type": "http.response.body", "body": body}
            elif start is not None:  # a file sent by path: no body to read, so the policy without hashes
                await send(start)
                start = None
            await send(message)

        return send_with_headers
