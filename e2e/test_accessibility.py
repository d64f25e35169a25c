"""axe-core (npm `axe-core`, bundled into `.tools/` by `make test-deps`) on every page of the console, in the
light and the dark theme: no serious or critical finding (contrast, names of buttons and fields, keyboard
reach of scroll areas, ARIA)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import watch_page_errors
from playwright.sync_api import Browser, Page, expect

AXE = Path(__file__).resolve().parents[1] / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
POD = "acme-dev-billing/billing-db-1"  # seeded: a running CloudNativePG instance
# Every page a person reaches from the sidebar, and the detail tabs of a pod; with what shows once its data is in
# (the check runs on the page as it is read, not on its loading state).
PAGES: tuple[tuple[str, str], ...] = (
    ("/cloud?view=list&kind=namespaces", '[data-testid="resource-row"]'),
    ("/cloud?view=list&kind=pods", '[data-testid="resource-row"]'),
    ("/cloud?view=graph", '[data-testid="graph-node"]'),
    ("/sre/compliance", ""),
    ("/sec/compliance", ""),
    (f"/cloud/resource/pods/{POD}/overview", '[data-testid="containers-table"]'),
    (f"/cloud/resource/pods/{POD}/yaml", '[data-testid="yaml-editor"] .cm-line:has-text("apiVersion")'),
    (f"/cloud/resource/pods/{POD}/logs", '[data-testid="log-line"]'),
    (f"/cloud/resource/pods/{POD}/events", ""),
    ("/users", '[data-testid="tier-badge"], [data-tier]'),
    ("/rbac/grant", ""),
    ("/rbac/matrix", '[data-testid="matrix-cell"]'),
    ("/rbac/groups", '[data-testid="group-row"]'),
    ("/rbac/roles", ""),
    ("/rbac/who-can", ""),
    ("/rbac/audit", '[data-testid="audit-row"], [data-testid="audit-empty"]'),
    ("/settings", '[data-testid="settings-username"]'),
    ("/no-such-page", ""),
)
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => ["serious", "critical"].includes(v.impact))
  .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — e.g. ${v.nodes[0].target.join(" ")}`)"""


def _settled(page: Page, ready: str) -> None:
    """The page as a person reads it: the session confirmed, its data in, nothing still loading."""
    expect(page.get_by_test_id("session-check")).to_have_count(0, timeout=15_000)
    if ready:
        expect(page.locator(ready).first).to_be_visible(timeout=15_000)
    expect(page.locator(".rt-Spinner")).to_have_count(0, timeout=15_000)
    expect(page).to_have_title(re.compile(r"Sovereign Console$"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_finding(
    browser: Browser, sign_in, console_url: str, page_errors: list[str], theme: str
):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=theme)
    watch_page_errors(context, page_errors)
    page = context.new_page()
    axe = AXE.read_text()
    findings: dict[str, list[str]] = {}
    try:
        sign_in(page, "owner", PAGES[0][0])
        for path, ready in PAGES:
            page.goto(f"{console_url}{path}")
            _settled(page, ready)
            expect(page.locator("html")).to_have_class(theme)
            page.evaluate(axe)
            found = page.evaluate(RUN_AXE)
            if found:
                findings[path] = found
    finally:
        context.close()
    assert findings == {}, "\n".join(f"{path}:\n  " + "\n  ".join(found) for path, found in findings.items())
