"""Compliance pages that change things or follow changes: an admin's mode toggle (and a viewer's forged one,
refused and audited), and a fixed Deployment moving the score live, with the dashboard saying why."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from compliance_helpers import LIVE, PERCENT, Expected, Snapshot, converge, kubectl, open_dashboard
from conftest import watch_page_errors
from forged_events import dispatch, run_on_own_thread
from playwright.sync_api import Browser, Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.pages.compliance.policy_state import CompliancePolicyState

POLICY = "probes-present"
ENVIRONMENT = "acme-dev"  # its Environment's policyRef: the EnvironmentPolicy `development`


@pytest.fixture(scope="module")
def kube(sandbox: Sandbox) -> Path:
    return sandbox.kubeconfig_path


def _environment_policy(kube: Path) -> str:
    return kubectl(kube, "get", "environment", ENVIRONMENT, "-o", "jsonpath={.spec.policyRef}")


def _mode(kube: Path, environment_policy: str) -> str:
    path = "{.spec.compliance.modes." + POLICY + "}"
    return kubectl(kube, "get", "environmentpolicy", environment_policy, "-o", f"jsonpath={path}")


def _set_mode(kube: Path, environment_policy: str, mode: str) -> None:
    patch = json.dumps({"spec": {"compliance": {"modes": {POLICY: mode}}}})
    kubectl(kube, "patch", "environmentpolicy", environment_policy, "--type=merge", "-p", patch)


def _mode_row(page: Page):
    environment = page.get_by_test_id("mode-environment").get_by_text(ENVIRONMENT, exact=True)
    return page.get_by_test_id("mode-row").filter(has=environment)


def _toggle(page: Page, environment_policy: str, old: str, new: str) -> None:
    row = _mode_row(page)
    expect(row.get_by_test_id("mode-badge")).to_have_text(old)
    row.get_by_test_id("mode-toggle").click()
    dialog = page.get_by_test_id("mode-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("mode-diff")).to_contain_text(
        f"environmentpolicy/{environment_policy}: spec.compliance.modes.{POLICY}: {old} → {new}"
    )
    # All of it in view: the code block wraps rather than hiding the change past its right edge.
    assert dialog.get_by_test_id("mode-diff").evaluate("el => el.scrollWidth <= el.clientWidth")
    dialog.get_by_test_id("mode-confirm").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("mode-result")).to_have_text(
        f"{POLICY} is now {new} in EnvironmentPolicy {environment_policy}."
    )
    expect(row.get_by_test_id("mode-badge")).to_have_text(new)  # the row follows the EnvironmentPolicy, live


def test_an_admin_switches_a_policy_mode_after_confirming_the_change(page: Page, sign_in, kube: Path):
    environment_policy = _environment_policy(kube)
    original = _mode(kube, environment_policy) or "permissive"
    flipped = "enforcing" if original != "enforcing" else "permissive"
    try:
        sign_in(page, "secops", path=f"/compliance/policy/{POLICY}")
        expect(page.get_by_test_id("policy-title")).to_have_text(f"Policy: {POLICY}")
        expect(_mode_row(page).get_by_test_id("mode-toggle")).to_have_text(f"Make {flipped}")
        _toggle(page, environment_policy, original, flipped)
        assert _mode(kube, environment_policy) == flipped
        _toggle(page, environment_policy, flipped, original)  # and back, the same way
        assert _mode(kube, environment_policy) == original
    finally:
        if _mode(kube, environment_policy) != original:
            _set_mode(kube, environment_policy, original)


def _audited(tmp_path_factory: pytest.TempPathFactory, target: str) -> list[tuple[str, str, str]]:
    found = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT action, result, detail FROM audit_log WHERE target = ? ORDER BY id", (target,)
            ).fetchall()
    return found


def test_a_viewer_has_no_toggle_and_a_forged_one_is_refused_and_audited(
    browser: Browser, sign_in, console_url: str, kube: Path, tmp_path_factory, page_errors: list[str]
):
    environment_policy = _environment_policy(kube)
    before = _mode(kube, environment_policy)
    wanted = "enforcing" if before != "enforcing" else "permissive"
    path = f"/compliance/policy/{POLICY}"
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    page = context.new_page()
    sign_in(page, "viewer", path=path)
    expect(_mode_row(page).get_by_test_id("mode-badge")).to_have_text(before or "permissive")
    expect(page.get_by_test_id("mode-toggle")).to_have_count(0)  # not offered to a viewer
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    assert token
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(console_url))
    context.close()  # the forged client speaks for the same tab state

    events = [("ask_mode", {"environment_policy": environment_policy, "mode": wanted}), ("confirm_mode", {})]
    answers = run_on_own_thread(
        dispatch(console_url, token, cookie, path, CompliancePolicyState.get_full_name(), events, until="Refused")
    )
    assert "Refused" in repr(answers), answers
    assert _mode(kube, environment_policy) == before
    records = _audited(tmp_path_factory, f"environmentpolicies.catalyst.openova.io/{environment_policy}")
    denied = [r for r in records if r[1] == "denied"]
    assert [(action, detail.split(":")[0]) for action, _, detail in denied] == [
        ("set-compliance-mode", f"spec.compliance.modes.{POLICY}={wanted}")
    ], records


def test_fixing_a_deployment_moves_the_score_live_and_the_dashboard_says_why(page: Page, sign_in, kube: Path):
    snapshot = Snapshot(kube)
    target = next(
        r
        for _, r in sorted(snapshot.resources.items())
        if r.kind == "Deployment" and r.verdicts.get(POLICY, ("",))[0] == "fail" and r.verdicts[POLICY][1] > 0
    )
    weight = target.verdicts[POLICY][1]
    open_dashboard(page, sign_in, "sre")
    expect(page.get_by_test_id("compare-select")).to_have_text("yesterday")
    href = f"/compliance/application/{target.environment}/{target.application}"
    row = page.get_by_test_id("application-row").filter(has=page.locator(f'a[href="{href}"]'))
    passing = row.locator("td").nth(4)

    def application() -> Expected:
        tally = Snapshot(kube).tally(application=target.application, environment=target.environment)
        return [(passing, f"{tally.num} / {tally.den}")]

    [(_, before)] = converge(application)
    num, den = (int(part) for part in before.split(" / "))
    deployment = json.loads(kubectl(kube, "get", "deployment", "-n", target.namespace, target.name, "-o", "json"))
    containers = deployment["spec"]["template"]["spec"]["containers"]
    probe = {"tcpSocket": {"port": 8080}, "periodSeconds": 10}
    fixed = [{"name": c["name"], "readinessProbe": probe, "livenessProbe": probe} for c in containers]
    patch = json.dumps({"spec": {"template": {"spec": {"containers": fixed}}}})
    try:
        kubectl(kube, "patch", "deployment", "-n", target.namespace, target.name, "-p", patch)
        expect(passing).to_have_text(f"{num + weight} / {den}", timeout=5000)  # spec: within 5 s
        expect(page.get_by_test_id("compliance-score")).to_have_text(PERCENT)
        why = page.get_by_test_id("score-why")
        expect(why).to_contain_text(f"{POLICY} now passes on {target.namespace}/{target.name} (weight {weight})")
        expect(page.get_by_test_id("why-row").filter(has_text=target.name).filter(has_text=POLICY)).to_have_count(1)
    finally:
        restore = [{"op": "replace", "path": "/spec/template/spec/containers", "value": containers}]
        kubectl(
            kube, "patch", "deployment", "-n", target.namespace, target.name, "--type=json", "-p", json.dumps(restore)
        )
    expect(passing).to_have_text(before, timeout=5000)
    expect(page.get_by_test_id("compliance-live")).to_have_text(LIVE)
