"""The YAML tab as an admin uses it: edit in CodeMirror, diff, server dry-run, apply, refusals and conflicts."""

from __future__ import annotations

import re
import uuid

from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.kube.edits import APPLY_PATCH, FIELD_MANAGER

NAMESPACE = "default"
ACCEPTED = re.compile(r"^Dry-run accepted \(resourceVersion \d+\)\.$")
APPLIED = re.compile(r"^Applied \(resourceVersion \d+\)\.$")


def _apps(sandbox: Sandbox) -> kube_client.AppsV1Api:
    return kube_client.AppsV1Api(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _create_deployment(sandbox: Sandbox, prefix: str) -> str:
    """A fresh Deployment with 1 replica, created by server-side apply as the console's field manager.

    (An object created by another manager would make the console's first apply of a changed field a
    conflict with that manager, as on a real cluster.)
    """
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    labels = {"app": name}
    _apps(sandbox).patch_namespaced_deployment(
        name,
        NAMESPACE,
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                },
            },
        },
        field_manager=FIELD_MANAGER,
        _content_type=APPLY_PATCH,
    )
    return name


def _live(sandbox: Sandbox, name: str):
    return _apps(sandbox).read_namespaced_deployment(name, NAMESPACE)


def _open_yaml(page: Page, sign_in, username: str, name: str) -> None:
    sign_in(page, username, path=f"/cloud/resource/deployments/{NAMESPACE}/{name}/yaml")
    expect(page.locator('[data-testid="yaml-editor"] .cm-content')).to_be_visible()


def _edit_line(page: Page, line: re.Pattern[str], typed: str, erase: int = 0) -> None:
    """Click at the end of the editor line matching `line`, erase `erase` characters, type `typed`."""
    target = page.locator('[data-testid="yaml-editor"] .cm-line', has_text=line)
    expect(target).to_have_count(1)
    target.click()
    page.keyboard.press("End")
    for _ in range(erase):
        page.keyboard.press("Backspace")
    page.keyboard.type(typed)


def _result(page: Page):
    return page.get_by_test_id("yaml-result")


def test_admin_diffs_validates_and_applies_an_edit_and_bad_yaml_changes_nothing(page: Page, sign_in, sandbox: Sandbox):
    name = _create_deployment(sandbox, "e2e-yaml")
    _open_yaml(page, sign_in, "admin", name)
    expect(page.get_by_test_id("yaml-managed-by")).to_have_text("managed-by: manual")
    expect(page.get_by_test_id("yaml-unsaved")).to_have_text("• no unsaved edits")
    editor = page.get_by_test_id("yaml-editor")
    expect(editor).not_to_contain_text("managedFields")
    expect(editor).not_to_contain_text("resourceVersion")

    _edit_line(page, re.compile(r"^\s*replicas: 1$"), "2", erase=1)
    expect(page.get_by_test_id("yaml-unsaved")).to_have_text("• unsaved changes")  # after the editor's pause

    page.get_by_test_id("yaml-show-diff").click()
    changed = page.locator('[data-testid="yaml-diff-row"][data-change="changed"]')
    expect(changed).to_have_count(1)
    expect(changed.get_by_test_id("yaml-diff-left")).to_have_text(re.compile(r"^\s*replicas: 1$"))
    expect(changed.get_by_test_id("yaml-diff-right")).to_have_text(re.compile(r"^\s*replicas: 2$"))

    before = _live(sandbox, name)
    page.get_by_test_id("yaml-validate").click()
    expect(_result(page)).to_have_text(ACCEPTED)
    after = _live(sandbox, name)
    assert (after.spec.replicas, after.metadata.generation) == (1, before.metadata.generation)  # spec untouched

    page.get_by_test_id("yaml-apply").click()
    expect(_result(page)).to_have_text(APPLIED)
    applied = _live(sandbox, name)
    assert applied.spec.replicas == 2
    expect(page.get_by_test_id("yaml-unsaved")).to_have_text("• no unsaved edits")

    _edit_line(page, re.compile(r"^\s*replicas: 2$"), ": x")  # a stray ":" makes `replicas: 2: x`
    expect(page.get_by_test_id("yaml-editor")).to_contain_text("replicas: 2: x")
    lines = page.locator('[data-testid="yaml-editor"] .cm-line').all_inner_texts()
    line = 1 + next(index for index, text in enumerate(lines) if "replicas: 2: x" in text)
    page.get_by_test_id("yaml-validate").click()
    expect(_result(page)).to_have_text(re.compile(rf"^YAML syntax error at line {line}, column \d+: "))
    expect(page.get_by_test_id("yaml-error-at")).to_have_attribute("data-line", str(line))
    page.get_by_test_id("yaml-apply").click()
    expect(_result(page)).to_have_text(re.compile(rf"^YAML syntax error at line {line}, "))
    unchanged = _live(sandbox, name)
    assert (unchanged.spec.replicas, unchanged.metadata.generation) == (2, applied.metadata.generation)


def test_an_apply_over_kubectls_field_names_the_conflict_and_admin_may_force(page: Page, sign_in, sandbox: Sandbox):
    name = _create_deployment(sandbox, "e2e-yaml-conflict")
    _apps(sandbox).patch_namespaced_deployment(  # kubectl now owns .spec.replicas
        name,
        NAMESPACE,
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": {"replicas": 3}},
        field_manager="kubectl",
        force=True,
        _content_type=APPLY_PATCH,
    )
    _open_yaml(page, sign_in, "admin", name)
    _edit_line(page, re.compile(r"^\s*replicas: 3$"), "5", erase=1)
    page.get_by_test_id("yaml-apply").click()
    conflict = page.get_by_test_id("yaml-conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("kubectl")
    expect(conflict).to_contain_text(".spec.replicas")
    assert _live(sandbox, name).spec.replicas == 3

    page.get_by_test_id("yaml-force-apply").click()
    expect(_result(page)).to_have_text(APPLIED)
    assert _live(sandbox, name).spec.replicas == 5


def test_a_viewer_sees_the_yaml_read_only_with_no_apply(page: Page, sign_in, sandbox: Sandbox):
    name = _create_deployment(sandbox, "e2e-yaml-viewer")
    _open_yaml(page, sign_in, "viewer", name)
    editor = page.get_by_test_id("yaml-editor")
    expect(editor).to_contain_text(f"name: {name}")
    expect(editor).to_have_attribute("data-editable", "false")
    expect(editor.locator(".cm-content")).to_have_attribute("contenteditable", "false")
    expect(page.get_by_test_id("yaml-apply")).to_have_count(0)
    expect(page.get_by_test_id("yaml-validate")).to_have_count(0)
    expect(page.get_by_test_id("yaml-read-only")).to_be_visible()
