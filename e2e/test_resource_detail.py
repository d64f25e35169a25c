"""The resource detail page as an SRE uses it: overview, events, tree, metrics, and the action toolbar."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from kubernetes.client.exceptions import ApiException
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

NAMESPACE = "default"


def _api(sandbox: Sandbox) -> kube_client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def _create_pod(sandbox: Sandbox, name: str) -> None:
    kube_client.CoreV1Api(_api(sandbox)).create_namespaced_pod(
        NAMESPACE, {"metadata": {"name": name}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
    )


def _create_deployment(sandbox: Sandbox, name: str, replicas: int = 1) -> None:
    labels = {"app": name}
    kube_client.AppsV1Api(_api(sandbox)).create_namespaced_deployment(
        NAMESPACE,
        {
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
    )


def _detail(kind: str, name: str, tab: str = "overview") -> str:
    return f"/cloud/resource/{kind}/{NAMESPACE}/{name}/{tab}"


def _audited(tmp_path_factory: pytest.TempPathFactory, target_name: str) -> list[tuple[str, str, str]]:
    """(action, result, detail) of the audit records about an object, from the console database."""
    found = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT action, result, detail FROM audit_log WHERE target LIKE ? ORDER BY id", (f"%/{target_name}",)
            ).fetchall()
    return found


def _actions_checked(page: Page) -> None:
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true")


def test_a_pod_opened_from_the_list_shows_its_containers(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-detail")
    _create_pod(sandbox, name)
    sign_in(page, "sre", path="/cloud?view=list&kind=pods")
    page.get_by_test_id("filter-input").fill(name)
    row = page.locator(f'[data-testid="resource-row"][data-key="{NAMESPACE}/{name}"]')
    row.get_by_test_id("row-link").click()
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    expect(page.get_by_test_id("containers-table").get_by_test_id("container-name")).to_have_text("app")
    expect(page.locator('[data-testid="overview-field"][data-label="Phase"]')).to_be_visible()
    expect(page.get_by_test_id("detail-tab-metrics")).to_be_visible()  # a Pod has metrics; others do not


def test_the_events_tab_lists_a_fresh_pods_events_live(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-events")
    sign_in(page, "sre", path="/cloud?view=list&kind=pods")
    _create_pod(sandbox, name)
    page.goto(page.url.split("/cloud")[0] + _detail("pods", name))
    page.get_by_test_id("detail-tab-events").click()
    expect(page.get_by_test_id("detail-tab-events")).to_have_attribute("data-active", "true")
    expect(page.get_by_test_id("event-row").first).to_be_visible(timeout=15_000)
    reasons = page.get_by_test_id("event-reason").all_inner_texts()
    assert "Scheduled" in reasons


def test_an_object_without_events_says_so(page: Page, sign_in):
    sign_in(page, "sre", path="/cloud/resource/namespaces/_/default/events")
    expect(page.get_by_test_id("events-empty")).to_have_text("No events for this resource.")


def test_the_tree_shows_a_deployments_replicaset_and_pods(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-tree")
    _create_deployment(sandbox, name, replicas=2)
    sign_in(page, "sre", path=_detail("deployments", name, "tree"))
    tree = page.get_by_test_id("detail-tree")
    expect(tree.locator('[data-relation="child"][data-kind="ReplicaSet"]')).to_have_count(1, timeout=10_000)
    expect(tree.locator('[data-relation="child"][data-kind="Pod"]')).to_have_count(2, timeout=10_000)
    tree.locator('[data-kind="Pod"]').first.get_by_test_id("tree-link").click()
    expect(page.get_by_test_id("owner-chain")).to_contain_text(name)


def test_admin_scales_a_deployment(page: Page, sign_in, sandbox: Sandbox, tmp_path_factory):
    name = _name("e2e-scale")
    _create_deployment(sandbox, name)
    sign_in(page, "admin", path=_detail("deployments", name))
    _actions_checked(page)
    page.get_by_test_id("scale-replicas").fill("-1")
    page.get_by_test_id("action-scale").click()
    expect(page.get_by_test_id("action-result")).to_have_text("Replicas must be a non-negative integer.")
    page.get_by_test_id("scale-replicas").fill("3")
    page.get_by_test_id("action-scale").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Scaled {name} to 3.")
    deployment = kube_client.AppsV1Api(_api(sandbox)).read_namespaced_deployment(name, NAMESPACE)
    assert deployment.spec.replicas == 3
    expect(page.locator('[data-testid="overview-field"][data-label="Desired"]')).to_contain_text("3")  # live
    assert _audited(tmp_path_factory, name) == [
        ("scale", "error", "Replicas must be a non-negative integer."),
        ("scale", "ok", "replicas=3"),
    ]


def test_admin_restarts_a_deployment(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-restart")
    _create_deployment(sandbox, name)
    sign_in(page, "admin", path=_detail("deployments", name))
    _actions_checked(page)
    page.get_by_test_id("action-restart").click()
    expect(page.get_by_test_id("action-result")).to_contain_text("Restart requested at ")
    deployment = kube_client.AppsV1Api(_api(sandbox)).read_namespaced_deployment(name, NAMESPACE)
    assert "kubectl.kubernetes.io/restartedAt" in (deployment.spec.template.metadata.annotations or {})


def test_admin_deletes_a_deployment_after_typing_its_name(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-delete")
    _create_deployment(sandbox, name)
    sign_in(page, "admin", path=_detail("deployments", name))
    _actions_checked(page)
    page.get_by_test_id("action-delete").click()
    expect(page.get_by_test_id("delete-hint")).to_have_text(f"Type {name} to confirm.")
    expect(page.get_by_test_id("delete-confirm")).to_be_disabled()
    page.get_by_test_id("delete-confirm-input").fill(name)
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Deleted {name}.")
    apps = kube_client.AppsV1Api(_api(sandbox))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            apps.read_namespaced_deployment(name, NAMESPACE)
        except ApiException as error:
            assert error.status == 404
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"deployment {name} still exists")
    expect(page.get_by_test_id("detail-problem")).to_have_text("Not Found")  # the page follows the object


def test_a_viewer_is_offered_no_actions(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-viewer")
    _create_deployment(sandbox, name)
    sign_in(page, "viewer", path=_detail("deployments", name))
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    _actions_checked(page)
    for action in ("scale", "restart", "delete"):
        expect(page.get_by_test_id(f"action-{action}")).to_have_count(0)


def test_a_missing_object_says_not_found_with_a_way_back(page: Page, sign_in, console_url: str):
    sign_in(page, "sre", path=_detail("deployments", "no-such-deployment"))
    expect(page.get_by_test_id("detail-problem")).to_have_text("Not Found")
    page.get_by_test_id("back-to-list").click()
    expect(page.get_by_test_id("kind-title")).to_have_text("Deployments")


def test_an_edit_by_someone_else_shows_up(page: Page, sign_in, sandbox: Sandbox):
    name = _name("e2e-live")
    _create_deployment(sandbox, name)
    sign_in(page, "sre", path=_detail("deployments", name))
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    kube_client.AppsV1Api(_api(sandbox)).patch_namespaced_deployment(
        name, NAMESPACE, {"metadata": {"labels": {"edited-by": "someone-else"}}}
    )
    expect(page.get_by_test_id("overview-labels")).to_contain_text("edited-by=someone-else", timeout=5_000)


def test_admin_reconciles_suspends_and_resumes_a_flux_object(page: Page, sign_in, sandbox: Sandbox):
    custom = kube_client.CustomObjectsApi(_api(sandbox))
    releases = custom.list_cluster_custom_object("helm.toolkit.fluxcd.io", "v2", "helmreleases")["items"]
    release = sorted(
        (r for r in releases if not r.get("spec", {}).get("suspend")),
        key=lambda r: (r["metadata"]["namespace"], r["metadata"]["name"]),
    )[-1]
    namespace, name = release["metadata"]["namespace"], release["metadata"]["name"]
    sign_in(page, "admin", path=f"/cloud/resource/helmreleases/{namespace}/{name}/overview")
    _actions_checked(page)
    page.get_by_test_id("action-reconcile").click()
    expect(page.get_by_test_id("action-result")).to_contain_text("Reconcile requested at ")
    page.get_by_test_id("action-suspend").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Suspended {name}.")
    stored = custom.get_namespaced_custom_object("helm.toolkit.fluxcd.io", "v2", namespace, "helmreleases", name)
    assert stored["spec"]["suspend"] is True
    assert "reconcile.fluxcd.io/requestedAt" in stored["metadata"]["annotations"]
    page.get_by_test_id("action-resume").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Resumed {name}.")
    stored = custom.get_namespaced_custom_object("helm.toolkit.fluxcd.io", "v2", namespace, "helmreleases", name)
    assert stored["spec"]["suspend"] is False


def test_a_running_pod_shows_its_cpu_and_memory(page: Page, sign_in, sandbox: Sandbox):
    pods = kube_client.CoreV1Api(_api(sandbox)).list_pod_for_all_namespaces().items
    running = next(
        pod
        for pod in sorted(pods, key=lambda pod: (pod.metadata.namespace, pod.metadata.name))
        if pod.status.phase == "Running" and all(s.state.running for s in pod.status.container_statuses or [])
    )
    namespace, name = running.metadata.namespace, running.metadata.name
    sign_in(page, "sre", path=f"/cloud/resource/pods/{namespace}/{name}/metrics")
    total = page.locator('[data-testid="metrics-row"]', has_text="total")
    expect(total).to_be_visible()
    expect(total).to_contain_text("m")
    expect(total).to_contain_text("Mi")


def test_metrics_are_offered_only_where_they_exist(page: Page, sign_in):
    sign_in(page, "sre", path="/cloud/resource/namespaces/_/default/overview")
    expect(page.get_by_test_id("detail-tab-tree")).to_be_visible()
    expect(page.get_by_test_id("detail-tab-metrics")).to_have_count(0)
