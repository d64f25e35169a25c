"""The reconcile tab of a Flux object: an operator reconciles, suspends and resumes; a viewer only looks."""

from __future__ import annotations

import re
import sqlite3

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

NAMESPACE = "flux-system"
HELM = ("helm.toolkit.fluxcd.io", "v2", "helmreleases")


def _custom(sandbox: Sandbox) -> kube_client.CustomObjectsApi:
    return kube_client.CustomObjectsApi(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _healthy_release(sandbox: Sandbox) -> str:
    """A flux-system HelmRelease that is Ready and not suspended (the first by name)."""
    group, version, plural = HELM
    releases = _custom(sandbox).list_namespaced_custom_object(group, version, NAMESPACE, plural)["items"]
    healthy = sorted(
        release["metadata"]["name"]
        for release in releases
        if not (release.get("spec") or {}).get("suspend")
        and any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (release.get("status") or {}).get("conditions") or ()
        )
    )
    assert healthy, "the sandbox seeds healthy HelmReleases in flux-system"
    return healthy[0]


def _release(sandbox: Sandbox, name: str) -> dict:
    group, version, plural = HELM
    return _custom(sandbox).get_namespaced_custom_object(group, version, NAMESPACE, plural, name)


def _tab(name: str) -> str:
    return f"/cloud/resource/helmreleases/{NAMESPACE}/{name}/reconcile"


def _audited(tmp_path_factory: pytest.TempPathFactory, name: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT action, result FROM audit_log WHERE target LIKE ? ORDER BY id", (f"%/{name}",)
            ).fetchall()
    return found


def test_an_operator_reconciles_suspends_and_resumes_from_the_reconcile_tab(
    page: Page, sign_in, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
):
    name = _healthy_release(sandbox)
    sign_in(page, "sre", path=_tab(name))
    expect(page.get_by_test_id("detail-tab-reconcile")).to_have_attribute("data-active", "true")
    expect(page.get_by_test_id("reconcile-state")).to_have_text("Reconciled")
    expect(page.get_by_test_id("reconcile-state")).to_have_attribute("data-tone", "ok")
    expect(page.get_by_test_id("reconcile-ready-status")).to_have_text("True")
    expect(page.get_by_test_id("reconcile-suspended")).to_have_text("false")
    expect(page.get_by_test_id("reconcile-actions")).to_have_attribute("data-checked", "true")

    page.get_by_test_id("reconcile-now").click()
    expect(page.get_by_test_id("action-result")).to_contain_text("Reconcile requested at ")
    match = re.search(r"Reconcile requested at (\S+)\.", page.get_by_test_id("action-result").inner_text())
    assert match is not None
    requested_at = match.group(1)
    expect(page.get_by_test_id("reconcile-requested-at")).to_have_text(requested_at)
    # The sandbox's Flux simulation handles the request: lastHandledReconcileAt catches up, live.
    expect(page.get_by_test_id("reconcile-last-handled-at")).to_have_text(requested_at, timeout=15_000)
    assert _release(sandbox, name)["status"]["lastHandledReconcileAt"] == requested_at
    expect(page.get_by_test_id("events-table")).to_contain_text("ReconciliationSucceeded", timeout=15_000)

    page.get_by_test_id("reconcile-suspend").click()
    expect(page.get_by_test_id("reconcile-state")).to_have_text("Suspended", timeout=10_000)
    expect(page.get_by_test_id("reconcile-suspended")).to_have_text("true")
    expect(page.get_by_test_id("reconcile-suspend")).to_have_count(0)
    assert _release(sandbox, name)["spec"]["suspend"] is True

    page.get_by_test_id("reconcile-resume").click()
    expect(page.get_by_test_id("reconcile-state")).to_have_text("Reconciled", timeout=10_000)
    expect(page.get_by_test_id("reconcile-suspended")).to_have_text("false")
    assert _release(sandbox, name)["spec"]["suspend"] is False

    audited = _audited(tmp_path_factory, name)
    for action in ("reconcile", "suspend", "resume"):
        assert (action, "ok") in audited


def test_a_viewer_sees_the_reconcile_state_but_no_buttons(page: Page, sign_in, sandbox: Sandbox):
    name = _healthy_release(sandbox)
    sign_in(page, "viewer", path=_tab(name))
    expect(page.get_by_test_id("reconcile-state")).to_have_text("Reconciled")
    expect(page.get_by_test_id("reconcile-actions")).to_have_attribute("data-checked", "true")
    for button in ("reconcile-now", "reconcile-suspend", "reconcile-resume"):
        expect(page.get_by_test_id(button)).to_have_count(0)
    expect(page.get_by_test_id("events-table").or_(page.get_by_test_id("events-empty"))).to_be_visible()


def test_the_reconcile_tab_is_offered_only_for_flux_kinds(page: Page, sign_in):
    sign_in(page, "sre", path="/cloud/resource/namespaces/_/default/overview")
    expect(page.get_by_test_id("detail-tab-tree")).to_be_visible()
    expect(page.get_by_test_id("detail-tab-reconcile")).to_have_count(0)
