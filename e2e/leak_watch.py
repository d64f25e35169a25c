"""Secrets never reach the browser, watched on every journey of the browser tests.

Tokens (JWTs: access, refresh and ID tokens are all JWTs) must not appear in any console URL, WebSocket frame
(sent or received) or page HTML; the session id must not appear anywhere but its HttpOnly cookie (not in a
frame, a URL, the page, or web storage). `watch` checks the JWTs as the traffic flows; `check_session_id`
checks the session id and web storage when a test's page is done, while its cookies can still be read.
`console_log_leaks` reads the console's own logs after a module: no JWT, no session id a test held, no
Secret value of the cluster.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Error, Page, Response, WebSocket

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")
SESSION_COOKIE = "console_session"
_WEB_STORAGE = "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
# Secret keys whose values are credentials (a Secret's `admin-user: admin` or `port: 5432` is no secret).
_CREDENTIAL_KEY = re.compile(r"password|secret|token|key|credential", re.IGNORECASE)
# Every session id a browser test held; the console's logs are checked for them after each module.
SESSION_IDS: set[str] = set()


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
    session_ids = remember_session_ids(context.cookies())
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


def remember_session_ids(cookies: list) -> set[str]:
    """The session ids among a browser's cookies, remembered for the check of the console's logs."""
    found = {c["value"] for c in cookies if c["name"] == SESSION_COOKIE and c["value"]}
    SESSION_IDS.update(found)
    return found


def credential_values(secrets: list[dict]) -> set[str]:
    """The one-line values of the credential keys of these Secrets (API objects as dicts), decoded."""
    values = set()
    for secret in secrets:
        for key, encoded in (secret.get("data") or {}).items():
            value = base64.b64decode(encoded).decode("utf-8", "replace")
            if _CREDENTIAL_KEY.search(key) and len(value) >= 12 and "\n" not in value:
                values.add(value)
    return values


def console_log_leaks(log: Path, secrets: set[str]) -> list[str]:
    """Every line of the console's log that holds a JWT, a session id a test held, or one of `secrets`."""
    leaks = []
    for number, line in enumerate(log.read_text(errors="replace").splitlines(), 1):
        what = (
            "a JWT"
            if JWT.search(line)
            else "a session id"
            if any(session_id in line for session_id in SESSION_IDS)
            else "a Secret value"
            if any(value in line for value in secrets)
            else ""
        )
        if what:
            leaks.append(f"{log}:{number}: {what}: {line[:160]}")
    return leaks
