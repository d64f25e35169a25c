"""`pods/exec` and `pods/attach` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io` and older framings).

An exec runs the command for real, in a throwaway isolation on this machine (`isolated_process.py`): the
image's shells (bash, or busybox's sh), the pod's hostname, variables and files, a non-root user, no network,
and a private root per container instance. Where the isolation cannot start here (no bubblewrap, user
namespaces refused) the exec is answered with a Failure Status that says so, never with a pretend shell.
`attach` streams the main process's log lines.

Errors found before the upgrade (forbidden, no such pod or container, not running) are answered as a Status
with a non-101 response, which kubectl reports after its SPDY fallback gets the same answer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import Coroutine, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.responses import RequestContext
from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.auth.authorization import Attributes, forbidden_error
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.node.containers import ContainerRef, find_container
from sovereign_sandbox.node.exec_environment import isolation_spec
from sovereign_sandbox.node.isolated_process import IsolatedProcess
from sovereign_sandbox.node.isolation import ExecutableNotFound, IsolationUnavailable
from sovereign_sandbox.node.logs import follow_events, stream_for

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

    async def fail(self, message: str) -> None:
        """The command could not start (the kubelet's answer to a runtime error): a Failure Status."""
        if self.version >= 4:
            body = {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError", "code": 500}
            await self.send(_ERROR, json.dumps(body, separators=(",", ":")).encode())
        else:
            await self.send(_ERROR, message.encode())


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
    try:
        if request.action == "attach":
            status = await _while_connected(channels, _attach(request, channels), None)
        else:
            status = await _exec(cluster, request, channels)
    except IsolationUnavailable as unavailable:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await channels.fail(str(unavailable))
            await channels.websocket.close(1000)
        return
    if status is None:  # the client went away
        return
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await channels.finish(status, request.command)
        await channels.websocket.close(1000)


async def _exec(cluster: Cluster, request: ExecRequest, channels: _Channels) -> int | None:
    """Run the command in its isolation: its exit status, or None when the client left first.

    Raises:
        IsolationUnavailable: the isolation cannot start on this machine.
    """
    root = cluster.container_roots.for_container(request.container)
    spec = isolation_spec(
        cluster, request.container, root, command=request.command, tty=request.tty, stdin=request.stdin
    )
    try:
        async with IsolatedProcess.start(spec) as process:
            return await _while_connected(channels, _forward(request, channels, process), process)
    except ExecutableNotFound as missing:
        # The runtime's refusal, as runc words it; 126 as kubectl reports it through cri-dockerd.
        if request.stderr or request.stdout or request.tty:
            channel = _STDERR if request.stderr else _STDOUT
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await channels.send(channel, (missing.message + ("\r\n" if request.tty else "\n")).encode())
        return missing.exit_code


async def _while_connected(
    channels: _Channels, work: Coroutine[Any, Any, int], process: IsolatedProcess | None
) -> int | None:
    """`work`'s result while the client's frames go to `process`; None (work cancelled) if the client leaves."""
    working = asyncio.create_task(work)
    receiving = asyncio.create_task(_receive(channels, process))
    done, _ = await asyncio.wait({working, receiving}, return_when=asyncio.FIRST_COMPLETED)
    if working not in done:
        working.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await working
        return None
    receiving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await receiving
    try:
        return working.result()
    except (WebSocketDisconnect, RuntimeError, OSError):  # the client went away while output was sent to it
        return None


async def _forward(request: ExecRequest, channels: _Channels, process: IsolatedProcess) -> int:
    """The process's output to the streams the client asked for (a tty has only stdout); its exit status."""
    async for stream, data in process.output():
        if stream == 1 and (request.stdout or request.tty):
            await channels.send(_STDOUT, data)
        elif stream == 2 and request.stderr:
            await channels.send(_STDERR, data)
    return await process.wait()


async def _attach(request: ExecRequest, channels: _Channels) -> int:
    """The main process's output from now on; it never exits on its own."""
    stream = stream_for(request.container, False)
    async for _, lines in follow_events(stream, stream.count(time.time())):
        text = "".join(line + "\n" for line in lines)
        if request.stdout or request.tty:
            await channels.send(_STDOUT, (text.replace("\n", "\r\n") if request.tty else text).encode())
    return 0


async def _receive(channels: _Channels, process: IsolatedProcess | None) -> None:
    """Client frames until it disconnects: stdin, resize, and the v5 CLOSE of stdin (all dropped on attach)."""
    while True:
        message = await channels.websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        decoded = channels.decode(message)
        if decoded is None or process is None:
            continue
        channel, payload = decoded
        if channel == _STDIN:
            await process.write(payload)
        elif channel == _RESIZE:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                size = json.loads(payload)
                process.resize(int(size["Width"]), int(size["Height"]))
        elif channel == _CLOSE and channels.version >= 5 and payload[:1] == bytes([_STDIN]):
            await process.close_stdin()
