"""The guard's headers and refusals on real HTTP exchanges (httpx over ASGI): a hash-based CSP on HTML that
allows exactly the page's inline scripts, HSTS only over TLS, and cross-site writes refused (CSRF)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from console.identity.content_policy import inline_script_hashes, page_policy
from console.identity.guard import STORAGE_FALLBACK_SCRIPT, ConsoleGuard

PAGE = b"""<!doctype html><html><head><script>window.theme = "dark";</script>
<script type="module" src="/assets/entry.js"></script></head>
<body><div id="app"></div><script type="module">import "/assets/root.js";</script></body></html>"""


def _sha(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "'sha256-" + base64.b64encode(hashlib.sha256(raw).digest()).decode() + "'"


def _app() -> Starlette:
    async def page(_: Request) -> Response:
        return HTMLResponse(PAGE)

    async def data(_: Request) -> Response:
        return JSONResponse({"ok": True})

    async def write(_: Request) -> Response:
        return JSONResponse({"written": True})

    return Starlette(
        routes=[Route("/cloud", page), Route("/api/data", data), Route("/auth/logout", write, methods=["POST"])]
    )


async def _signed_in(_: str) -> bool:
    return True


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    guard = ConsoleGuard(
        _app(), public_url="http://console.test", allowed_origins=("https://portal.test",), signed_in=_signed_in,
        session_cookie="console_session", form_targets=("https://keycloak.test",),
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(guard), base_url="http://console.test") as client:
        yield client


def test_only_inline_scripts_are_hashed_each_once():
    html = b'<script>a()</script><script src="/x.js"></script><SCRIPT type="module">a()</SCRIPT><script> </script>'
    assert inline_script_hashes(html) == [_sha("a()")]


def test_the_page_policy_allows_nothing_from_elsewhere():
    policy = dict(
        directive.split(" ", 1)
        for directive in page_policy(
            b"<script>x</script>", frame_ancestors="'self'", form_targets=("https://k",)
        ).split("; ")
    )
    assert policy["script-src"] == f"'self' 'unsafe-eval' {_sha('x')}"  # Reflex evaluates returned actions
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["connect-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["form-action"] == "'self' https://k"
    assert "'unsafe-inline'" not in policy["script-src"]


async def test_a_page_load_gets_a_policy_with_its_own_inline_scripts_including_the_storage_fallback(http):
    response = await http.get("/cloud", headers={"accept": "text/html", "cookie": "console_session=s1"})
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert _sha('window.theme = "dark";') in policy
    assert _sha('import "/assets/root.js";') in policy
    assert _sha(STORAGE_FALLBACK_SCRIPT) in policy  # spliced into the page by the guard itself
    assert "frame-ancestors 'self' https://portal.test" in policy
    assert "form-action 'self' https://keycloak.test" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP: HSTS would be ignored anyway


async def test_other_responses_keep_the_framing_policy(http):
    response = await http.get("/api/data")
    assert response.headers["content-security-policy"] == "frame-ancestors 'self' https://portal.test"


async def test_hsts_is_sent_when_the_console_is_served_over_tls():
    guard = ConsoleGuard(
        _app(), public_url="https://console.test", allowed_origins=(), signed_in=_signed_in,
        session_cookie="console_session",
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(guard), base_url="https://console.test") as client:
        response = await client.get("/api/data")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize("origin", ["https://evil.test", "null", "http://console.test.evil.test"])
async def test_a_cross_site_write_is_refused(http, origin: str):
    response = await http.post("/auth/logout", headers={"origin": origin})
    assert response.status_code == 403
    assert response.text == "cross-site request refused"


@pytest.mark.parametrize("origin", ["http://console.test", "https://portal.test", None])
async def test_writes_from_the_console_an_embedder_or_a_server_pass(http, origin: str | None):
    headers = {"origin": origin} if origin else {}
    response = await http.post("/auth/logout", headers=headers)
    assert response.status_code == 200 and response.json() == {"written": True}
