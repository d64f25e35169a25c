"""/rbac/audit: an owner watches the audit log while scaling a Deployment in another tab; the record appears
without a reload, the filters narrow the table, and the CSV download holds the filtered rows. People below
tier-admin see why they cannot look."""

from __future__ import annotations

import csv
import io
import os
import uuid

from cluster_objects import apps_api, create_deployment
from conftest import watch_page_errors
from playwright.sync_api import Browser, Page, expect
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.world.people import DISPLAY_NAMES, subject_of

NAMESPACE = "default"
LIVE_WITHIN_MS = 3_000  # the page promises about two seconds


def _delete_deployment(sandbox: Sandbox, name: str) -> None:
    apps_api(sandbox.kubeconfig_path).delete_namespaced_deployment(name, NAMESPACE)


def _choose(page: Page, select_test_id: str, option: str) -> None:
    page.get_by_test_id(select_test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def _audit_rows_about(page: Page, name: str):
    return page.get_by_test_id("audit-row").filter(has=page.get_by_test_id("audit-target-cell").get_by_text(name))


def test_a_scale_in_another_tab_appears_live_then_filters_narrow_and_csv_holds_the_rows(
    browser: Browser, sign_in, sandbox: Sandbox, console_url: str, page_errors: list[str]
):
    name = f"e2e-audit-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    watch_page_errors(context, page_errors)
    try:
        audit = context.new_page()
        sign_in(audit, "owner", path="/rbac/audit")
        expect(audit.get_by_test_id("audit-live")).to_have_text("live", timeout=15_000)
        expect(audit.get_by_test_id("audit-table").or_(audit.get_by_test_id("audit-empty"))).to_be_visible()
        expect(_audit_rows_about(audit, name)).to_have_count(0)

        # Another tab of the same session scales the Deployment from its detail page.
        other = context.new_page()
        other.goto(f"{console_url}/cloud/resource/deployments/{NAMESPACE}/{name}/overview")
        expect(other.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true", timeout=15_000)
        other.get_by_test_id("scale-replicas").fill("2")
        other.get_by_test_id("action-scale").click()
        expect(other.get_by_test_id("action-result")).to_have_text(f"Scaled {name} to 2.")

        # The audit tab shows it without a reload: who (by name), what, the result badge, the target.
        row = _audit_rows_about(audit, name)
        expect(row).to_have_count(1, timeout=LIVE_WITHIN_MS)
        first, last = DISPLAY_NAMES["owner"]
        expect(row.get_by_test_id("audit-actor-cell")).to_contain_text(f"{first} {last}")
        expect(row.get_by_test_id("audit-actor-cell").locator("[title]")).to_have_attribute(
            "title", f"oidc:{subject_of('owner')}"
        )
        expect(row.get_by_test_id("audit-action-cell")).to_have_text("scale")
        expect(row.get_by_test_id("audit-result-badge")).to_have_text("ok")
        expect(row.get_by_test_id("audit-result-badge")).to_have_attribute("data-tone", "ok")
        expect(row).to_contain_text("replicas=2")
        expect(row).to_have_attribute("data-fresh", "true")

        # Filters narrow: denied hides it; ok and the actor's name and the action keep it.
        _choose(audit, "audit-result", "denied")
        expect(row).to_have_count(0)
        for badge in audit.get_by_test_id("audit-result-badge").all():
            expect(badge).to_have_text("denied")
        _choose(audit, "audit-result", "ok")
        expect(row).to_have_count(1)
        audit.get_by_test_id("audit-actor").fill(first.lower())
        expect(row).to_have_count(1)
        for actor in audit.get_by_test_id("audit-actor-cell").all():
            expect(actor).to_contain_text(first)
        audit.get_by_test_id("audit-actor").fill("nobody-matches-this")
        expect(audit.get_by_test_id("audit-empty")).to_have_text("No audited action matches these filters.")
        audit.get_by_test_id("audit-actor").fill(first)
        _choose(audit, "audit-action", "scale")
        expect(row).to_have_count(1)
        rows_shown = audit.get_by_test_id("audit-row").count()
        assert rows_shown >= 1
        for action in audit.get_by_test_id("audit-action-cell").all():
            expect(action).to_have_text("scale")

        # The CSV holds exactly the filtered rows (newest first), names included.
        with audit.expect_download() as download:
            audit.get_by_test_id("audit-csv").click()
        text = open(download.value.path(), encoding="utf-8", newline="").read()
        records = list(csv.DictReader(io.StringIO(text, newline="")))
        assert download.value.suggested_filename.startswith("audit-") and text.startswith("time,actor,actor_name,")
        assert len(records) == rows_shown
        assert all(r["action"] == "scale" and r["result"] == "ok" for r in records)
        mine = [r for r in records if r["target"].endswith(f"/{name}")]
        assert [(r["actor"], r["detail"]) for r in mine] == [(f"oidc:{subject_of('owner')}", "replicas=2")]
        assert mine[0]["actor_name"].startswith(f"{first} {last} <owner@")

        audit.get_by_test_id("audit-clear").click()
        expect(audit.get_by_test_id("audit-clear")).to_have_count(0)
        shots = os.environ.get("E2E_SCREENSHOT_DIR", "var/screenshots")
        audit.screenshot(path=f"{shots}/test_access_audit_live.png", full_page=True)
    finally:
        context.close()
        _delete_deployment(sandbox, name)


def test_below_tier_admin_the_audit_log_is_not_shown(page: Page, sign_in):
    sign_in(page, "developer", path="/rbac/audit")
    expect(page.get_by_test_id("needs-tier")).to_have_text(
        "This page is shown to tier-admin and tier-owner; you are signed in with tier-developer."
    )
    expect(page.get_by_test_id("audit-table")).to_have_count(0)
    expect(page.get_by_test_id("audit-csv")).to_have_count(0)
