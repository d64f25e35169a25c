"""`pods/exec` and `pods/attach` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io` and older framings).

The session runs the simulated shell (`console.sandbox.shell`); no process is ever spawned. Errors found
before the upgrade (forbidden, no such pod or container, not running) are answered as a Status with a
non-101 response, which kubectl reports after its SPDY fallback gets the same answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from console.sandbox import errors
from console.sandbox.auth import Attributes, User, forbidden_error
from console.sandbox.cluster import Cluster
from console.sandbox.container_view import build_view
from console.sandbox.containers import ContainerRef, find_container, parse_time
from console.sandbox.logs import follow_events, stream_for
from console.sandbox.responses import RequestContext
from console.sandbox.shell import run_exec
from console.sandbox.terminal import Terminal

__all__ = ["PROTOCOLS", "ExecRequest", "negotiate", "prepare", "refuse_without_upgrade", "serve_websocket"]

# In order of preference when a client offers several (the real StreamTranslator speaks only v5).
PROTOCOLS = (
    "v5.channel.k8s.io",
    "v4.channel.k8s.io",
    "v4.base64.channel.k8s.io",
    "channel.k8s.io",
    "base64.channel.k8s.io",
)
_STDIN, _STDOUT, _STDERR, _ERROR, _RESIZE, _CLOSE = 0, 1, 2, 3, 4, 255


@dataclass(frozen=True, slots=True)
class ExecRequest:
    """A validated exec/attach request."""

    action: str  # "exec" or "attach"
    container: ContainerRef
    command: list[str]
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool


def _flag(query: Any, name: str, default: bool = False) -> bool:
    value = query.get(name)
    return default if value is None else value.lower() in ("true", "1")


def prepare(cluster: Cluster, user: User, namespace: str, name: str, action: str, query: Any) -> ExecRequest:
    """Authorize and validate an exec/attach request (`get` and `create` on `pods/<action>`, as since 1.35).

    Raises:
        ApiError: 403, 404, or 400 for bad options, a missing container or one that is not running.
    """
    for verb in ("get", "create"):
        attributes = Attributes(verb, "", "pods", action, namespace, name)
        if not cluster.authorize(user, attributes).allowed:
            raise forbidden_error(user, attributes)
    command = query.getlist("command")
    if action == "exec" and not command:
        raise errors.bad_request("you must specify at least one command for the container")
    stdin, stdout, stderr, tty = (_flag(query, key) for key in ("stdin", "stdout", "stderr", "tty"))
    if action == "exec" and not (stdin or stdout or stderr):
        raise errors.bad_request("you must specify at least 1 of stdin, stdout, stderr")
    container = find_container(cluster, namespace, name, query.get("container", ""))
    pod = container.pod
    if not (pod.get("spec") or {}).get("nodeName"):
        raise errors.bad_request(f"pod {name} does not have a host assigned")
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise errors.bad_request(f"cannot {action} into a container in a completed pod; current phase is {phase}")
    if not container.running:
        raise errors.bad_request(f'unable to upgrade connection: container not found ("{container.name}")')
    return ExecRequest(action, container, command, stdin, stdout, stderr and not tty, tty)


async def refuse_without_upgrade(context: RequestContext) -> Response:
    """exec/attach without a WebSocket upgrade (kubectl's SPDY fallback is a POST): the same checks, then 400."""
    action = context.subresource
    prepare(context.cluster, context.user, context.namespace or "", context.name, action, context.query)
    raise errors.bad_request(
        "Upgrade request required: this server streams exec and attach only over WebSocket "
        f"({', '.join(PROTOCOLS[:2])})"
    )


class _Channels:
    """Frames a session's streams in the negotiated protocol."""

    def __init__(self, websocket: WebSocket, protocol: str):
        self.websocket = websocket
        self.protocol = protocol
        self.base64 = "base64" in protocol
        self.version = 5 if protocol.startswith("v5") else 4 if protocol.startswith("v4") else 1
        self._lock = asyncio.Lock()

    async def send(self, channel: int, data: bytes) -> None:
        async with self._lock:
            if self.base64:
                await self.websocket.send_text(str(channel) + base64.b64encode(data).decode())
            else:
                await self.websocket.send_bytes(bytes([channel]) + data)

    def decode(self, message: MutableMapping[str, Any]) -> tuple[int, bytes] | None:
        """(channel, payload) of a received message; text frames are `chr(channel)+data` (Python client)."""
        if message.get("bytes") is not None:
            data: bytes = message["bytes"]
            return (data[0], data[1:]) if data else None
        text: str = message.get("text") or ""
        if not text:
            return None
        if self.base64:
            return int(text[0]), base64.b64decode(text[1:])
        return ord(text[0]), text[1:].encode()

    async def finish(self, status: int, command: list[str]) -> None:
        if self.version >= 4:
            body: dict[str, Any] = {"metadata": {}, "status": "Success"}
            if status:
                body = {
                    "metadata": {},
                    "status": "Failure",
                    "message": f"command terminated with non-zero exit code: error executing command "
                    f"[{' '.join(command)}], exit code {status}",
                    "reason": "NonZeroExitCode",
                    "details": {"causes": [{"reason": "ExitCode", "message": str(status)}]},
                }
            await self.send(_ERROR, json.dumps(body, separators=(",", ":")).encode())
        elif status:
            await self.send(_ERROR, f"command terminated with non-zero exit code: exit code {status}".encode())


def negotiate(offered: list[str]) -> str | None:
    """The first protocol the client offers that is supported; "channel.k8s.io" when it offers none."""
    if not offered:
        return "channel.k8s.io"
    return next((protocol for protocol in offered if protocol in PROTOCOLS), None)


async def serve_websocket(websocket: WebSocket, cluster: Cluster, user: User, path: str) -> None:
    """Serve one exec/attach WebSocket (`path` is the request path, already authenticated as `user`).

    Raises:
        ApiError: before the upgrade; the caller answers it as a denial response.
    """
    parts = path.strip("/").split("/")
    if len(parts) != 7 or parts[:3] != ["api", "v1", "namespaces"] or parts[4] != "pods":
        raise errors.ApiError(404, "NotFound", "the server could not find the requested resource", {})
    if parts[6] not in ("exec", "attach"):
        raise errors.bad_request(f"{parts[6]} is not served over WebSocket by this server")
    request = prepare(cluster, user, parts[3], parts[5], parts[6], websocket.query_params)
    protocol = negotiate(list(websocket.scope.get("subprotocols") or ()))
    if protocol is None:
        offered = ", ".join(websocket.scope.get("subprotocols") or ())
        raise errors.bad_request(f"unable to upgrade: none of the requested protocols [{offered}] are supported")
    await websocket.accept(subprotocol=protocol if websocket.scope.get("subprotocols") else None)
    channels = _Channels(websocket, protocol)
    if channels.version >= 5:
        ready = _STDOUT if request.stdout else _STDERR if request.stderr else _ERROR
        await channels.send(ready, b"")
    await _run_session(cluster, request, channels)


async def _run_session(cluster: Cluster, request: ExecRequest, channels: _Channels) -> None:
    async def stdout(data: bytes) -> None:
        await channels.send(_STDOUT, data)

    async def stderr(data: bytes) -> None:
        await channels.send(_STDERR, data)

    terminal = Terminal(
        tty=request.tty,
        stdin=request.stdin,
        stdout=stdout if request.stdout or request.tty else None,
        stderr=stderr if request.stderr else None,
    )
    session = asyncio.create_task(_session(cluster, request, terminal))
    receiver = asyncio.create_task(_receive(channels, terminal))
    done, _ = await asyncio.wait({session, receiver}, return_when=asyncio.FIRST_COMPLETED)
    if session not in done:  # the client went away
        session.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await session
        return
    receiver.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await receiver
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await channels.finish(session.result(), request.command)
        await channels.websocket.close(1000)


async def _session(cluster: Cluster, request: ExecRequest, terminal: Terminal) -> int:
    container = request.container
    if request.action == "attach":
        await _attach(container, terminal)
        return 0
    running = (container.status.get("state") or {}).get("running") or {}
    started = parse_time(running["startedAt"]) if running.get("startedAt") else time.time()
    view = build_view(cluster, container, tty=request.tty, started=started)
    return await run_exec(view, terminal, request.command)


async def _attach(container: ContainerRef, terminal: Terminal) -> None:
    """The main process's output from now on; it never exits on its own."""
    stream = stream_for(container, False)
    async for _, lines in follow_events(stream, stream.count(time.time())):
        await terminal.out("".join(line + "\n" for line in lines))


async def _receive(channels: _Channels, terminal: Terminal) -> None:
    """Client frames until it disconnects: stdin, resize, and the v5 CLOSE of stdin."""
    while True:
        message = await channels.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        decoded = channels.decode(message)
        if decoded is None:
            continue
        channel, payload = decoded
        if channel == _STDIN:
            await terminal.feed(payload)
        elif channel == _RESIZE:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                size = json.loads(payload)
                terminal.resize(int(size["Width"]), int(size["Height"]))
        elif channel == _CLOSE and channels.version >= 5 and payload[:1] == bytes([_STDIN]):
            terminal.close_stdin()
