"""Keycloak goes down while people use the console: what they see, and that nothing is lost when it returns.

This module has a world of its own whose access tokens live 4 seconds, so every request renews the session
and an outage is felt at once. The outage is the IdP's ingress answering 503 (`IdentityProvider.outage`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _free_port, _serve_console
from playwright.sync_api import Page, Route, expect
from sovereign_sandbox.servers import SandboxWorld

LIST = "/cloud?view=list&kind=namespaces"


@pytest.fixture(scope="module")
def outage_port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def outage_world(tmp_path_factory: pytest.TempPathFactory, outage_port: int) -> Iterator[SandboxWorld]:
    with SandboxWorld(
        seed=1,
        kubeconfig_path=tmp_path_factory.mktemp("outage-sandbox") / "kubeconfig",
        console_redirect_uris=[f"http://127.0.0.1:{outage_port}/auth/callback"],
        access_token_seconds=4,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def console_url(
    outage_world: SandboxWorld, outage_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The console against this module's world (the `sign_in` fixture signs in here)."""
    state: Path = tmp_path_factory.mktemp("console")
    yield from _serve_console(outage_world, outage_port, state, {})


def _namespace_row(page: Page):
    return page.get_by_test_id("resource-row").filter(has_text="acme-dev-billing")


def test_an_outage_during_the_session_shows_a_banner_keeps_the_page_and_recovers_by_itself(
    page: Page, sign_in, console_url: str, outage_world: SandboxWorld
):
    sign_in(page, "sre", path=LIST)
    expect(_namespace_row(page)).to_be_visible()
    outage_world.idp.outage()
    try:
        page.reload()
        banner = page.get_by_test_id("sign-in-outage")
        expect(banner).to_contain_text("Your sign-in cannot be checked right now: Keycloak answered 503")
        expect(banner).to_contain_text("Your session is kept")
        assert page.url.startswith(f"{console_url}/cloud")  # not sent to a sign-in that cannot work
        expect(page.get_by_test_id("identity-tier")).to_have_count(1)
    finally:
        outage_world.idp.outage(down=False)

    expect(banner).to_have_count(0, timeout=20_000)  # the page asked again and reloaded itself
    expect(_namespace_row(page)).to_be_visible()
    assert page.url.startswith(f"{console_url}/cloud")


def test_an_outage_in_the_middle_of_signing_in_says_so_and_signing_in_again_works(
    page: Page, console_url: str, outage_world: SandboxWorld
):
    def idp_fails_once_the_form_is_accepted(route: Route) -> None:
        """The login form goes through; Keycloak is down by the time the console trades the code."""
        if route.request.method != "POST":
            route.continue_()
            return
        accepted = route.fetch(max_redirects=0)  # Keycloak's redirect to /auth/callback, and its cookies
        outage_world.idp.outage()
        route.fulfill(response=accepted)

    idp_pages = f"{outage_world.idp.issuer}/**"
    page.route(idp_pages, idp_fails_once_the_form_is_accepted)
    try:
        page.goto(f"{console_url}{LIST}")
        page.locator("#username").fill("secops")
        page.locator("#password").fill("demo-secops")
        page.locator("#kc-login").click()
        message = page.get_by_test_id("auth-message")
        expect(message).to_contain_text("Sign-in failed")
        expect(message).to_contain_text("Keycloak answered 503 Service Unavailable")
    finally:
        page.unroute(idp_pages)
        outage_world.idp.outage(down=False)

    page.get_by_test_id("auth-action").click()  # "Sign in again": Keycloak still knows them, no form
    expect(page.get_by_test_id("identity-tier")).to_have_text("admin")
    assert page.url.startswith(console_url)
