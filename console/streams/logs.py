"""The live pod log WebSocket: `/ws/logs/{namespace}/{name}`, read as the signed-in person.

Frames (JSON text): `{"type": "line", "pod", "container", "time", "text"}` for a lone line,
`{"type": "lines", "lines": [{"pod", "container", "time", "text"}, …]}` when lines come fast, and
`{"type": "status", "state": "streaming|reconnecting|closed|error", "attempt", "message", "pod", "container"}`.
Close codes: 1000 when the log ends, 4400 bad options or a log the API server will not give (waiting container,
unknown container, no previous instance …), 4401 no session, 4403 no `get pods/log`, 4404 not found, 1011
the console has no cluster connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from console.identity.runtime import current_person
from console.kube.access import AccessQuestion
from console.kube.api import KubeApi
from console.kube.logs import (
    WORKLOAD_KINDS,
    LogError,
    LogLine,
    LogRequest,
    LogStatus,
    ResumePoint,
    follow_logs,
    instant_of,
)
from console.streams.socket import (
    BAD_REQUEST,
    ENDED,
    FORBIDDEN,
    KubeLookup,
    PersonLookup,
    close_code_for,
    close_with,
    open_as_person,
    runtime_kube,
)

__all__ = ["log_routes", "request_from_query"]

MAX_BATCH = 1000  # lines per frame
FRAME_INTERVAL_SECONDS = 0.02  # while lines come fast, at most one frame per interval (a lone line goes at once)
_BACKLOG_LIMIT = 20_000  # queued items before the reader waits for the socket
_SINCE = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_KINDS = {"pod": "Pod", **{kind.lower(): kind for kind in WORKLOAD_KINDS}}
_Item = LogLine | LogStatus | LogError | None  # what the reader hands the sender; None: the log ended


def _flag(query: Mapping[str, str], name: str) -> bool:
    return query.get(name, "").lower() in ("1", "true", "yes")


def request_from_query(namespace: str, name: str, query: Mapping[str, str]) -> LogRequest:
    """The log request a socket's query string asks for.

    Raises:
        ValueError: an option is malformed (the message says which).
    """
    kind = _KINDS.get(query.get("kind", "pod").lower())
    if kind is None:
        raise ValueError(f"kind must be one of {', '.join(sorted(_KINDS))}")
    tail_text = query.get("tail", "100")
    if tail_text == "all":
        tail: int | None = None
    elif tail_text.isdigit():
        tail = int(tail_text)
    else:
        raise ValueError("tail must be a number of lines or 'all'")
    since_seconds = None
    if query.get("since"):
        match = _SINCE.match(query["since"])
        if match is None or int(match.group(1)) == 0:
            raise ValueError("since must look like 30s, 5m, 1h or 2d")
        since_seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    resume = None
    if query.get("sinceTime"):
        seen = query.get("seen")
        if seen is not None and not seen.isdigit():
            raise ValueError("seen must be a number of lines")
        resume = ResumePoint(query["sinceTime"], int(seen) if seen is not None else None)
        _check_stamp(resume.time)
    return LogRequest(
        namespace=namespace,
        name=name,
        kind=kind,
        container=query.get("container", ""),
        all_containers=_flag(query, "all"),
        previous=_flag(query, "previous"),
        tail_lines=tail,
        since_seconds=since_seconds,
        timestamps=_flag(query, "timestamps"),
        follow=_flag(query, "follow"),
        resume=resume,
    )


def _check_stamp(stamp: str) -> None:
    try:
        instant_of(stamp)
    except ValueError:
        raise ValueError("sinceTime must be an RFC 3339 time") from None


def log_routes(*, person: PersonLookup = current_person, kube: KubeLookup = runtime_kube) -> list[WebSocketRoute]:
    """The log socket route; `person` and `kube` default to the process's sessions and cluster connection."""

    async def endpoint(websocket: WebSocket) -> None:
        await _serve(websocket, person, kube)

    return [WebSocketRoute("/ws/logs/{namespace}/{name}", endpoint, name="pod_logs")]


def _refusal(message: str, state: str = "error") -> dict[str, Any]:
    return {"type": "status", "state": state, "attempt": 0, "message": message}


async def _close(websocket: WebSocket, code: int, message: str, state: str = "error") -> None:
    await close_with(websocket, code, _refusal(message, state), message)


async def _serve(websocket: WebSocket, person: PersonLookup, kube: KubeLookup) -> None:
    peer = await open_as_person(websocket, _refusal, signed_out="Sign in to read logs.", person=person, kube=kube)
    if peer is None:
        return
    namespace, name = websocket.path_params["namespace"], websocket.path_params["name"]
    try:
        request = request_from_query(namespace, name, websocket.query_params)
    except ValueError as error:
        await _close(websocket, BAD_REQUEST, str(error))
        return
    pod_name = name if request.kind == "Pod" else ""
    question = AccessQuestion("get", "pods", namespace=namespace, name=pod_name, subresource="log")
    if not await peer.reviews.allowed(peer.api, peer.identity.kube_user, question):
        what = f"pod {name}" if pod_name else f"pods in {namespace}"
        await _close(websocket, FORBIDDEN, f"You may not read logs of {what}")
        return
    # A browser that leaves while a frame is on its way (a tab closed, a page changed) ends the stream: normal.
    with contextlib.suppress(WebSocketDisconnect):
        await _stream(websocket, peer.api, request)


def _status_frame(status: LogStatus) -> dict[str, Any]:
    return {
        "type": "status",
        "state": status.state,
        "attempt": status.attempt,
        "message": status.message,
        "pod": status.pod,
        "container": status.container,
    }


def _line_entry(line: LogLine) -> dict[str, str]:
    return {"pod": line.pod, "container": line.container, "time": line.time, "text": line.text}


async def _stream(websocket: WebSocket, api: KubeApi, request: LogRequest) -> None:
    queue: asyncio.Queue[_Item] = asyncio.Queue()

    async def read() -> None:
        try:
            async for line in follow_logs(api, request, queue.put_nowait):
                queue.put_nowait(line)
                while queue.qsize() > _BACKLOG_LIMIT:  # the browser is slower than the log: wait for it
                    await asyncio.sleep(0.01)
        except LogError as error:
            queue.put_nowait(error)
            return
        except Exception as error:  # anything unforeseen still ends the socket with a reason, never a hang
            queue.put_nowait(LogError(f"the log stream failed: {error}", 500))
            raise
        queue.put_nowait(None)

    async def listen() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return

    await websocket.send_text(json.dumps(_status_frame(LogStatus("streaming", 0))))
    tasks = [asyncio.create_task(read()), asyncio.create_task(listen())]
    sender = asyncio.create_task(_send(websocket, queue))
    try:
        done, _ = await asyncio.wait([sender, tasks[1]], return_when=asyncio.FIRST_COMPLETED)
        if sender in done:
            ending = sender.result()
            if isinstance(ending, LogError):
                await _close(websocket, close_code_for(ending.status), ending.message)
            else:
                await _close(websocket, ENDED, "The log ended.", state="closed")
    finally:
        for task in (*tasks, sender):
            task.cancel()
        await asyncio.gather(*tasks, sender, return_exceptions=True)


async def _send(websocket: WebSocket, queue: asyncio.Queue[_Item]) -> LogError | None:
    """Send what the reader queues, batching lines; returns how the log ended."""
    last_frame = 0.0
    held: list[_Item] = []  # an item taken while batching that is not a line
    while True:
        item = held.pop() if held else await queue.get()
        if isinstance(item, LogStatus):
            await websocket.send_text(json.dumps(_status_frame(item)))
            continue
        if not isinstance(item, LogLine):
            return item
        wait = last_frame + FRAME_INTERVAL_SECONDS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)  # lines are coming fast: let a batch gather
        batch = [item]
        while len(batch) < MAX_BATCH and not queue.empty():
            following = queue.get_nowait()
            if not isinstance(following, LogLine):
                held.append(following)
                break
            batch.append(following)
        if len(batch) == 1:
            frame: dict[str, Any] = {"type": "line", **_line_entry(item)}
        else:
            frame = {"type": "lines", "lines": [_line_entry(line) for line in batch]}
        await websocket.send_text(json.dumps(frame, separators=(",", ":")))
        last_frame = time.monotonic()
