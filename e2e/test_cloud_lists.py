"""The cloud list views as an SRE uses them: chips, filters, sorting, pages, scope, live rows, drill-down."""

from __future__ import annotations

import re
import uuid

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

LIVE_DEADLINE_MS = 2000  # spec: a state transition is visible within 2 s


def _api(sandbox: Sandbox) -> kube_client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))


def _rows(page: Page):
    return page.get_by_test_id("resource-row")


def _row(page: Page, key: str):
    return page.locator(f'[data-testid="resource-row"][data-key="{key}"]')


def _open(page: Page, sign_in, kind: str, username: str = "sre") -> None:
    sign_in(page, username, path=f"/cloud?view=list&kind={kind}")
    expect(page.get_by_test_id("live-status")).to_have_text("live")


def test_primary_chips_carry_live_counts_and_more_holds_the_rest(page: Page, sign_in):
    _open(page, sign_in, "namespaces")
    chips = page.get_by_test_id("kind-chips")
    for kind in ("clusters", "vclusters", "node-pools", "pvcs", "load-balancers", "buckets"):
        expect(chips.get_by_test_id(f"kind-chip-{kind}")).to_be_visible()
    expect(page.get_by_test_id("kind-chip-load-balancers").get_by_test_id("chip-count")).to_have_text("3")
    page.get_by_test_id("more-kinds").click()
    page.get_by_test_id("more-kind-pods").click()
    expect(page.get_by_test_id("kind-title")).to_have_text("Pods")
    expect(page).to_have_url(re.compile(r"kind=pods"))


def test_pods_show_the_waiting_reason_and_tones(page: Page, sign_in):
    _open(page, sign_in, "pods")
    headers = page.locator('[data-testid="resource-table"] thead th')
    expect(headers.first).to_have_text("NAME")
    expect(page.locator('[data-testid="sort-restarts"]')).to_be_visible()
    page.get_by_test_id("filter-input").fill("crashloop")
    expect(_rows(page).first).to_be_visible()
    statuses = page.get_by_test_id("cell-status")
    expect(statuses.first).to_have_text("CrashLoopBackOff")
    expect(statuses.first).to_have_attribute("data-tone", "err")


def test_filter_regex_invert_and_label_selector(page: Page, sign_in):
    _open(page, sign_in, "namespaces")
    page.get_by_test_id("filter-input").fill("/^acme-(dev|prod)-wordpress$/")
    expect(_rows(page)).to_have_count(2)
    page.get_by_test_id("filter-input").fill("!acme")
    expect(_row(page, "acme-dev-billing")).to_have_count(0)
    expect(_row(page, "kube-system")).to_be_visible()
    page.get_by_test_id("filter-input").fill("")
    page.get_by_test_id("label-selector-input").fill("openova.io/organization in (bankdhofar)")
    expect(_rows(page)).to_have_count(5)
    page.get_by_test_id("label-selector-input").fill("app in (")
    expect(page.get_by_test_id("query-error")).to_contain_text("position")
    page.get_by_test_id("label-selector-input").fill("")
    page.get_by_test_id("filter-input").fill("/([/")
    expect(page.get_by_test_id("query-error")).to_contain_text("regular expression")


def test_sorting_by_a_column_and_flipping_it(page: Page, sign_in):
    _open(page, sign_in, "namespaces")
    page.get_by_test_id("sort-name").click()
    expect(page.get_by_test_id("sort-name")).to_have_attribute("aria-sort", "ascending")
    expect(_rows(page).first).to_have_attribute("data-key", "acme-dev-billing")
    page.get_by_test_id("sort-name").click()
    expect(page.get_by_test_id("sort-name")).to_have_attribute("aria-sort", "descending")
    expect(_rows(page).first).to_have_attribute("data-key", "vcluster-bankdhofar-prod")


def test_pages_of_fifty(page: Page, sign_in):
    _open(page, sign_in, "pods")
    expect(_rows(page)).to_have_count(50)
    expect(page.get_by_test_id("pager-range")).to_contain_text("1–50 of")
    page.get_by_test_id("page-next").click()
    expect(page.get_by_test_id("pager-range")).to_contain_text("51–100 of")


def test_worker_nodes_filter_by_role(page: Page, sign_in):
    _open(page, sign_in, "worker-nodes")
    expect(_rows(page)).to_have_count(9)
    page.get_by_test_id("kind-filter-role").click()
    page.get_by_role("option", name="control-plane").click()
    expect(_rows(page)).to_have_count(3)


def test_the_stalled_helmrelease_is_degraded(page: Page, sign_in):
    _open(page, sign_in, "helmreleases")
    row = _row(page, "flux-system/acme-dev-billing")
    expect(row.get_by_test_id("cell-status")).to_have_text("Degraded")
    expect(row.get_by_test_id("cell-status")).to_have_attribute("data-tone", "err")


def test_a_created_pod_appears_and_a_deleted_one_vanishes(page: Page, sign_in, sandbox: Sandbox):
    _open(page, sign_in, "pods")
    name = f"e2e-{uuid.uuid4().hex[:6]}"
    page.get_by_test_id("filter-input").fill(name)
    core = kube_client.CoreV1Api(_api(sandbox))
    core.create_namespaced_pod(
        "default", {"metadata": {"name": name}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
    )
    expect(_row(page, f"default/{name}")).to_be_visible(timeout=LIVE_DEADLINE_MS)
    core.delete_namespaced_pod(name, "default", grace_period_seconds=0)
    expect(_row(page, f"default/{name}")).to_have_count(0, timeout=LIVE_DEADLINE_MS + 2000)


def test_a_discovered_custom_resource_gets_a_generic_list(page: Page, sign_in, sandbox: Sandbox):
    api = _api(sandbox)
    extensions = kube_client.ApiextensionsV1Api(api)
    extensions.create_custom_resource_definition(
        {
            "metadata": {"name": "gizmos.example.com"},
            "spec": {
                "group": "example.com",
                "scope": "Namespaced",
                "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                        "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
                    }
                ],
            },
        }
    )
    kube_client.CustomObjectsApi(api).create_namespaced_custom_object(
        "example.com",
        "v1",
        "default",
        "gizmos",
        {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g1"}, "spec": {"size": 7}},
    )
    # As on a real cluster, a new CRD is readable once someone grants it (here: to every operator).
    rbac = kube_client.RbacAuthorizationV1Api(api)
    rbac.create_cluster_role(
        {
            "metadata": {"name": "gizmo-reader"},
            "rules": [{"apiGroups": ["example.com"], "resources": ["gizmos"], "verbs": ["get", "list", "watch"]}],
        }
    )
    rbac.create_cluster_role_binding(
        {
            "metadata": {"name": "operators-read-gizmos"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "gizmo-reader"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidc:/tiers/operator"}],
        }
    )
    _open(page, sign_in, "gizmos.example.com")
    row = _row(page, "default/g1")
    expect(row).to_be_visible()
    expect(page.locator('[data-testid="resource-table"] thead th', has_text="SIZE")).to_be_visible()
    expect(row.locator('[data-column="x_size"]')).to_have_text("7")


def test_row_opens_the_detail_page_with_yaml_and_hidden_secret_values(page: Page, sign_in):
    _open(page, sign_in, "secrets", username="admin")
    page.get_by_test_id("filter-input").fill("acme-prod-wordpress")
    first = _rows(page).first
    expect(first).to_have_attribute("data-key", re.compile(r"^acme-prod-wordpress/"))  # the filter applied
    name = first.get_by_test_id("cell-name").inner_text()
    first.get_by_test_id("row-link").click()
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    page.get_by_test_id("detail-tab-yaml").click()
    editor = page.get_by_test_id("yaml-editor")
    expect(editor).to_contain_text("kind: Secret")
    expect(editor).to_contain_text("(hidden)")


def test_a_missing_object_says_not_found(page: Page, sign_in, console_url: str):
    sign_in(page, "sre", path="/cloud/resource/pods/default/no-such-pod/overview")
    expect(page.get_by_test_id("detail-problem")).to_have_text("Not Found")


def test_the_last_kind_is_remembered(page: Page, sign_in, console_url: str):
    _open(page, sign_in, "deployments")
    page.goto(f"{console_url}/cloud?view=list")
    expect(page.get_by_test_id("kind-title")).to_have_text("Deployments")


def test_scope_picker_narrows_every_list(page: Page, sign_in):
    _open(page, sign_in, "deployments")
    page.get_by_test_id("scope-picker").click()
    page.get_by_test_id("scope-namespace:acme-prod-billing").click()
    expect(_rows(page).first).to_have_attribute("data-key", re.compile(r"^acme-prod-billing/"))
    for key in _rows(page).evaluate_all("rows => rows.map(row => row.dataset.key)"):
        assert key.startswith("acme-prod-billing/")
    page.get_by_test_id("scope-picker").click()
    page.get_by_test_id("scope-organization:bankdhofar").click()
    expect(_rows(page).first).to_have_attribute("data-key", re.compile(r"^bankdhofar-"))


@pytest.mark.parametrize(
    ("kind", "username", "notice"),
    [
        ("buckets", "sre", "The cluster does not serve buckets."),
        ("dns-zones", "sre", "DNS zones"),
        ("secrets", "developer", "You may not list secrets"),
    ],
)
def test_honest_empty_states(page: Page, sign_in, kind: str, username: str, notice: str):
    sign_in(page, username, path=f"/cloud?view=list&kind={kind}")
    expect(page.get_by_test_id("list-notice")).to_contain_text(notice)
