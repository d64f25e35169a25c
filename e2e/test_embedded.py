"""The console framed by the marketplace: allowed embedders get a chrome-less console with popup sign-in;
any other site cannot frame it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import _free_port, _serve_console
from playwright.sync_api import Page, expect
from sovereign_sandbox.servers import SandboxWorld


def _embedder(console_url: str) -> ThreadingHTTPServer:
    """A page on another site (localhost ≠ 127.0.0.1) that frames the console's list in embedded mode."""
    page = (
        "<!doctype html><html><body><h1>Marketplace</h1>"
        f'<iframe id="console" src="{console_url}/cloud?view=list&kind=namespaces&embed=1" '
        'width="1100" height="600"></iframe></body></html>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def allowed_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def embeddable_console(
    world: SandboxWorld, allowed_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    port = _free_port()
    world.idp.add_redirect_uri(f"http://127.0.0.1:{port}/auth/callback")
    yield from _serve_console(
        world,
        port,
        tmp_path_factory.mktemp("embeddable"),
        {"EMBED_ALLOWED_ORIGINS": f"http://localhost:{allowed_port}"},
    )


@pytest.fixture(scope="module")
def allowed_embedder(embeddable_console: str, allowed_port: int) -> Iterator[str]:
    server = _embedder(embeddable_console)
    server.server_close()  # rebind on the allowed port
    page = server.RequestHandlerClass
    allowed = ThreadingHTTPServer(("127.0.0.1", allowed_port), page)
    threading.Thread(target=allowed.serve_forever, daemon=True).start()
    yield f"http://localhost:{allowed_port}"
    allowed.shutdown()


@pytest.fixture(scope="module")
def foreign_embedder(embeddable_console: str) -> Iterator[str]:
    server = _embedder(embeddable_console)
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


def test_an_allowed_embedder_frames_a_chrome_less_console_that_signs_in_through_a_popup(
    page: Page, allowed_embedder: str
):
    page.goto(allowed_embedder)
    frame = page.frame_locator("#console")
    sign_in_button = frame.get_by_test_id("popup-sign-in")
    expect(sign_in_button).to_be_visible()
    with page.expect_popup() as popup_info:
        sign_in_button.click()
    popup = popup_info.value
    popup.locator("#username").fill("sre")
    popup.locator("#password").fill("demo-sre")
    with popup.expect_event("close"):  # listening before the click: the popup may close at once
        popup.locator("#kc-login").click()
    expect(frame.get_by_test_id("live-status")).to_have_text("live")
    expect(frame.locator('[data-testid="resource-row"][data-key="kube-system"]')).to_be_visible()
    expect(frame.locator('[data-testid="main"]')).to_have_attribute("data-embedded", "true")
    expect(frame.get_by_test_id("sidebar")).to_have_count(0)


def test_another_site_cannot_frame_the_console(page: Page, foreign_embedder: str, embeddable_console: str):
    blocked: list[str] = []
    page.on(
        "response",
        lambda response: (
            blocked.append(response.headers.get("content-security-policy", ""))
            if response.url.startswith(f"{embeddable_console}/cloud")
            else None
        ),
    )
    page.goto(foreign_embedder)
    page.wait_for_load_state("load")
    expect(page.frame_locator("#console").get_by_test_id("main")).to_have_count(0)
    assert blocked and "frame-ancestors 'self' http://localhost:" in blocked[0]
    assert foreign_embedder not in blocked[0]
