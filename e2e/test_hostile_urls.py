"""Hostile input where people (or links) put it: every page's URL parameters and path, the grant form's
scope and user search, the log search. Markup, path traversal, header injection, huge and odd values.

Each page still renders its frame and says what it could not use; no script runs (no dialog, no CSP
violation: the page fixture fails on either); the console logs no error; and nothing is written to the
cluster (the sandbox's record of accepted writes gains nothing from anyone signed in through Keycloak).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import quote, urlencode

from cluster_objects import core_api
from conftest import console_log_of
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.rbac.scopes import ScopeError, parse_scope

HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "../../../etc/passwd",
    "%00\r\nSet-Cookie: console_session=stolen",
    "a" * 3000,
    "/(a|aa)+$/",
    "-1",
    "99999999999999999999999",
    "\u202egnp.exe",
    "{{7*7}}${7*7}",
    "' OR 1=1 --",
    "🙂" * 50,
)
SEARCH_COUNT = re.compile(r"^\d+/\d+$")  # the log search's "current/total"
# Each page and the parameters it reads (path segments are filled in too).
PAGES = (
    ("/cloud", ("view", "kind")),
    ("/cloud", ("view", "focus", "lens", "group", "types", "hops", "direction")),
    ("/sre/compliance", ("org", "env")),
    ("/sec/compliance", ("org", "env")),
    ("/rbac/audit", ("actor", "action", "result", "since")),
    ("/rbac/groups", ("path",)),
    ("/rbac/roles", ("role",)),
    ("/rbac/grant", ("tier", "scope", "user")),
    ("/rbac/who-can", ("verb", "group", "resource", "subresource", "namespace", "name")),
    ("/rbac/matrix", ("org", "env")),
    ("/users", ("tier",)),
    ("/settings", ("embed",)),
)
PATHS = (
    "/cloud/resource/{0}/{1}/{2}/{3}",
    "/cloud/resource/deployments/acme-prod-wordpress/{0}/overview",
    "/cloud/resource/pods/{1}/{2}/logs",
    "/compliance/policy/{0}",
    "/compliance/application/{1}/{2}",
    "/users/{0}",
)


def _hostile_urls() -> list[str]:
    values = itertools.cycle(HOSTILE)
    urls = []
    for path, names in PAGES:
        for _ in range(2):  # two different hostile values for every parameter of every page
            urls.append(f"{path}?{urlencode({name: next(values) for name in names})}")
    for template in PATHS:
        urls.append(template.format(*(quote(next(values), safe="") for _ in range(4))))
    return urls


def _oidc_writes(sandbox: Sandbox, since: int) -> list[str]:
    """Accepted writes made as anyone signed in through Keycloak (or impersonated as them) since `since`."""
    return [
        f"{w.verb} {w.path} by {w.user}" for w in list(sandbox.cluster.api_writes)[since:] if w.user.startswith("oidc:")
    ]


def _scope_refusal(value: str) -> str:
    """What the form must say for `value` ("" when it is a scope value): the domain's own words."""
    try:
        parse_scope("organization", value)
    except ScopeError as refused:
        return str(refused)
    return ""


def _new_error_lines(log: Path, offset: int) -> list[str]:
    text = log.read_text(errors="replace")[offset:]
    return [line[:300] for line in text.splitlines() if " ERROR " in line or "Traceback" in line]


def test_hostile_urls_render_the_frame_run_no_script_log_no_error_and_write_nothing(
    page: Page, sign_in, console_url: str, sandbox: Sandbox
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()) and None)
    sign_in(page, "owner", path="/settings")
    log = console_log_of(console_url)
    log_offset, writes_before = len(log.read_text(errors="replace")), len(sandbox.cluster.api_writes)

    for url in _hostile_urls():
        page.goto(f"{console_url}{url}")
        expect(page.get_by_test_id("main").first).to_be_visible()
        expect(page.get_by_test_id("session-check")).to_have_count(0)  # the page went past its session check
        expect(page.locator("img[src='x']")).to_have_count(0)  # markup arrived as text, never as elements

    assert dialogs == []
    assert _oidc_writes(sandbox, writes_before) == []
    assert _new_error_lines(log, log_offset) == []


def test_hostile_scopes_and_user_searches_in_the_grant_form_are_refused_in_words(
    page: Page, sign_in, console_url: str, sandbox: Sandbox
):
    sign_in(page, "owner", path="/rbac/grant")
    log = console_log_of(console_url)
    log_offset, writes_before = len(log.read_text(errors="replace")), len(sandbox.cluster.api_writes)
    search = page.get_by_test_id("user-search")
    for typed in HOSTILE:
        search.fill(typed)
        expect(page.get_by_test_id("user-search-note")).to_be_visible()
    page.get_by_test_id("scope-key").click()
    page.get_by_test_id("scope-key-organization").click()
    chip, error = page.get_by_test_id("scope-chip"), page.get_by_test_id("scope-error")
    for typed in (*HOSTILE, ""):
        page.get_by_test_id("scope-value").fill(typed)
        page.get_by_test_id("scope-add").click()
        refusal = _scope_refusal(typed)
        if refusal:
            expect(error).to_have_text(refusal)
            expect(chip).to_have_count(0)
        else:  # a label value after all (23 digits): a chip, removed again for the next one
            expect(chip).to_have_attribute("data-scope", f"organization={typed}")
            page.get_by_test_id("scope-chip-remove").click()
    expect(page.locator("img[src='x']")).to_have_count(0)
    assert _oidc_writes(sandbox, writes_before) == []  # nothing is granted until the form is applied
    assert _new_error_lines(log, log_offset) == []


def test_hostile_log_searches_find_text_and_run_nothing(page: Page, sign_in, sandbox: Sandbox):
    pods = core_api(sandbox.kubeconfig_path).list_pod_for_all_namespaces().items
    pod = next(
        p
        for p in sorted(pods, key=lambda p: p.metadata.name)
        if p.status.phase == "Running" and len(p.spec.containers) == 1 and not p.spec.init_containers
    )
    sign_in(page, "sre", path=f"/cloud/resource/pods/{pod.metadata.namespace}/{pod.metadata.name}/logs")
    expect(page.get_by_test_id("log-line").first).to_be_visible()
    search = page.get_by_test_id("log-search")
    for typed in (*HOSTILE, ".*", "[", "\\", "(?<x>"):
        search.fill(typed)
        expect(page.get_by_test_id("log-search-count")).to_have_text(SEARCH_COUNT)
    expect(page.locator("img[src='x']")).to_have_count(0)
