"""The architecture graph as people use it: `/cloud?view=graph`, its lenses and chips, focus, live changes."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

LIVE_DEADLINE_MS = 2000  # spec: an ADDED event adds a node and a DELETED one removes it within 2 s
WARM_UP_MS = 30_000  # the first graph a console draws starts its topology feed: ~30 kinds listed before "live"
KUBECTL = Path(sys.executable).parent / "kubectl"
WORDPRESS = "acme-prod-wordpress"


def _kubectl(sandbox: Sandbox, *args: str) -> str:
    result = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(sandbox.kubeconfig_path), *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _graph(page: Page):
    return page.get_by_test_id("graph-view")


def _nodes(page: Page, node_type: str | None = None):
    kind = f'[data-type="{node_type}"]' if node_type else ""
    return page.locator(f'[data-testid="graph-node"]{kind}')


def _node(page: Page, node_id: str):
    return page.locator(f'[data-testid="graph-node"][data-node-id="{node_id}"]')


def _chip(page: Page, node_type: str):
    return page.locator(f'[data-testid="graph-type-chip"][data-type="{node_type}"]')


def _wait_drawn(page: Page) -> None:
    expect(_graph(page)).to_have_attribute("data-state", "live", timeout=WARM_UP_MS)
    expect(_graph(page)).to_have_attribute("data-painted", "1")


def _open_graph(page: Page, sign_in, username: str = "sre", query: str = "") -> None:
    sign_in(page, username, path=f"/cloud?view=graph{query}")
    _wait_drawn(page)


def _drawn_namespaces(page: Page) -> set[str]:
    """The namespace of every node drawn (the default view fits the whole graph, so every node is in the DOM)."""
    count = int(_graph(page).get_attribute("data-nodes") or "0")
    expect(_nodes(page)).to_have_count(count)
    return set(_nodes(page).evaluate_all("nodes => nodes.map(n => n.getAttribute('data-namespace'))"))


def test_the_graph_draws_shapes_and_explains_them_in_a_legend(page: Page, sign_in):
    _open_graph(page, sign_in)
    deployment = _node(page, f"deployments:{WORDPRESS}/wordpress")
    expect(deployment).to_have_count(1)
    expect(deployment.locator("svg circle")).to_have_count(1)  # compute: a circle
    expect(_nodes(page, "services").first.locator("svg polygon")).to_have_count(1)  # network: a triangle
    expect(deployment).to_have_attribute("aria-label", re.compile(r"Deployment wordpress in acme-prod-wordpress: \S"))
    expect(page.locator('[data-testid="graph-edge"]').first).to_be_attached()
    expect(_nodes(page, "pods")).to_have_count(0)  # Pods start off
    expect(_chip(page, "pods")).to_have_attribute("data-shown", "false")
    page.get_by_test_id("graph-legend-toggle").click()
    legend = page.get_by_test_id("graph-legend")
    for words in ("Fill: status", "Healthy", "Shape: category", "Border: API family", "contains", "runs on"):
        expect(legend).to_contain_text(words)
    page.keyboard.press("/")
    expect(page.get_by_test_id("graph-search")).to_be_focused()
    page.keyboard.type("wordpress")
    expect(page.get_by_test_id("graph-search-count")).to_have_text(re.compile(r"^1/[1-9]\d*$"))
    expect(page.locator('[data-testid="graph-node"][data-match="current"]')).to_have_count(1)


def test_clicking_a_deployment_opens_its_detail_page(page: Page, sign_in, console_url: str):
    _open_graph(page, sign_in)
    _node(page, f"deployments:{WORDPRESS}/wordpress").click()
    expect(page).to_have_url(f"{console_url}/cloud/resource/deployments/{WORDPRESS}/wordpress/overview")
    expect(page.get_by_test_id("detail-name")).to_have_text("wordpress")


def test_a_created_deployment_appears_and_a_deleted_one_vanishes(page: Page, sign_in, sandbox: Sandbox):
    _open_graph(page, sign_in)
    name = f"graph-probe-{uuid.uuid4().hex[:6]}"
    node = _node(page, f"deployments:{WORDPRESS}/{name}")
    _kubectl(sandbox, "create", "deployment", name, "--image=nginx", "-n", WORDPRESS)
    try:
        expect(node).to_have_count(1, timeout=LIVE_DEADLINE_MS)
    finally:
        _kubectl(sandbox, "delete", "deployment", name, "-n", WORDPRESS, "--wait=false")
    expect(node).to_have_count(0, timeout=LIVE_DEADLINE_MS)


def test_the_networking_lens_hides_deployments_and_shows_services(page: Page, sign_in):
    _open_graph(page, sign_in)
    expect(_nodes(page, "deployments").first).to_be_attached()
    page.get_by_test_id("graph-lens").click()
    page.get_by_test_id("lens-networking").click()
    expect(page).to_have_url(re.compile(r"lens=networking"))
    expect(_nodes(page, "deployments")).to_have_count(0)
    expect(_nodes(page, "services").first).to_be_attached()
    expect(_chip(page, "deployments")).to_have_attribute("aria-disabled", "true")
    expect(_chip(page, "deployments")).to_have_attribute("title", "hidden by the networking lens")


def test_turning_the_pod_chip_on_draws_pods(page: Page, sign_in):
    _open_graph(page, sign_in)
    expect(_nodes(page, "pods")).to_have_count(0)
    _chip(page, "pods").click()
    expect(page).to_have_url(re.compile(r"types=[^&]*pods"))
    expect(_chip(page, "pods")).to_have_attribute("data-shown", "true")
    expect(_nodes(page, "pods").first).to_be_attached()


def test_a_configmaps_neighbourhood_from_its_detail_page_shows_its_pods(page: Page, sign_in):
    sign_in(page, "sre", path=f"/cloud/resource/configmaps/{WORDPRESS}/wordpress-config/overview")
    page.get_by_test_id("detail-graph-link").click()
    focus = f"configmaps:{WORDPRESS}/wordpress-config"
    expect(page).to_have_url(re.compile(r"focus=configmaps%3Aacme-prod-wordpress%2Fwordpress-config"))
    expect(page.get_by_test_id("graph-focus-bar")).to_contain_text("wordpress-config")
    _wait_drawn(page)
    expect(_node(page, focus)).to_have_attribute("data-focus", "origin")
    pods = _nodes(page, "pods")
    expect(pods.first).to_be_attached()
    assert set(pods.evaluate_all("pods => pods.map(p => p.getAttribute('data-namespace'))")) == {WORDPRESS}
    page.get_by_test_id("graph-clear-focus").click()
    expect(page.get_by_test_id("graph-focus-bar")).to_have_count(0)


@pytest.mark.parametrize("username", ["developer", "acme-admin"])
def test_a_restricted_person_sees_no_node_of_a_namespace_they_may_not_list(page: Page, sign_in, username: str):
    sign_in(page, username, path="/cloud?view=list&kind=namespaces")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    rows = page.get_by_test_id("resource-row")
    expect(rows.first).to_be_visible()
    allowed = set(rows.evaluate_all("rows => rows.map(r => r.getAttribute('data-key'))"))
    page.get_by_test_id("cloud-view-graph").click()
    _wait_drawn(page)
    expect(_nodes(page).first).to_be_attached()
    assert _drawn_namespaces(page) <= allowed | {""}
    shown_namespaces = set(_nodes(page, "namespaces").evaluate_all("nodes => nodes.map(n => n.textContent)"))
    assert all(any(ns in text for ns in allowed) for text in shown_namespaces)


def test_bare_cloud_opens_the_graph_first_then_the_view_chosen_last(page: Page, sign_in, console_url: str):
    sign_in(page, "sre", path="/cloud")
    expect(page).to_have_url(re.compile(r"/cloud\?view=graph"))
    expect(_graph(page)).to_be_visible()
    assert page.evaluate("localStorage.getItem('sov-cloud-view')") == "graph"
    page.get_by_test_id("cloud-view-list").click()
    expect(page.get_by_test_id("cloud-list")).to_be_visible()
    expect(page).to_have_url(re.compile(r"view=list"))
    assert page.evaluate("localStorage.getItem('sov-cloud-view')") == "list"
    page.goto(f"{console_url}/cloud")
    expect(page).to_have_url(re.compile(r"/cloud\?view=list"))
    expect(page.get_by_test_id("cloud-list")).to_be_visible()
    expect(_graph(page)).to_have_count(0)


def test_fullscreen_takes_the_window_and_escape_leaves_it(page: Page, sign_in):
    _open_graph(page, sign_in)
    page.get_by_test_id("graph-fullscreen").click()
    expect(_graph(page)).to_have_attribute("data-fullscreen", "true")
    expect(page.get_by_test_id("graph-fullscreen")).to_have_text("Exit fullscreen")
    box = _graph(page).bounding_box()
    assert box is not None and box["width"] >= 1260 and box["height"] >= 780  # the window (1280 × 800)
    page.keyboard.press("Escape")
    expect(_graph(page)).to_have_attribute("data-fullscreen", "false")
    expect(page.get_by_test_id("graph-fullscreen")).to_have_text("Fullscreen")


def test_unknown_options_in_the_link_fall_back_with_a_note(page: Page, sign_in):
    _open_graph(page, sign_in, query="&lens=nonsense&group=planets")
    expect(page.get_by_test_id("graph-note")).to_contain_text("Unknown lens")
    expect(page.get_by_test_id("graph-note")).to_contain_text("Unknown grouping")
    expect(page.get_by_test_id("graph-lens")).to_have_text("All")
