"""Secrets never reach the browser, watched on every journey of the browser tests.

Tokens (JWTs: access, refresh and ID tokens are all JWTs) must not appear in any console URL, WebSocket frame
(sent or received) or page HTML; the session id must not appear anywhere but its HttpOnly cookie (not in a
frame, a URL, the page, or web storage). `watch` checks the JWTs as the traffic flows; `check_session_id`
checks the session id and web storage when a test's page is done, while its cookies can still be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Error, Page, Response, WebSocket

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")
SESSION_COOKIE = "console_session"
_WEB_STORAGE = "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"


@dataclass
class Traffic:
    """What the browser saw (every site: the console, the IdP, an embedder): URLs, frames and page HTML, kept
    to look for the session id once it is known."""

    texts: list[str] = field(default_factory=list)


def watch(context: BrowserContext, errors: list[str]) -> Traffic:
    traffic = Traffic()

    def seen(where: str, text: str) -> None:
        traffic.texts.append(text)
        if JWT.search(text):
            errors.append(f"token leak: a JWT in {where}: {text[:120]}")

    def on_socket(socket: WebSocket) -> None:
        seen(f"a socket URL ({socket.url[:80]})", socket.url)
        socket.on("framereceived", lambda payload: seen(f"a frame from {socket.url[:60]}", str(payload)))
        socket.on("framesent", lambda payload: seen(f"a frame to {socket.url[:60]}", str(payload)))

    def on_response(response: Response) -> None:
        if response.url.startswith("data:"):
            return
        seen("a URL", response.url)
        if response.request.resource_type == "document" and response.ok:
            try:
                seen(f"the page {response.url[:80]}", response.text())
            except Error:
                pass  # the page navigated on before its body could be read

    def on_page(page: Page) -> None:
        page.on("websocket", on_socket)
        page.on("response", on_response)

    context.on("page", on_page)
    for page in context.pages:
        on_page(page)
    return traffic


def check_session_id(context: BrowserContext, page: Page, traffic: Traffic, errors: list[str]) -> None:
    """The session id appears nowhere the page's scripts or the network log could read it."""
    session_ids = {c["value"] for c in context.cookies() if c["name"] == SESSION_COOKIE and c["value"]}
    texts = list(traffic.texts)
    if page.url.startswith("http") and not page.is_closed():
        try:
            texts.append(
                page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
            )
        except Error:
            pass  # the page is navigating
    for text in texts:
        for session_id in session_ids:
            if session_id in text:
                errors.append(f"session id leak: {text[:120]}")
        if JWT.search(text):
            errors.append(f"token leak in web storage or traffic: {text[:120]}")
