"""A forged event handler call is refused by the API server: the console acts as the person, whatever the UI offered.

A viewer opens a Deployment (no Scale button for them), then their browser tab's session sends the state's
`scale` event itself over Reflex's socket.io connection, as a hand-written client would. The Deployment keeps
its replicas and the audit log records the attempt as denied.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
import socketio
from conftest import watch_page_errors
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

# The socket.io path and namespace the front-end connects to (`.web/env.json` EVENT: ws://…/_event).
EVENT_PATH = "/_event"
T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on its own thread: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


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
        records += [r for r in _run(_recent(database)) if r.target.endswith(f"/{name}")]
    return records


async def _dispatch(console_url: str, token: str, cookie: str, path: str, events: list[tuple[str, dict]]) -> list[Any]:
    """Send events as the tab's front-end does: `emit("event", {name, payload, router_data})` on `/_event`,
    connected with the tab's token and the browser's cookies."""
    client = socketio.AsyncClient(reconnection=False)
    answers: list[Any] = []  # the backend's deltas, for the failure message
    client.on("*", lambda event, data=None: answers.append((event, data)), namespace=EVENT_PATH)
    await client.connect(
        f"{console_url}?token={token}",
        headers={"Cookie": cookie, "Origin": console_url},
        transports=["websocket"],
        socketio_path=EVENT_PATH,
        namespaces=[EVENT_PATH],
    )
    try:
        for handler, payload in events:
            await client.emit(
                "event",
                {
                    "name": f"{ACTIONS_STATE}.{handler}",
                    "payload": payload,
                    "router_data": {"pathname": path, "asPath": path, "query": {}},
                },
                namespace=EVENT_PATH,
            )
        # The backend handles a token's events in order; stay connected until the last one's delta (its
        # `result`) arrives, so the handler has run to the end.
        deadline = asyncio.get_running_loop().time() + 15
        while "result" not in repr(answers[-1:]) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await client.disconnect()
    return answers


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

    answers = _run(_dispatch(console_url, token, cookie, path, [("set_replicas", {"value": "5"}), ("scale", {})]))

    deadline = time.monotonic() + 15
    denied: list[AuditRecord] = []
    while time.monotonic() < deadline and not denied:
        denied = [r for r in _audit_records(tmp_path_factory, name) if r.action == "scale"]
        if not denied:
            time.sleep(0.25)
    assert [(r.action, r.result) for r in denied] == [("scale", "denied")], answers
    assert _apps(sandbox).read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
