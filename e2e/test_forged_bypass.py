"""Every object action, forged over the event socket by people who were not offered it, changes nothing.

A viewer and a person without a tier each open a Deployment, then their tab's session sends `scale`,
`restart` and `delete` itself (with the delete's typed confirmation), as a hand-written client would. A
client with no session at all sends them too. The console acts as the person, so the API server refuses
(recorded as denied in the audit log); the anonymous client is told to sign in and nothing is recorded.
"""

from __future__ import annotations

import time
import uuid

import pytest
from cluster_objects import apps_api, create_deployment
from forged_events import (
    audit_records_about,
    dispatch,
    run_on_own_thread,
)
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.pages.resource_detail.actions_state import DetailActionsState

NAMESPACE = "default"
ACTIONS_STATE = DetailActionsState.get_full_name()
ACTIONS = ("scale", "restart", "delete")


def _forged_events(name: str) -> list[tuple[str, dict]]:
    return [
        ("set_replicas", {"value": "7"}),
        ("scale", {}),
        ("restart", {}),
        ("set_delete_text", {"value": name}),
        ("delete", {}),
    ]


def _unchanged(sandbox: Sandbox, name: str) -> None:
    deployment = apps_api(sandbox.kubeconfig_path).read_namespaced_deployment(name, NAMESPACE)  # still there
    assert deployment.spec.replicas == 1
    assert deployment.metadata.deletion_timestamp is None
    annotations = deployment.spec.template.metadata.annotations or {}
    assert "kubectl.kubernetes.io/restartedAt" not in annotations


@pytest.mark.parametrize("username", ["viewer", "newcomer"])
def test_actions_forged_by_people_without_them_are_refused_and_audited(
    forged_tab, console_url: str, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory, username: str
):
    name = f"e2e-bypass-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview"

    def offered_nothing(page: Page) -> None:
        if username == "newcomer":  # no tier: the page says so, and shows no object
            expect(page.get_by_test_id("no-access")).to_be_visible()
        else:
            expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true")
        expect(page.get_by_test_id("action-scale")).to_have_count(0)  # never offered to them

    token, cookie = forged_tab(username, path, offered_nothing)

    answers = run_on_own_thread(
        dispatch(console_url, token, cookie, path, ACTIONS_STATE, _forged_events(name), until="result")
    )

    deadline = time.monotonic() + 15
    denied: dict[str, str] = {}
    while time.monotonic() < deadline and set(denied) != set(ACTIONS):
        denied = {r.action: r.result for r in audit_records_about(tmp_path_factory, name)}
        if set(denied) != set(ACTIONS):
            time.sleep(0.25)
    assert denied == dict.fromkeys(ACTIONS, "denied"), answers
    _unchanged(sandbox, name)


def test_actions_forged_without_a_session_change_nothing_and_record_nothing(
    console_url: str, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
):
    name = f"e2e-anon-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview"

    answers = run_on_own_thread(
        dispatch(console_url, str(uuid.uuid4()), "", path, ACTIONS_STATE, _forged_events(name), until="Sign in")
    )

    assert "Sign in" in repr(answers)
    _unchanged(sandbox, name)
    assert audit_records_about(tmp_path_factory, name) == []
