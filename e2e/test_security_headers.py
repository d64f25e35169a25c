"""What a browser is told about the console's pages: a hash-based CSP (no script the console did not serve
runs), no framing but by allowed embedders, a session cookie JavaScript cannot read; markup in cluster data
stays text; a write from another site is refused."""

from __future__ import annotations

import uuid

import httpx
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

MARKUP = '<img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script>'


def _directives(policy: str) -> dict[str, str]:
    return dict((directive.split(" ", 1) + [""])[:2] for directive in policy.split("; "))


def test_a_page_carries_the_security_headers_and_a_session_cookie_scripts_cannot_read(
    page: Page, sign_in, console_url: str
):
    sign_in(page, "sre", "/settings")
    response = page.goto(f"{console_url}/settings")
    assert response is not None and response.ok
    headers = response.headers
    policy = _directives(headers["content-security-policy"])
    assert policy["script-src"].startswith("'self' 'unsafe-eval' 'sha256-")
    assert "'unsafe-inline'" not in policy["script-src"]  # an injected <script> or on* attribute never runs
    assert policy["object-src"] == "'none'" and policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    expect(page.get_by_test_id("settings-username")).to_have_text("sre")  # the page works under its policy
    session = next(cookie for cookie in page.context.cookies() if cookie["name"] == "console_session")
    assert session["httpOnly"] is True and session["sameSite"] == "Lax"
    assert session["secure"] is False  # plain HTTP here; Secure whenever CONSOLE_PUBLIC_URL is https
    assert page.evaluate("document.cookie").find("console_session") == -1


def test_markup_in_an_annotation_renders_as_text(page: Page, sign_in, sandbox: Sandbox):
    name = f"e2e-xss-{uuid.uuid4().hex[:6]}"
    core = kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))
    core.create_namespaced_config_map(
        "default", {"metadata": {"name": name, "annotations": {"note": MARKUP}}, "data": {"page": MARKUP}}
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        sign_in(page, "sre", f"/cloud/resource/configmaps/default/{name}/overview")
        annotations = page.get_by_test_id("overview-annotations")
        annotations.locator("summary").click()
        expect(annotations).to_contain_text(f"note={MARKUP}")
        assert page.evaluate("window.__xss") is None
        assert page.locator('img[src="x"]').count() == 0
        assert dialogs == []
    finally:
        core.delete_namespaced_config_map(name, "default")


def test_a_write_from_another_site_is_refused_and_changes_nothing(page: Page, sign_in, console_url: str):
    sign_in(page, "viewer", "/settings")
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == "console_session")
    forged = httpx.post(
        f"{console_url}/auth/logout",
        cookies={"console_session": cookie},
        headers={"origin": "https://attacker.example"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert httpx.get(f"{console_url}/api/whoami", cookies={"console_session": cookie}).status_code == 200
