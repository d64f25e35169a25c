"""A person opens the console and watches the Namespaces list follow the cluster."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlparse

from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

LIVE_DEADLINE_MS = 2000  # spec: a state transition is visible within 2 s


def _core_api(sandbox: Sandbox) -> kube_client.CoreV1Api:
    return kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _row(page: Page, name: str):
    return page.locator(f'[data-testid="resource-row"][data-key="{name}"]')


def test_root_opens_the_cloud_page_in_the_shell_and_its_list_starts_at_namespaces(
    page: Page, console_url: str, sign_in
):
    sign_in(page, "sre", path="/")
    # `/` is a bare `/cloud`: the view chosen last, the graph the first time (test_graph.py)
    expect(page).to_have_url(re.compile(rf"{re.escape(console_url)}/cloud/?\?view=graph"))
    expect(page.get_by_test_id("sidebar")).to_contain_text("Cloud")
    expect(page.get_by_test_id("sovereign-fqdn")).to_have_text("omantel.openova.cloud")
    page.get_by_test_id("cloud-view-list").click()
    expect(page.get_by_test_id("kind-title")).to_have_text("Namespaces")
    headers = page.locator('[data-testid="resource-table"] thead th:not([data-column="actions"])')  # ⋯ menus: untitled
    expect(headers).to_have_text(["NAME", "STATUS", "AGE", "REGION", "LABELS"])


def test_seeded_namespaces_are_listed_with_status_and_labels(page: Page, console_url: str, sign_in):
    sign_in(page, "sre", path="/cloud?view=list&kind=namespaces")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    for name in ("default", "kube-system", "flux-system", "acme-prod-wordpress", "bankdhofar-prod-corebanking"):
        expect(_row(page, name)).to_be_visible()
    acme = _row(page, "acme-prod-wordpress")
    expect(acme.get_by_test_id("cell-status")).to_have_text("Active")
    expect(acme.get_by_test_id("label-chip")).to_have_count(3)
    expect(acme.get_by_test_id("labels-more")).to_have_text(re.compile(r"^\+\d+$"))
    acme.get_by_test_id("labels-more").hover()
    expect(page.get_by_role("tooltip")).to_contain_text("openova.io/organization=acme")


def test_created_namespace_appears_and_deleted_one_vanishes_without_reload(
    page: Page, console_url: str, sandbox: Sandbox, sign_in
):
    sign_in(page, "sre", path="/cloud?view=list&kind=namespaces")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    core = _core_api(sandbox)

    core.create_namespace({"metadata": {"name": name, "labels": {"team": "sre"}}})
    expect(_row(page, name)).to_be_visible(timeout=LIVE_DEADLINE_MS)
    expect(_row(page, name).get_by_test_id("label-chip")).to_have_text(
        [f"kubernetes.io/metadata.name={name}", "team=sre"]
    )

    core.delete_namespace(name)
    expect(_row(page, name)).to_have_count(0, timeout=LIVE_DEADLINE_MS)


def test_unknown_kind_says_so(page: Page, console_url: str, sign_in):
    sign_in(page, "sre", path="/cloud?view=list&kind=teapots")
    expect(page.get_by_test_id("list-error")).to_contain_text("Unknown kind “teapots”")


def test_no_request_leaves_the_console_origin(page: Page, console_url: str, sign_in):
    """Air-gapped Sovereigns: every asset comes from the console itself, never a CDN."""
    origins: set[str] = set()
    sign_in(page, "sre")
    page.on("request", lambda request: origins.add(urlparse(request.url).netloc))
    page.reload()
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    assert origins == {urlparse(console_url).netloc}


def test_theme_toggle_switches_between_light_and_dark(page: Page, console_url: str, sign_in):
    sign_in(page, "sre", path="/cloud?view=list&kind=namespaces")
    html = page.locator("html")
    expect(page.get_by_test_id("theme-toggle")).to_be_visible()
    before = html.get_attribute("class") or ""
    page.get_by_test_id("theme-toggle").click()
    expected = "light" if "dark" in before else "dark"
    expect(html).to_have_class(re.compile(rf"\b{expected}\b"))
