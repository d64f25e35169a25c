"""The list rows' ⋯ menus: the detail page's actions (scale, restart, delete) on a row, as the person, audited."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest
from cluster_objects import apps_api, create_deployment
from kubernetes.client.exceptions import ApiException
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

NAMESPACE = "default"


def _create_deployment(sandbox: Sandbox) -> str:
    name = f"e2e-row-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name, image="nginx:1.27")
    return name


def _audited(tmp_path_factory: pytest.TempPathFactory, name: str) -> list[tuple[str, str, str, str]]:
    """(actor, action, result, detail) of the audit records about an object, from the console database."""
    found = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT actor, action, result, detail FROM audit_log WHERE target LIKE ? ORDER BY id", (f"%/{name}",)
            ).fetchall()
    return found


def _row_of(page: Page, sign_in, username: str, name: str):
    """The deployments list filtered down to `name`; its row once live."""
    sign_in(page, username, path="/cloud?view=list&kind=deployments")
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    page.locator("#list-filter").fill(name)
    row = page.locator(f'[data-testid="resource-row"][data-key="{NAMESPACE}/{name}"]')
    expect(row).to_have_count(1)
    return row


def _open_menu(page: Page, row) -> None:
    row.get_by_test_id("row-actions").click()
    expect(page.get_by_test_id("row-actions-menu")).to_have_attribute("data-checked", "true")


def test_admin_scales_restarts_and_deletes_from_the_row_menu(
    page: Page, sign_in, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
):
    name = _create_deployment(sandbox)
    row = _row_of(page, sign_in, "admin", name)
    apps = apps_api(sandbox.kubeconfig_path)

    # Scale: the same dialog and messages as the detail page.
    _open_menu(page, row)
    menu = page.get_by_test_id("row-actions-menu")
    for action in ("scale", "restart", "delete"):
        expect(menu.get_by_test_id(f"row-action-{action}")).to_be_visible()
    menu.get_by_test_id("row-action-scale").click()
    dialog = page.get_by_test_id("row-scale-dialog")
    expect(dialog.get_by_test_id("scale-replicas")).to_have_value("1")
    dialog.get_by_test_id("scale-replicas").fill("two")
    dialog.get_by_test_id("action-scale").click()
    expect(dialog.get_by_test_id("row-scale-error")).to_have_text("Replicas must be a non-negative integer.")
    dialog.get_by_test_id("scale-replicas").fill("2")
    dialog.get_by_test_id("action-scale").click()
    expect(page.get_by_test_id("row-action-result")).to_have_text(f"Scaled {name} to 2.")
    expect(dialog).to_have_count(0)
    assert apps.read_namespaced_deployment(name, NAMESPACE).spec.replicas == 2
    expect(row.locator('[data-column="ready"]')).to_contain_text("/2")  # the row follows, live
    expect(row.locator('[data-column="up_to_date"]')).to_have_text("2")

    # Restart.
    _open_menu(page, row)
    page.get_by_test_id("row-action-restart").click()
    expect(page.get_by_test_id("row-action-result")).to_contain_text("Restart requested at ")
    annotations = apps.read_namespaced_deployment(name, NAMESPACE).spec.template.metadata.annotations or {}
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    expect(page.get_by_test_id("row-actions-menu")).to_have_count(0)  # the menu closed on its choice

    # Delete, after typing the name.
    _open_menu(page, row)
    page.get_by_test_id("row-action-delete").click()
    expect(page.get_by_test_id("delete-hint")).to_have_text(f"Type {name} to confirm.")
    expect(page.get_by_test_id("delete-confirm")).to_be_disabled()
    page.get_by_test_id("delete-confirm-input").fill(name[:-1])
    expect(page.get_by_test_id("delete-confirm")).to_be_disabled()
    page.get_by_test_id("delete-confirm-input").fill(name)
    page.get_by_test_id("delete-confirm").click()
    expect(page.get_by_test_id("row-action-result")).to_have_text(f"Deleted {name}.")
    expect(row).to_have_count(0)  # the row disappears
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

    records = _audited(tmp_path_factory, name)
    assert [(action, result) for _, action, result, _ in records] == [
        ("scale", "error"),
        ("scale", "ok"),
        ("restart", "ok"),
        ("delete", "ok"),
    ]
    actors = {actor for actor, *_ in records}
    assert len(actors) == 1 and actors.pop().startswith("oidc:")  # made as the person (their Kubernetes user)
    assert records[1][3] == "replicas=2"

    # The list's keys still work: j puts the row cursor on the first row.
    page.locator("#list-filter").fill("")
    page.locator("#list-filter").press("Enter")
    expect(page.get_by_test_id("resource-row").first).to_be_visible()
    page.keyboard.press("j")
    expect(page.locator('[data-testid="resource-row"][aria-selected="true"]')).to_have_count(1)


def test_a_viewer_is_offered_no_row_actions(page: Page, sign_in, sandbox: Sandbox):
    name = _create_deployment(sandbox)
    row = _row_of(page, sign_in, "viewer", name)
    menu_button = row.get_by_test_id("row-actions")
    if menu_button.count():
        _open_menu(page, row)
        menu = page.get_by_test_id("row-actions-menu")
        expect(menu.get_by_test_id("row-actions-none")).to_be_visible()
        expect(menu.locator('[data-testid^="row-action-"]')).to_have_count(0)
    assert apps_api(sandbox.kubeconfig_path).read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
