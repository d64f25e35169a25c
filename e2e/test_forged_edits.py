"""YAML applies, Secret reveals and made-up handler names, forged over the event socket, change and show nothing.

Each person opens the object's tab, then their tab's session sends what the page never offered them, as a
hand-written client would. The console acts as the person, so the API server refuses the write (recorded as
denied); a Secret's value never reaches a forged reveal of someone who may not read it; a handler name the
console does not declare (a private method, a setter Reflex does not generate) runs nothing and leaves the
session working.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable

import pytest
from cluster_objects import apps_api, core_api, create_deployment
from forged_events import audit_records_about, dispatch, run_on_own_thread
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.pages.resource_detail.state import ResourceDetailState
from console.pages.resource_detail.tabs.yaml_state import YamlTabState

NAMESPACE = "default"
YAML_STATE = YamlTabState.get_full_name()
DETAIL_STATE = ResourceDetailState.get_full_name()


def editor_loaded(page: Page) -> None:
    expect(page.get_by_test_id("yaml-editor")).to_be_visible()


def no_access(page: Page) -> None:
    expect(page.get_by_test_id("no-access")).to_be_visible()


def secret_refused(page: Page) -> None:
    expect(page.get_by_text("You may not view this Secret")).to_be_visible()


def _draft(name: str, replicas: int) -> str:
    """The Deployment as an editor would hold it, asking for `replicas`."""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        f"  name: {name}\n  namespace: {NAMESPACE}\n  labels:\n    app: {name}\n"
        f"spec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n"
        f"  template:\n    metadata:\n      labels:\n        app: {name}\n"
        "    spec:\n      containers:\n      - name: web\n        image: nginx\n"
    )


def _audited(tmp_path_factory: pytest.TempPathFactory, name: str, actions: set[str]) -> dict[str, str]:
    """action → result of this object's audit records, once every one of `actions` is there (or 15 s passed)."""
    deadline = time.monotonic() + 15
    while True:
        found = {r.action: r.result for r in audit_records_about(tmp_path_factory, name)}
        if actions <= set(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


@pytest.mark.parametrize("username, ready", [("viewer", editor_loaded), ("newcomer", no_access)])
def test_a_yaml_apply_forged_by_people_who_may_not_edit_changes_nothing(
    forged_tab,
    console_url: str,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
    username: str,
    ready: Callable[[Page], None],
):
    name = f"e2e-yaml-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/yaml"
    token, cookie = forged_tab(username, path, ready)
    marker = f"# forged-{uuid.uuid4().hex[:6]}"
    events = [
        ("set_draft", {"text": _draft(name, 5)}),
        ("validate", {}),
        ("apply", {}),
        ("force_apply", {}),
        ("set_draft", {"text": _draft(name, 5) + marker}),  # handled last: its delta says all were handled
    ]

    answers = run_on_own_thread(dispatch(console_url, token, cookie, path, YAML_STATE, events, until=marker))

    deployment = apps_api(sandbox.kubeconfig_path).read_namespaced_deployment(name, NAMESPACE)
    assert deployment.spec.replicas == 1, answers
    results = _audited(tmp_path_factory, name, {"apply"} if username == "viewer" else set())
    assert "ok" not in results.values(), results
    if username == "viewer":  # the API server refused the apply; the console never forwarded the force
        assert results == {"apply": "denied"}, answers
        assert "You may not force this apply." in repr(answers)


def test_a_forged_reveal_by_a_viewer_shows_no_value_and_is_audited_as_denied(
    forged_tab,
    console_url: str,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
):
    name = f"e2e-secret-{uuid.uuid4().hex[:6]}"
    value = f"s3cret-{uuid.uuid4().hex}"
    core_api(sandbox.kubeconfig_path).create_namespaced_secret(
        NAMESPACE, {"metadata": {"name": name}, "data": {"password": base64.b64encode(value.encode()).decode()}}
    )
    path = f"/cloud/resource/secrets/{NAMESPACE}/{name}/overview"
    token, cookie = forged_tab("viewer", path, secret_refused)

    answers = run_on_own_thread(
        dispatch(console_url, token, cookie, path, DETAIL_STATE, [("reveal_values", {})], until="reveal_message")
    )

    assert value not in repr(answers)
    assert base64.b64encode(value.encode()).decode() not in repr(answers)
    assert _audited(tmp_path_factory, name, {"secret.reveal"}) == {"secret.reveal": "denied"}, answers


def test_handler_names_the_console_does_not_declare_run_nothing(
    forged_tab,
    console_url: str,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
):
    name = f"e2e-names-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/yaml"
    token, cookie = forged_tab("viewer", path, editor_loaded)
    marker = f"# still-working-{uuid.uuid4().hex[:6]}"
    events = [
        ("set_allowed", {"value": ["edit", "force-apply"]}),  # Reflex generates no setters here
        ("set_draft", {"text": _draft(name, 9)}),
        ("_apply", {"force": True}),  # a private method is not a handler
        ("force_apply", {}),  # still refused: `allowed` was not changed
        ("set_draft", {"text": marker}),  # the session still handles events
    ]

    answers = run_on_own_thread(dispatch(console_url, token, cookie, path, YAML_STATE, events, until=marker))

    assert "You may not force this apply." in repr(answers), answers
    assert apps_api(sandbox.kubeconfig_path).read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
    assert _audited(tmp_path_factory, name, set()) == {}
