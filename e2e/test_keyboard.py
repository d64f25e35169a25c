"""k9s habits in the browser: `/`, `j`/`k`, Enter, `e`/`l`/`d`, Esc, `:`, `?`, Ctrl-d; and the Secret reveal."""

from __future__ import annotations

import base64
import re
import sqlite3
import uuid

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

NAMESPACE = "default"


def _api(sandbox: Sandbox) -> kube_client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))


def _selected(page: Page):
    return page.locator('[data-testid="resource-row"][aria-selected="true"]')


def _tab_is(page: Page, tab: str) -> None:
    expect(page.get_by_test_id(f"detail-tab-{tab}")).to_have_attribute("data-active", "true")
    expect(page).to_have_url(re.compile(rf"/{tab}$"))


def test_an_sre_drives_the_list_and_the_detail_page_from_the_keyboard(page: Page, sign_in, sandbox: Sandbox):
    prefix = f"e2e-keys-{uuid.uuid4().hex[:6]}"
    core = kube_client.CoreV1Api(_api(sandbox))
    for suffix in ("a", "b", "c"):
        core.create_namespaced_pod(
            NAMESPACE,
            {"metadata": {"name": f"{prefix}-{suffix}"}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}},
        )
    sign_in(page, "sre", path="/cloud?view=list&kind=pods")
    expect(page.get_by_test_id("live-status")).to_have_text("live")

    page.keyboard.press("/")
    expect(page.get_by_test_id("filter-input")).to_be_focused()
    page.keyboard.type(prefix)
    expect(page.get_by_test_id("resource-row")).to_have_count(3)
    page.keyboard.press("Enter")  # keep the filter, give the keys back to the table
    expect(page.get_by_test_id("filter-input")).not_to_be_focused()

    page.keyboard.press("j")
    expect(_selected(page)).to_have_attribute("data-key", f"{NAMESPACE}/{prefix}-a")
    page.keyboard.press("j")
    expect(_selected(page)).to_have_count(1)
    expect(_selected(page)).to_have_attribute("data-key", f"{NAMESPACE}/{prefix}-b")
    page.keyboard.press("k")
    page.keyboard.press("ArrowDown")
    expect(_selected(page)).to_have_attribute("data-key", f"{NAMESPACE}/{prefix}-b")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("detail-name")).to_have_text(f"{prefix}-b")
    expect(page).to_have_url(re.compile(rf"/cloud/resource/pods/{NAMESPACE}/{prefix}-b/overview$"))
    page.keyboard.press("e")
    _tab_is(page, "yaml")
    page.keyboard.press("l")
    _tab_is(page, "logs")
    page.keyboard.press("d")
    _tab_is(page, "overview")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("kind-title")).to_have_text("Pods")
    expect(page).to_have_url(re.compile(r"/cloud\?view=list&kind=pods"))

    page.keyboard.press(":")
    expect(page.get_by_test_id("kind-switcher-input")).to_be_focused()
    page.keyboard.type("nonsense")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("keyboard-message")).to_contain_text("Unknown kind “nonsense”")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("kind-switcher")).to_have_count(0)
    page.keyboard.press(":")
    page.keyboard.type("deploy")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("kind-title")).to_have_text("Deployments")
    expect(page).to_have_url(re.compile(r"kind=deployments"))
    page.keyboard.press(":")
    page.keyboard.type("no")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("kind-title")).to_have_text("Worker Nodes")

    page.keyboard.press("?")
    expect(page.get_by_test_id("key-map")).to_be_visible()
    expect(page.get_by_test_id("key-map")).to_contain_text("Switch kind")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("key-map")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.get_by_test_id("key-map")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_test_id("key-map")).to_have_count(0)


def test_escape_clears_the_filter_and_keys_typed_into_it_stay_text(page: Page, sign_in):
    sign_in(page, "sre", path="/cloud?view=list&kind=namespaces")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    every = page.get_by_test_id("resource-row").count()
    page.keyboard.press("/")
    page.keyboard.type("kube-j")  # "j" typed into the filter is text, not a cursor move
    expect(page.get_by_test_id("filter-input")).to_have_value("kube-j")
    expect(_selected(page)).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("filter-input")).to_have_value("")
    expect(page.get_by_test_id("resource-row")).to_have_count(every)


def test_ctrl_d_opens_the_delete_dialog_only_for_those_allowed(page: Page, sign_in, sandbox: Sandbox):
    name = f"e2e-keys-del-{uuid.uuid4().hex[:6]}"
    kube_client.CoreV1Api(_api(sandbox)).create_namespaced_config_map(
        NAMESPACE, {"metadata": {"name": name}, "data": {"a": "1"}}
    )
    sign_in(page, "viewer", path=f"/cloud/resource/configmaps/{NAMESPACE}/{name}/overview")
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true")
    page.keyboard.press("Control+d")
    expect(page.get_by_test_id("keyboard-message")).to_contain_text("Delete is not available")
    page.keyboard.press("s")
    expect(page.get_by_test_id("keyboard-message")).to_contain_text("No Shell tab")

    page.context.clear_cookies()
    sign_in(page, "admin", path=f"/cloud/resource/configmaps/{NAMESPACE}/{name}/overview")
    # The tab keeps its state across the new sign-in: wait for the admin's answer (Delete offered), not
    # for the viewer's earlier "checked".
    expect(page.get_by_test_id("action-delete")).to_be_visible()
    page.keyboard.press("Control+d")
    expect(page.get_by_test_id("delete-confirm-input")).to_be_visible()
    page.keyboard.press("Escape")  # closes the dialog, stays on the page
    expect(page.get_by_test_id("delete-confirm-input")).to_have_count(0)
    expect(page.get_by_test_id("detail-name")).to_have_text(name)


def _reveals(tmp_path_factory: pytest.TempPathFactory, name: str) -> list[tuple[str, str, str]]:
    found = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT actor, result, detail FROM audit_log WHERE action = 'secret.reveal' AND target LIKE ?",
                (f"%/{name}",),
            ).fetchall()
    return found


def test_a_secret_is_revealed_only_on_request_to_those_allowed(
    page: Page, sign_in, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
):
    name = f"e2e-keys-sec-{uuid.uuid4().hex[:6]}"
    value = f"pw-{uuid.uuid4().hex[:8]}"
    kube_client.CoreV1Api(_api(sandbox)).create_namespaced_secret(
        NAMESPACE, {"metadata": {"name": name}, "data": {"password": base64.b64encode(value.encode()).decode()}}
    )
    path = f"/cloud/resource/secrets/{NAMESPACE}/{name}/overview"
    sign_in(page, "viewer", path=path)  # a viewer may not `get` secrets: no object, no reveal
    expect(page.get_by_test_id("detail-problem")).to_contain_text("You may not view this Secret")
    expect(page.get_by_test_id("secret-reveal")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, "admin", path=path)
    expect(page.get_by_test_id("overview-keys")).to_contain_text("password")
    expect(page.get_by_test_id("secret-values")).not_to_contain_text(value)
    page.get_by_test_id("secret-reveal").click()
    expect(page.locator('[data-testid="secret-value-row"][data-key="password"]')).to_contain_text(value)
    assert [(result, detail) for _, result, detail in _reveals(tmp_path_factory, name)] == [("ok", "keys=password")]
    page.get_by_test_id("secret-hide").click()
    expect(page.get_by_test_id("secret-values")).not_to_contain_text(value)
