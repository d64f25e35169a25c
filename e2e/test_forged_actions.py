"""A forged event handler call is refused by the API server: the console acts as the person, whatever the UI offered.

A viewer opens a Deployment (no Scale button for them), then their browser tab's session sends the state's
`scale` event itself over Reflex's socket.io connection, as a hand-written client would. The Deployment keeps
its replicas and the audit log records the attempt as denied.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from conftest import watch_page_errors
from forged_events import dispatch, run_on_own_thread
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Browser, expect
from sovereign_sandbox.apiserver.server import Sandbox

from console.audit.log import AuditRecord
from console.database.runtime import open_database
from console.pages.resource_detail.actions_state import DetailActionsState

NAMESPACE = "default"
# The state's full name, as the compiled front-end addresses it (`.web/utils/context.jsx`).
ACTIONS_STATE = DetailActionsState.get_full_name()


def _apps(sandbox: Sandbox) -> kube_client.AppsV1Api:
    return kube_client.AppsV1Api(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _create_deployment(sandbox: Sandbox, name: str) -> None:
    labels = {"app": name}
    _apps(sandbox).create_namespaced_deployment(
        NAMESPACE,
        {
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
        },
    )


async def _recent(database: Path) -> list[AuditRecord]:
    opened = await open_database(f"sqlite:///{database}", install=False)
    try:
        return await opened.audit_log.recent(limit=1000)
    finally:
        opened.close()


def _audit_records(tmp_path_factory: pytest.TempPathFactory, name: str) -> list[AuditRecord]:
    """This object's records from the e2e console's `<CONSOLE_STATE_DIR>/console.db` (a tmp path per module)."""
    records: list[AuditRecord] = []
    for database in {path.resolve() for path in Path(tmp_path_factory.getbasetemp()).glob("console*/console.db")}:
        records += [r for r in run_on_own_thread(_recent(database)) if r.target.endswith(f"/{name}")]
    return records


def test_a_viewers_forged_scale_is_refused_by_the_api_server(
    browser: Browser,
    sign_in,
    console_url: str,
    sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
    page_errors: list[str],
):
    name = f"e2e-forged-{uuid.uuid4().hex[:6]}"
    _create_deployment(sandbox, name)
    path = f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview"

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    page = context.new_page()
    sign_in(page, "viewer", path=path)
    expect(page.get_by_test_id("detail-name")).to_have_text(name)
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true")
    expect(page.get_by_test_id("action-scale")).to_have_count(0)  # not offered to a viewer
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    assert token
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(console_url))
    # Close the tab so its token is free: the forged client then speaks for the same session and state
    # (a second socket on a live token would be handed a fresh token and an empty state).
    context.close()

    events = [("set_replicas", {"value": "5"}), ("scale", {})]
    answers = run_on_own_thread(dispatch(console_url, token, cookie, path, ACTIONS_STATE, events, until="result"))

    deadline = time.monotonic() + 15
    denied: list[AuditRecord] = []
    while time.monotonic() < deadline and not denied:
        denied = [r for r in _audit_records(tmp_path_factory, name) if r.action == "scale"]
        if not denied:
            time.sleep(0.25)
    assert [(r.action, r.result) for r in denied] == [("scale", "denied")], answers
    assert _apps(sandbox).read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
