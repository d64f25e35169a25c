"""Browser tests: the real console (`reflex run --env prod`) against the sandbox, driven by headless Chromium."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from console.cli import reflex_environment, start_console, stop, wait_until_serving
from console.sandbox.server import Sandbox

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    kubeconfig = tmp_path_factory.mktemp("sandbox") / "kubeconfig"
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1, kubeconfig_path=kubeconfig) as running:
        yield running


@pytest.fixture(scope="session")
def console_url(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console as `console run` serves it, connected to the sandbox as the console's service account."""
    kubeconfig = tmp_path_factory.mktemp("console") / "kubeconfig"
    sandbox.write_kubeconfig(kubeconfig, token=sandbox.console_token)
    port = _free_port()
    env = reflex_environment(dict(os.environ), port)
    env["CONSOLE_KUBECONFIG"] = str(kubeconfig)
    env["CONSOLE_HOST"] = "127.0.0.1"
    process = start_console(port, env)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process, timeout=300)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    shots = Path(os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{request.node.name}.png"), full_page=True)
    context.close()
