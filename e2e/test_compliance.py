"""The compliance pages as people use them: the SRE and Security dashboards, a policy and an application
drilled into, the CSV export, a resource's compliance tab, an Organization admin's narrower view.

Every number is checked against a score the test computes itself from `kubectl get … -o json`
(compliance_helpers.py, straight from compliance.md); the cluster keeps moving, so each comparison takes a
fresh snapshot until the page and the snapshot agree (bounded).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from compliance_helpers import (
    FIRST_SCORE_MS,
    PERCENT,
    Expected,
    Snapshot,
    caption,
    converge,
    kubectl,
    open_dashboard,
)
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

SRE_TITLE = "SRE Lead — Compliance Dashboard"
SECURITY_TITLE = "Security Lead — Compliance Dashboard"
CSV_HEADER = "resource,kind,namespace,name,policy,rule,severity,weight,application,environment,organization,message"


@pytest.fixture(scope="module")
def kube(sandbox: Sandbox) -> Path:
    return sandbox.kubeconfig_path


@pytest.fixture(scope="module")
def openreports(kube: Path) -> bool:
    """Whether the cluster serves openreports.io (its Reports count too)."""
    return (
        "reports.openreports.io" in kubectl(kube, "api-resources", "--api-group=openreports.io", "-o", "name").split()
    )


def test_the_sre_and_security_dashboards_show_the_sovereign_score_computed_from_the_reports(
    page: Page, sign_in, kube: Path, openreports: bool
):
    open_dashboard(page, sign_in, "sre")
    expect(page.get_by_test_id("compliance-title")).to_have_text(SRE_TITLE)
    expect(page.get_by_test_id("compliance-coverage")).to_have_text(re.compile(r"^\d+ of \d+ workloads? evaluated$"))
    expect(page.get_by_test_id("compliance-legend")).to_contain_text("Failing")
    score, pooled = page.get_by_test_id("compliance-score"), page.get_by_test_id("compliance-caption")

    def sovereign() -> Expected:
        tally = Snapshot(kube, openreports).tally()
        return [(pooled, caption(tally)), (score, tally.text)]

    (_, sre_caption), (_, sre_score) = converge(sovereign)
    assert sre_score != "—"
    expect(page.get_by_test_id("namespace-row").first).to_be_visible()
    assert all(name.strip() for name in page.get_by_test_id("namespace-name").all_inner_texts())  # none blank
    expect(page.get_by_test_id("category-security")).to_contain_text("Security")

    page.goto(page.url.replace("/sre/compliance", "/sec/compliance"))
    expect(page.get_by_test_id("compliance-title")).to_have_text(SECURITY_TITLE)
    expect(page.get_by_test_id("compliance-legend")).to_contain_text("High risk")
    expect(page.get_by_test_id("compliance-score")).to_have_text(PERCENT)
    expect(page.get_by_test_id("compliance-coverage")).to_have_text(re.compile(r"^\d+ of \d+ workloads? evaluated$"))
    # The Security Lead's score is over the security policies only: less weight than the sovereign's.
    security = page.get_by_test_id("compliance-caption").inner_text()
    assert int(security.split(" of ")[1].split()[0]) < int(sre_caption.split(" of ")[1].split()[0])


def test_a_violation_drills_down_to_its_policy_and_an_offending_resource(
    page: Page, sign_in, kube: Path, openreports: bool
):
    open_dashboard(page, sign_in, "sre")
    expect(page.get_by_test_id("violation-count")).to_have_text(re.compile(r"^[1-9]\d* failing results$"))
    link = page.get_by_test_id("violation-policy").first.locator("a")
    policy = link.inner_text()
    link.click()
    page.wait_for_url(f"**/compliance/policy/{policy}")
    expect(page.get_by_test_id("policy-title")).to_have_text(f"Policy: {policy}")
    facts = page.get_by_test_id("policy-facts")
    expect(facts.get_by_test_id("policy-fact")).to_have_count(8)
    expect(facts.locator('[data-label="Kyverno mode"] [data-testid="policy-fact"]')).to_have_text(
        re.compile("^(Audit|Enforce)$")
    )
    violations = facts.locator('[data-label="Violations"] [data-testid="policy-fact"]')

    def failing() -> Expected:
        snapshot = Snapshot(kube, openreports)
        count = sum(1 for r in snapshot.resources.values() if r.verdicts.get(policy, ("",))[0] == "fail")
        return [(violations, str(count))]

    (_, count), *_ = converge(failing)
    expect(page.get_by_test_id("offending-row")).to_have_count(int(count))
    expect(page.get_by_test_id("mode-row").first).to_be_visible()

    resource = page.get_by_test_id("offending-resource").first.locator("a")
    kind, name = resource.inner_text().split("/", 1)
    namespace = page.get_by_test_id("offending-row").first.locator("td").nth(1).inner_text()
    resource.click()
    page.wait_for_url(re.compile(rf"/cloud/resource/[^/]+/{re.escape(namespace)}/{re.escape(name)}/"))
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    expect(page.get_by_test_id("detail-namespace")).to_have_text(namespace)
    assert kind in ("Deployment", "StatefulSet", "DaemonSet", "Pod")


def _fixes(snapshot: Snapshot, application: str, environment: str) -> list[tuple[str, str]]:
    """(policy, "+x.x") an application must fix to reach 90 %, as compliance.md defines them."""
    tally = snapshot.tally(application=application, environment=environment)
    if tally.score is None or tally.score >= 90:
        return []
    missing: dict[str, int] = {}
    for resource in snapshot.resources.values():
        if (resource.application, resource.environment) != (application, environment) or resource.tally.den <= 0:
            continue
        for policy, (result, weight) in resource.verdicts.items():
            if result != "pass":
                missing[policy] = missing.get(policy, 0) + weight
    gains = {policy: (weight * 2000 + tally.den) // (2 * tally.den) for policy, weight in missing.items()}
    return [(p, f"+{t // 10}.{t % 10}") for p, t in sorted(gains.items(), key=lambda item: (-item[1], item[0]))]


def test_an_application_view_shows_its_score_outcomes_and_what_to_fix(
    page: Page, sign_in, kube: Path, openreports: bool
):
    open_dashboard(page, sign_in, "sre")
    expect(page.get_by_test_id("application-row").first).to_be_visible()
    # An application below 90 %: the one with the most policy weight among them.
    rows = page.get_by_test_id("application-row")
    below = [i for i in range(rows.count()) if int(rows.nth(i).locator("td").nth(3).inner_text().rstrip("%")) < 90]
    assert below, "every application is at or above 90 %"
    row = rows.nth(below[0])
    application, environment = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
    row.get_by_test_id("application-link").click()
    page.wait_for_url(f"**/compliance/application/{environment}/{application}")
    expect(page.get_by_test_id("application-title")).to_have_text(f"Application: {application}")
    expect(page.get_by_test_id("application-environment")).to_have_text(environment)
    expect(page.get_by_test_id("compliance-score")).to_have_text(PERCENT)

    def summary() -> Expected:
        tally = Snapshot(kube, openreports).tally(application=application, environment=environment)
        return [
            (page.get_by_test_id("compliance-caption"), caption(tally)),
            (page.get_by_test_id("compliance-score"), tally.text),
        ]

    converge(summary)
    outcomes = page.get_by_test_id("policy-outcome")
    expect(outcomes.first).to_be_visible()
    results = {outcomes.nth(i).get_attribute("data-result") for i in range(outcomes.count())}
    assert results <= {"pass", "fail", "warn", "skip"} and "fail" in results
    expect(page.get_by_test_id("result-pill").first).to_have_text(re.compile("^(pass|fail|warn|skip)$"))

    def fixes() -> Expected:
        expected = _fixes(Snapshot(kube, openreports), application, environment)
        return [
            (page.get_by_test_id("fix-policy"), [policy for policy, _ in expected]),
            (page.get_by_test_id("fix-gain"), [gain for _, gain in expected]),
        ]

    converge(fixes)
    gains = [float(text) for text in page.get_by_test_id("fix-gain").all_inner_texts()]
    assert gains and gains == sorted(gains, reverse=True) and all(gain > 0 for gain in gains)
    expect(page.get_by_test_id("violation-row").first).to_be_visible()  # its failing results


def test_an_organization_admin_counts_only_their_organizations_namespaces(
    page: Page, sign_in, kube: Path, openreports: bool
):
    open_dashboard(page, sign_in, "acme-admin")
    score, pooled = page.get_by_test_id("compliance-score"), page.get_by_test_id("compliance-caption")
    names = page.get_by_test_id("namespace-name")

    def acme() -> Expected:
        snapshot = Snapshot(kube, openreports)
        mine = {
            name
            for (kind, _, name) in snapshot.objects
            if kind == "namespace" and snapshot.labels("Namespace", "", name).get("openova.io/organization") == "acme"
        }
        reported = sorted({r.namespace for r in snapshot.resources.values() if r.namespace in mine})
        tally, everything = snapshot.tally(mine), snapshot.tally()
        assert tally.text != everything.text, "acme's score is the sovereign's: nothing to tell apart"
        return [(names, reported), (pooled, caption(tally)), (score, tally.text)]

    converge(acme)
    assert all(name.startswith("acme-") for name in names.all_inner_texts())


def test_the_violations_download_as_csv(page: Page, sign_in):
    open_dashboard(page, sign_in, "sre")
    count = page.get_by_test_id("violation-count")
    expect(count).to_have_text(re.compile(r"^[1-9]\d* failing results$"))
    with page.expect_download() as download:
        page.get_by_test_id("violations-csv").click()
    assert download.value.suggested_filename == "violations-sre-all-all.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert ",".join(rows[0]) == CSV_HEADER
    assert all(len(row) == 12 for row in rows[1:])
    expect(count).to_have_text(f"{len(rows) - 1} failing results")


def test_a_deployments_compliance_tab_shows_its_score_and_findings(page: Page, sign_in, kube: Path, openreports: bool):
    snapshot = Snapshot(kube, openreports)
    resource = next(
        r
        for key, r in sorted(snapshot.resources.items())
        if r.kind == "Deployment" and r.application and r.tally.fails and r.tally.den
    )
    sign_in(page, "sre", path=f"/cloud/resource/deployments/{resource.namespace}/{resource.name}/compliance")
    expect(page.get_by_test_id("detail-name")).to_have_text(resource.name)
    tab = page.get_by_test_id("compliance-tab")
    expect(tab.get_by_test_id("compliance-score")).to_have_text(resource.tally.text, timeout=FIRST_SCORE_MS)
    expect(tab.get_by_test_id("compliance-caption")).to_have_text(caption(resource.tally))
    findings = sum(len(results) for results in resource.results.values())
    expect(tab.get_by_test_id("finding-row")).to_have_count(findings)
    failing = sorted(policy for policy, (result, _) in resource.verdicts.items() if result == "fail")
    for policy in failing:
        expect(tab.get_by_test_id("finding-row").filter(has_text=policy).first).to_contain_text("fail")
    expect(tab.get_by_test_id("compliance-application-link")).to_have_text(
        f"Application {resource.application} compliance →"
    )
