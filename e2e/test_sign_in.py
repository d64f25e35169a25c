"""Signing in through the sandbox IdP as the seeded people, and what each of them then sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")


def _row(page: Page, name: str):
    return page.locator(f'[data-testid="resource-row"][data-key="{name}"]')


@pytest.mark.parametrize(
    ("username", "name", "tier"),
    [
        ("sre", "Sara Lindqvist", "operator"),
        ("viewer", None, "viewer"),
        ("developer", None, "developer"),
        ("owner", None, "owner"),
    ],
)
def test_the_footer_card_names_the_person_and_their_tier(page: Page, sign_in, username, name, tier):
    sign_in(page, username)
    card = page.get_by_test_id("identity-card")
    expect(page.get_by_test_id("identity-tier")).to_have_text(tier)
    if name:
        expect(card).to_contain_text(name)
    card.click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Signed in as")


def test_a_person_without_a_tier_is_told_they_have_no_access(page: Page, sign_in):
    sign_in(page, "newcomer")
    expect(page.get_by_test_id("no-access")).to_contain_text("You have no access yet")
    expect(page.get_by_test_id("identity-tier")).to_have_text("no access")
    expect(page.get_by_test_id("resource-table")).to_have_count(0)


def test_a_developer_sees_only_the_namespaces_granted_to_them(page: Page, sign_in):
    """The list is filtered by what the API server allows the developer (impersonated), not by the UI."""
    sign_in(page, "developer")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    expect(_row(page, "acme-dev-wordpress")).to_be_visible()
    expect(_row(page, "acme-dev-billing")).to_be_visible()
    expect(page.get_by_test_id("resource-row")).to_have_count(2)


def test_a_wrong_password_is_refused_by_the_identity_provider(page: Page, console_url: str):
    page.goto(f"{console_url}/cloud?view=list&kind=namespaces")
    page.locator("#username").fill("sre")
    page.locator("#password").fill("not-the-password")
    page.locator("#kc-login").click()
    expect(page.get_by_text("Invalid username or password.")).to_be_visible()


def test_no_token_ever_reaches_the_browser(page: Page, sign_in, console_url: str):
    seen: list[str] = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda frame: seen.append(str(frame))))
    page.on(
        "response",
        lambda response: seen.append(response.text()) if response.url.startswith(console_url) and response.ok else None,
    )
    sign_in(page, "sre")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    page.reload()
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    cookies = page.context.cookies(console_url)
    session = [cookie for cookie in cookies if cookie["name"] == "console_session"]
    assert session and session[0]["httpOnly"]
    assert not any(JWT.search(cookie["value"]) for cookie in cookies)
    storage = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert not JWT.search(storage)
    assert seen and not any(JWT.search(text) for text in seen)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/cloud", "/\\evil.example"])
def test_sign_in_never_redirects_off_the_console(page: Page, console_url: str, target: str):
    page.goto(f"{console_url}/login?next={target}")
    page.locator("#username").fill("viewer")
    page.locator("#password").fill("demo-viewer")
    page.locator("#kc-login").click()
    page.wait_for_url(f"{console_url}/**")
    expect(page.get_by_test_id("identity-tier")).to_have_text("viewer")
    assert page.url.startswith(console_url)


def test_sign_out_ends_the_console_and_identity_provider_sessions(page: Page, sign_in, console_url: str):
    sign_in(page, "viewer")
    page.get_by_test_id("identity-card").click()
    page.get_by_test_id("sign-out").click()
    # Back at the console, the IdP asks for credentials again: its session ended too.
    expect(page.locator("#kc-login")).to_be_visible()
    response = page.request.get(f"{console_url}/api/whoami")
    assert response.status == 401


def test_whoami_describes_the_signed_in_person(page: Page, sign_in, console_url: str):
    sign_in(page, "developer")
    whoami = page.request.get(f"{console_url}/api/whoami").json()
    assert whoami["username"] == "developer"
    assert whoami["tier"] == "developer"
    assert whoami["scopes"] == ["openova.io/env-type=dev"]
    assert "/tiers/developer" in whoami["groups"]


def test_a_websocket_from_a_foreign_origin_is_refused(console_url: str):
    socket_url = console_url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    with pytest.raises(InvalidStatus) as refused:
        connect(socket_url, origin="http://evil.example", open_timeout=10)
    assert refused.value.response.status_code == 403
    with connect(socket_url, origin=console_url, open_timeout=10) as accepted:
        assert accepted.protocol.state.name == "OPEN"


def test_without_an_allow_list_the_console_refuses_every_frame(page: Page, console_url: str):
    response = page.request.get(f"{console_url}/login", max_redirects=0)
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["content-security-policy"] == "frame-ancestors 'self'"
