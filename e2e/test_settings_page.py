"""The Settings page: the signed-in person, the theme, and how the console is configured (never a secret);
and "Sign out everywhere", which ends the person's other browsers while other people stay signed in."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from conftest import watch_page_errors
from playwright.sync_api import Browser, Page, expect
from sovereign_sandbox.servers import SandboxWorld

SHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots"))


def _value(page: Page, section: str, label: str):
    return page.get_by_test_id(f"settings-{section}").locator(f'[data-label="{label}"]')


def test_a_person_sees_their_identity_and_the_real_configuration(
    page: Page, sign_in, console_url: str, world: SandboxWorld
):
    sign_in(page, "sre", "/settings")
    expect(page.get_by_test_id("settings-username")).to_have_text("sre")
    expect(page.get_by_test_id("settings-tier")).to_have_text("operator")
    expect(page.get_by_test_id("nav-settings")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("settings-note")).to_contain_text("Only owners change console settings")
    version = httpx.get(f"{world.cluster.http_url}/version").json()["gitVersion"]
    expect(_value(page, "cluster", "API server")).to_have_text(world.cluster.https_url)
    expect(_value(page, "cluster", "Version")).to_have_text(version)
    expect(_value(page, "cluster", "Auth mode")).to_contain_text("impersonate")
    expect(_value(page, "cluster", "Console namespace")).to_have_text("catalyst-system")
    expect(_value(page, "identity-provider", "Issuer")).to_have_text(world.idp.issuer)
    expect(_value(page, "identity-provider", "Client id")).to_have_text(world.idp.console_client_id)
    expect(_value(page, "embedding", "Allowed origins")).to_have_text("not embeddable: X-Frame-Options SAMEORIGIN")
    expect(_value(page, "build", "Console")).to_have_text("0.1.0")
    expect(_value(page, "build", "Python")).to_contain_text("3.11")
    expect(_value(page, "session", "Session started")).to_contain_text("UTC")
    html = page.content()
    assert world.idp.console_client_secret not in html
    assert "access_token" not in html and "refresh_token" not in html


def test_owners_are_told_where_settings_come_from_and_the_theme_switches(page: Page, sign_in):
    sign_in(page, "owner", "/settings")
    expect(page.get_by_test_id("settings-tier")).to_have_text("owner")
    expect(page.get_by_test_id("settings-note")).to_have_text(
        "Set through environment variables (see README Configuration)."
    )
    expect(page.get_by_test_id("settings-groups")).to_contain_text("/sovereign-admins")
    page.get_by_test_id("theme-dark").click()
    expect(page.locator("html")).to_have_class("dark", timeout=5000)
    expect(page.get_by_test_id("theme-dark")).to_have_attribute("aria-pressed", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "settings-dark.png"), full_page=True)
    page.get_by_test_id("theme-light").click()
    expect(page.locator("html")).to_have_class("light")


def test_signing_out_everywhere_ends_the_persons_other_browsers_only(
    browser: Browser, sign_in, console_url: str, page_errors: list[str]
):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(3)]
    for context in contexts:
        watch_page_errors(context, page_errors)
    laptop, phone, colleague = (context.new_page() for context in contexts)
    try:
        sign_in(laptop, "developer", "/settings")
        sign_in(phone, "developer", "/settings")
        sign_in(colleague, "viewer", "/settings")
        expect(phone.get_by_test_id("settings-username")).to_have_text("developer")
        expect(colleague.get_by_test_id("settings-username")).to_have_text("viewer")
        phone_cookie = _session_cookie(contexts[1])

        laptop.get_by_test_id("sign-out-everywhere").click()
        laptop.get_by_test_id("confirm-sign-out-everywhere").click()
        expect(laptop.locator("#kc-login")).to_be_visible()  # signed out of the console and the IdP

        # The phone's session is gone from the shared store: its cookie is refused on the next request ...
        whoami = httpx.get(f"{console_url}/api/whoami", cookies={"console_session": phone_cookie})
        assert whoami.status_code == 401
        # ... so its next navigation is sent to sign in (never shown the page on the old session).
        with phone.expect_request(lambda request: request.url.startswith(f"{console_url}/login")):
            phone.goto(f"{console_url}/settings")
        assert _session_cookie(contexts[1]) != phone_cookie
        # Another person is untouched.
        colleague.goto(f"{console_url}/settings")
        expect(colleague.get_by_test_id("settings-username")).to_have_text("viewer")
        assert colleague.request.get(f"{console_url}/api/whoami").json()["username"] == "viewer"
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        laptop.screenshot(path=str(SHOTS / "settings-signed-out-everywhere.png"))
        for context in contexts:
            context.close()


def _session_cookie(context) -> str:
    return next((cookie["value"] for cookie in context.cookies() if cookie["name"] == "console_session"), "")
