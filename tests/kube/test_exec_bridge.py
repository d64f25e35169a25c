"""A shell in a pod as a person, against the sandbox API server: the exec stream itself and the browser bridge."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from sovereign_sandbox.node.containers import image_traits
from sovereign_sandbox.world.people import subject_of
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from console.audit.log import AuditLog
from console.database.runtime import open_database
from console.identity.claims import Identity, identity_from_claims
from console.kube.access import AccessReviews
from console.kube.api import ActingAs, KubeApi, KubeApiError
from console.kube.exec import ExecRequest, ExitStatus, open_exec, parse_status
from console.streams.exec import exec_routes

pytestmark = pytest.mark.sandbox

TIERS = {"sre": "operator", "viewer": "viewer", "developer": "developer"}
DEADLINE = 15


def _person(username: str) -> tuple[Identity, ActingAs]:
    tier = TIERS[username]
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": [f"/tiers/{tier}"]}
    )
    return identity, ActingAs(user=identity.kube_user, groups=identity.kube_groups)


def _running(pod: dict) -> bool:
    statuses = pod["status"].get("containerStatuses") or []
    return bool(statuses) and all("running" in (status.get("state") or {}) for status in statuses)


async def _pod(api: KubeApi, shells: tuple[str, ...]) -> tuple[str, str, str]:
    """(namespace, pod, container) of a running pod whose first container's image has exactly these shells."""
    for pod in (await api.get("/api/v1/pods"))["items"]:
        container = pod["spec"]["containers"][0]
        if _running(pod) and image_traits(container["image"]).shells == shells:
            return pod["metadata"]["namespace"], pod["metadata"]["name"], container["name"]
    pytest.fail(f"the sandbox has no running pod with shells {shells}")


async def _run(api: KubeApi, request: ExecRequest, typed: bytes) -> tuple[str, ExitStatus | None]:
    async with open_exec(api, request) as session:
        assert session.protocol == "v5.channel.k8s.io"
        await session.resize(120, 40)
        await session.send_stdin(typed)
        output = b""
        async with asyncio.timeout(DEADLINE):
            async for _, data in session.output():
                output += data
        return output.decode(), session.exit


def _screen(output: str) -> str:
    """The output as a terminal shows it: no control sequences (bash's bracketed-paste mode), no stray CRs."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output).replace("\n\r", "\n")


def _lines(output: str) -> list[str]:
    return [line.strip() for line in _screen(output).split("\r\n")]


# --- the exec stream (console/kube/exec.py) ---


def test_the_status_gives_the_exit_code():
    assert parse_status(b'{"metadata":{},"status":"Success"}') == ExitStatus(0, "")
    failure = parse_status(
        b'{"metadata":{},"status":"Failure","message":"exit code 3","reason":"NonZeroExitCode",'
        b'"details":{"causes":[{"reason":"ExitCode","message":"3"}]}}'
    )
    assert failure == ExitStatus(3, "exit code 3")
    assert parse_status(b"command terminated with non-zero exit code").code is None


async def test_echo_hello_then_exit_3(kube_api: KubeApi):
    sre = kube_api.as_person(_person("sre")[1])
    namespace, pod, container = await _pod(kube_api, ("sh", "bash"))
    output, status = await _run(sre, ExecRequest(namespace, pod, container), b"echo hello\rexit 3\r")
    assert "\r\nhello\r\n" in _screen(output)
    assert status is not None and status.code == 3


async def test_an_image_with_bash_gets_bash_and_one_without_gets_sh(kube_api: KubeApi):
    sre = kube_api.as_person(_person("sre")[1])
    with_bash = await _pod(kube_api, ("sh", "bash"))
    output, status = await _run(sre, ExecRequest(*with_bash), b"echo $0\rexit\r")
    assert "bash" in _lines(output), output
    assert status == ExitStatus(0, "")
    without_bash = await _pod(kube_api, ("sh",))
    output, status = await _run(sre, ExecRequest(*without_bash), b"echo $0\recho hello\rexit 0\r")
    assert "sh" in _lines(output) and "bash" not in _lines(output) and "hello" in _lines(output), output
    assert status == ExitStatus(0, "")


async def test_a_person_without_pods_exec_is_refused_by_the_api_server(kube_api: KubeApi):
    viewer = kube_api.as_person(_person("viewer")[1])
    namespace, pod, container = await _pod(kube_api, ("sh", "bash"))
    with pytest.raises(KubeApiError) as refused:
        async with open_exec(viewer, ExecRequest(namespace, pod, container)):
            pass
    assert refused.value.status == 403
    assert "pods/exec" in refused.value.message


# --- the browser bridge (console/streams/exec.py) ---


@contextlib.asynccontextmanager
async def _bridge_server(kube_api: KubeApi, audit: AuditLog) -> AsyncIterator[str]:
    async def person(cookie: str) -> tuple[Identity, ActingAs] | None:
        name = cookie.removeprefix("person=")
        return _person(name) if name in TIERS else None

    app = Starlette(routes=exec_routes(person=person, kube=lambda: (kube_api, AccessReviews()), audit=lambda: audit))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", ws="websockets-sansio"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def _read_until_closed(socket_: ClientConnection) -> tuple[str, list[dict]]:
    output, controls = b"", []
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(DEADLINE):
            async for message in socket_:
                if isinstance(message, bytes):
                    output += message
                else:
                    controls.append(json.loads(message))
    return output.decode(), controls


async def test_the_bridge_runs_a_shell_and_reports_the_exit(kube_api: KubeApi, tmp_path: Path):
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log
    namespace, pod, container = await _pod(kube_api, ("sh", "bash"))
    async with _bridge_server(kube_api, audit) as base:
        url = f"{base}/ws/exec/{namespace}/{pod}?container={container}"
        async with connect(url, additional_headers={"Cookie": "person=sre"}) as browser:
            await browser.send(json.dumps({"type": "resize", "cols": 100, "rows": 30}))
            await browser.send(json.dumps({"type": "ping"}))
            await browser.send(b"echo hello\r")
            await browser.send(b"exit 3\r")
            output, controls = await _read_until_closed(browser)
            assert browser.close_code == 1000
    assert "\r\nhello\r\n" in _screen(output)
    assert controls[0] == {"type": "open", "protocol": "v5.channel.k8s.io"}
    assert {"type": "pong"} in controls
    assert controls[-1]["type"] == "exit" and controls[-1]["code"] == 3
    records = await audit.recent()
    assert [record.action for record in reversed(records)] == ["exec-start", "exec-end"]
    assert records[0].target == f"pods/{namespace}/{pod}" and f"container={container}" in records[0].detail
    assert "exit=3" in records[0].detail and records[0].actor == _person("sre")[0].kube_user


async def test_the_bridge_refuses_a_viewer_and_a_stranger(kube_api: KubeApi, tmp_path: Path):
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log
    namespace, pod, container = await _pod(kube_api, ("sh", "bash"))
    async with _bridge_server(kube_api, audit) as base:
        url = f"{base}/ws/exec/{namespace}/{pod}?container={container}"
        async with connect(url, additional_headers={"Cookie": "person=viewer"}) as browser:
            _, controls = await _read_until_closed(browser)
            assert browser.close_code == 4403
            assert browser.close_reason.startswith(f"You may not open a shell in pod {namespace}/{pod}")
        assert controls and controls[0]["type"] == "error"
        async with connect(url) as browser:
            await _read_until_closed(browser)
            assert browser.close_code == 4401
    records = await audit.recent()
    assert [(record.action, record.result) for record in records] == [("exec-start", "denied")]


async def test_the_bridge_closes_4400_for_an_unknown_container(kube_api: KubeApi, tmp_path: Path):
    namespace, pod, _ = await _pod(kube_api, ("sh", "bash"))
    async with _bridge_server(
        kube_api, (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log
    ) as base:
        url = f"{base}/ws/exec/{namespace}/{pod}?container=nope"
        async with connect(url, additional_headers={"Cookie": "person=sre"}) as browser:
            _, controls = await _read_until_closed(browser)
            assert browser.close_code == 4400
    assert "nope" in controls[0]["message"]
