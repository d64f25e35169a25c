"""The shell WebSocket: `/ws/exec/{namespace}/{pod}?container=`, one exec in the pod as the signed-in person.

Browser → console: binary (or non-JSON text) frames are keystrokes for stdin; JSON text frames are control
messages `{"type": "resize", "cols", "rows"}` and `{"type": "ping"}` (answered `{"type": "pong"}`).
Console → browser: binary frames are the terminal's output (stdout and stderr); JSON text frames are
`{"type": "open", "protocol"}` once the shell runs, `{"type": "exit", "code", "message"}` when it ended (code
null when the API server gave none), and `{"type": "error", "message"}` before a refusal.
Close codes: 1000 after the exit frame, 4400 the API server would not start the exec (container not running,
unknown container …), 4401 no session, 4403 no `create pods/exec` (the reason follows), 4404 no such pod,
1011 no cluster connection or the connection to the API server broke.
The session's start and end (who, pod, container, exit status) land in the audit log.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.exceptions import ConnectionClosed

from console.audit import AuditLog, Result, audit_log
from console.identity.runtime import current_person
from console.kube.access import may_exec
from console.kube.api import KubeApiError
from console.kube.exec import ExecRequest, ExecSession, ExitStatus, open_exec
from console.streams.socket import (
    ENDED,
    FORBIDDEN,
    SERVER_ERROR,
    KubeLookup,
    PersonLookup,
    close_code_for,
    close_with,
    open_as_person,
    runtime_kube,
)

__all__ = ["exec_routes"]

logger = logging.getLogger(__name__)

AuditLookup = Callable[[], AuditLog | None]

MAX_TERMINAL_SIZE = 1000  # columns or rows; anything larger is a bad resize message


def exec_routes(
    *, person: PersonLookup = current_person, kube: KubeLookup = runtime_kube, audit: AuditLookup = audit_log
) -> list[WebSocketRoute]:
    """The shell socket route; the defaults are the process's sessions, cluster connection and audit log."""

    async def endpoint(websocket: WebSocket) -> None:
        await _serve(websocket, person, kube, audit)

    return [WebSocketRoute("/ws/exec/{namespace}/{pod}", endpoint, name="pod_exec")]


def _error_frame(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}


async def _close(websocket: WebSocket, code: int, message: str) -> None:
    await close_with(websocket, code, _error_frame(message), message)


async def _record(audit: AuditLookup, actor: str, action: str, target: str, result: Result, detail: str) -> None:
    log = audit()
    if log is None:
        return
    try:
        await log.record(actor, action, target, result, detail)
    except Exception:  # noqa: BLE001 - the shell still closes cleanly; the failure is logged loudly
        logger.exception("could not write the audit record for %s %s", action, target)


async def _serve(websocket: WebSocket, person: PersonLookup, kube: KubeLookup, audit: AuditLookup) -> None:
    peer = await open_as_person(
        websocket, _error_frame, signed_out="Sign in to open a shell.", person=person, kube=kube
    )
    if peer is None:
        return
    namespace, pod = websocket.path_params["namespace"], websocket.path_params["pod"]
    request = ExecRequest(namespace, pod, websocket.query_params.get("container", ""))
    api, actor, target = peer.api, peer.identity.kube_user, request.target
    container_detail = f"container={request.container or '(default)'}"
    allowed, why = await may_exec(api, namespace, pod)
    if not allowed:
        message = f"You may not open a shell in pod {namespace}/{pod}" + (f": {why}" if why else ".")
        await _record(audit, actor, "exec-start", target, "denied", f"{container_detail} {why}".strip())
        await _close(websocket, FORBIDDEN, message)
        return
    try:
        async with open_exec(api, request) as session:
            await _record(audit, actor, "exec-start", target, "ok", f"{container_detail} protocol={session.protocol}")
            ending = await _bridge(websocket, session)
    except KubeApiError as error:
        result: Result = "denied" if error.status == 403 else "error"
        await _record(audit, actor, "exec-start", target, result, f"{container_detail} {error.message}")
        await _close(websocket, close_code_for(error.status), error.message)
        return
    if ending is None:
        await _record(audit, actor, "exec-end", target, "ok", f"{container_detail} closed by the browser")
        return
    code = "none" if ending.code is None else str(ending.code)
    result = "ok" if ending.code is not None else "error"
    await _record(audit, actor, "exec-end", target, result, f"{container_detail} exit={code} {ending.message}".strip())
    frame = {"type": "exit", "code": ending.code, "message": ending.message}
    if ending.code is None:
        await close_with(websocket, SERVER_ERROR, frame, ending.message)
    else:
        await close_with(websocket, ENDED, frame, "The process exited.")


def _control(text: str) -> dict[str, Any] | None:
    """A JSON control message, or None when the text is keystrokes."""
    if not text.startswith("{"):
        return None
    try:
        message = json.loads(text)
    except ValueError:
        return None
    return message if isinstance(message, dict) and isinstance(message.get("type"), str) else None


def _size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    size = int(value)
    return size if 0 < size <= MAX_TERMINAL_SIZE else 0


async def _bridge(websocket: WebSocket, session: ExecSession) -> ExitStatus | None:
    """Pump both ways until the process ends (its status) or the browser leaves (None)."""
    lock = asyncio.Lock()  # the output pump and the pong answers share the socket

    async def send_text(payload: dict[str, Any]) -> None:
        async with lock:
            await websocket.send_text(json.dumps(payload))

    async def out() -> None:
        async for _, data in session.output():
            async with lock:
                await websocket.send_bytes(data)

    async def into() -> bool:
        """Returns True when the browser left, False when the API server's side closed first."""
        try:
            await forward()
        except WebSocketDisconnect:
            return True
        except ConnectionClosed:
            return False
        return True

    async def forward() -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                await session.send_stdin(message["bytes"])
                continue
            text = message.get("text") or ""
            control = _control(text)
            if control is None:
                await session.send_stdin(text.encode())
            elif control["type"] == "resize":
                cols, rows = _size(control.get("cols")), _size(control.get("rows"))
                if cols and rows:
                    await session.resize(cols, rows)
            elif control["type"] == "ping":
                await send_text({"type": "pong"})

    await send_text({"type": "open", "protocol": session.protocol})
    output, browser = asyncio.create_task(out()), asyncio.create_task(into())
    try:
        done, _ = await asyncio.wait([output, browser], return_when=asyncio.FIRST_COMPLETED)
        if output in done:
            output.result()  # a failed send to the browser surfaces here
            return session.exit
        if browser.result():
            return None
        await asyncio.wait_for(output, 10)  # the API server closed: its last output and status are on the way
        return session.exit
    except (WebSocketDisconnect, RuntimeError):
        return None
    except TimeoutError:
        return session.exit
    finally:
        for task in (output, browser):
            task.cancel()
        await asyncio.gather(output, browser, return_exceptions=True)
