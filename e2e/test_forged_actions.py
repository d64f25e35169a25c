"""A forged event handler call is refused by the API server: the console acts as the person, whatever the UI offered.

A viewer opens a Deployment (no Scale button for them), then their browser tab's session sends the state's
`scale` event itself over Reflex's socket.io connection, as a hand-written client would. The Deployment keeps
its replicas and the audit log records the attempt as denied.
"""

from __future__ import annotations

import time
import uuid

import pytest
from cluster_objects import apps_api, create_deployment
from conftest import watch_page_errors
from forged_events import (
    audit_records_about,
    dispatch,
    run_on_own_thread,
    tab_token_and_cookie,
)
from playwright.sync_api import Browser, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.audit.log import AuditRecord
from console.pages.resource_detail.actions_state import DetailActionsState

NAMESPACE = "default"
# The state's full name, as the compiled front-end addresses it (`.web/utils/context.jsx`).
ACTIONS_STATE = DetailActionsState.get_full_name()


def test_a_viewers_forged_scale_is_refused_by_the_api_server(
    browser: Browser,
    sign_in,
    console_url: str,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
    page_errors: list[str],
):
    name = f"e2e-forged-{uuid.uuid4().hex[:6]}"
    create_deployment(sandbox.kubeconfig_path, NAMESPACE, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview"

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    page = context.new_page()
    sign_in(page, "viewer", path=path)
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true")
    expect(page.get_by_test_id("action-scale")).to_have_count(0)  # not offered to a viewer
    token, cookie = tab_token_and_cookie(context, console_url)

    events = [("set_replicas", {"value": "5"}), ("scale", {})]
    answers = run_on_own_thread(dispatch(console_url, token, cookie, path, ACTIONS_STATE, events, until="result"))

    deadline = time.monotonic() + 15
    denied: list[AuditRecord] = []
    while time.monotonic() < deadline and not denied:
        denied = [r for r in audit_records_about(tmp_path_factory, name) if r.action == "scale"]
        if not denied:
            time.sleep(0.25)
    assert [(r.action, r.result) for r in denied] == [("scale", "denied")], answers
    assert apps_api(sandbox.kubeconfig_path).read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
