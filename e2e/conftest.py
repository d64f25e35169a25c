"""Browser tests: the real console (as `console run` serves it) against the sandbox, driven by headless Chromium."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import leak_watch
import pytest
from cluster_objects import core_api
from forged_events import tab_token_and_cookie
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.servers import SandboxWorld

from console.cli import console_against

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
def console_port() -> int:
    return _free_port()


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, console_port: int) -> Iterator[SandboxWorld]:
    """The IdP and the cluster that trusts it, as `console demo` starts them."""
    kubeconfig = tmp_path_factory.mktemp("sandbox") / "kubeconfig"
    with SandboxWorld(
        seed=1,
        kubeconfig_path=kubeconfig,
        console_redirect_uris=[f"http://127.0.0.1:{console_port}/auth/callback"],
        console_backchannel_logout_url=f"http://127.0.0.1:{console_port}/auth/backchannel-logout",
    ) as running:
        yield running


@pytest.fixture(scope="session")
def sandbox(world: SandboxWorld) -> Sandbox:
    return world.cluster


# Each running console's log file, by its URL (`console_log_of`).
_CONSOLE_LOGS: dict[str, Path] = {}


def console_log_of(console_url: str) -> Path:
    """The log file of the console serving `console_url` (both of its streams)."""
    return _CONSOLE_LOGS[console_url]


def _serve_console(world: SandboxWorld, port: int, state: Path, extra_env: dict[str, str]) -> Iterator[str]:
    """The console on `port`, its logs in `<state>/console.log`: after the module they must hold no token,
    session id or Secret value (`leak_watch.console_log_leaks`)."""
    log = state / "console.log"
    with console_against(
        world,
        port,
        public_url=f"http://127.0.0.1:{port}",
        state_dir=state,
        host="127.0.0.1",
        extra_env=extra_env,
        log_path=log,
    ) as (url, _):
        _CONSOLE_LOGS[url] = log
        yield url
    secrets = core_api(world.cluster.kubeconfig_path).list_secret_for_all_namespaces()
    values = leak_watch.credential_values([item.to_dict() for item in secrets.items])
    leaks = leak_watch.console_log_leaks(log, values)
    assert leaks == [], "the console logged credentials:\n" + "\n".join(leaks[:20])


@pytest.fixture(scope="module")
def console_url(world: SandboxWorld, console_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console as `console run` serves it: signed in through the IdP, acting as each person.

    One per test module (a start takes seconds: the front end was exported once by `make`, and any console
    serves it on its own port), so one module's sign-ins and changes never leak into the next.
    """
    yield from _serve_console(world, console_port, tmp_path_factory.mktemp("console"), {})


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Uncaught exceptions thrown in the pages a test opened, and Content-Security-Policy violations
    (`watch_page_errors`); any one fails the test."""
    errors: list[str] = []
    yield errors
    assert errors == [], "uncaught errors in the browser:\n" + "\n".join(errors)


def watch_page_errors(context: BrowserContext, errors: list[str]) -> None:
    """Collect every uncaught exception of the context's pages, including pages it opens later (popups)."""

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        # The console's CSP blocks any script it did not serve: a blocked one is a broken page (or an attack).
        # A refused frame (frame-ancestors) is the policy doing its work, which the embedding tests check.
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and "frame-ancestors" not in message.text
                and errors.append(f"{page.url}: CSP violation: {message.text[:300]}")
            ),
        )

    context.on("page", watch)
    for page in context.pages:
        watch(page)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, page_errors: list[str]) -> Iterator[Page]:
    """A fresh browser whose page errors, CSP violations and secret leaks (`leak_watch`) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    traffic = leak_watch.watch(context, page_errors)
    page = context.new_page()
    yield page
    leak_watch.check_session_id(context, page, traffic, page_errors)
    shots = Path(os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def sign_in(console_url: str):
    """Sign in through the IdP's login form, as a person would, landing on `path`."""

    def sign_in_as(page: Page, username: str, path: str = "/cloud?view=list&kind=namespaces") -> None:
        page.goto(f"{console_url}{path}")
        page.locator("#username").fill(username)
        page.locator("#password").fill(f"demo-{username}")
        page.locator("#kc-login").click()
        page.wait_for_url(f"{console_url}/**")

    return sign_in_as


@pytest.fixture
def forged_tab(browser: Browser, sign_in, console_url: str, page_errors: list[str]):
    """For bypass tests: sign `username` in on `path` in a browser of its own, wait until `ready(page)` has
    checked what the page offers them, then hand over the tab's Reflex token and cookie (the browser closed) for
    a hand-written client to send what the page did not offer."""

    def signed_in(username: str, path: str, ready: Callable[[Page], None]) -> tuple[str, str]:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        watch_page_errors(context, page_errors)
        page = context.new_page()
        sign_in(page, username, path=path)
        ready(page)
        return tab_token_and_cookie(context, console_url)

    return signed_in
