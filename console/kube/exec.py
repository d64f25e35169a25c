"""`pods/exec` over WebSocket as a person: the URL, headers, subprotocol negotiation, framing and exit status.

The console opens its own `websockets` client connection with the connection settings of its `kubernetes.aio`
client (host, CA, client certificate, bearer token) plus the person's authority (impersonation headers, one
`Impersonate-Group` each, or their own bearer token). It offers `v5.channel.k8s.io` then `v4.channel.k8s.io`
(wire notes §1.12): every message is one channel byte and a payload; 0 stdin, 1 stdout, 2 stderr, 3 the final
`Status`, 4 resize (`{"Width","Height"}`), and on v5 255 CLOSE (`[255, channel]`, half-close).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from console.kube.api import KubeApi, KubeApiError

__all__ = [
    "CLOSE",
    "RESIZE",
    "SHELL_PROBE",
    "STATUS",
    "STDERR",
    "STDIN",
    "STDOUT",
    "SUBPROTOCOLS",
    "ExecRequest",
    "ExecSession",
    "ExitStatus",
    "exec_query",
    "frame",
    "open_exec",
    "parse_status",
    "resize_frame",
]

SUBPROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")  # preference order
STDIN, STDOUT, STDERR, STATUS, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
# One exec that picks the shell inside the container: bash where the image has it, sh otherwise.
SHELL_PROBE = ("sh", "-c", "command -v bash >/dev/null && exec bash || exec sh")
PING_INTERVAL_SECONDS = 20  # WebSocket pings to the API server, so idle sessions stay open through proxies
OPEN_TIMEOUT_SECONDS = 30
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExecRequest:
    namespace: str
    pod: str
    container: str = ""  # "" lets the API server pick (only valid for a one-container pod)
    command: tuple[str, ...] = SHELL_PROBE
    tty: bool = True
    stdin: bool = True
    stdout: bool = True
    stderr: bool = True  # ignored by the API server with a tty (stderr merges into stdout)

    @property
    def path(self) -> str:
        return f"/api/v1/namespaces/{quote(self.namespace, safe='')}/pods/{quote(self.pod, safe='')}/exec"

    @property
    def target(self) -> str:
        """How the audit log names it: `pods/<ns>/<pod>` (container alongside in the detail)."""
        return f"pods/{self.namespace}/{self.pod}"


def exec_query(request: ExecRequest) -> list[tuple[str, str]]:
    """The query parameters, `command` repeated per argument."""
    query = [("command", part) for part in request.command]
    if request.container:
        query.append(("container", request.container))
    for name in ("stdin", "stdout", "stderr", "tty"):
        query.append((name, "true" if getattr(request, name) else "false"))
    return query


@dataclass(frozen=True, slots=True)
class ExitStatus:
    """How the process ended: `code` from the channel-3 Status (None when the server gave no exit code)."""

    code: int | None
    message: str = ""


def frame(channel: int, data: bytes) -> bytes:
    """One binary message: the channel byte, then the payload."""
    return bytes([channel]) + data


def resize_frame(cols: int, rows: int) -> bytes:
    return frame(RESIZE, json.dumps({"Width": int(cols), "Height": int(rows)}, separators=(",", ":")).encode())


def parse_status(payload: bytes) -> ExitStatus:
    """The channel-3 message of v4/v5 (a `Status`): Success → 0, NonZeroExitCode → its ExitCode cause.

    Anything else (a plain-text error from an older framing, a Status without an exit code) has code None
    and its text as the message.
    """
    text = payload.decode("utf-8", "replace")
    try:
        status = json.loads(text)
    except ValueError:
        return ExitStatus(None, text.strip())
    if not isinstance(status, dict):
        return ExitStatus(None, text.strip())
    if status.get("status") == "Success":
        return ExitStatus(0, "")
    message = str(status.get("message") or "")
    causes = (status.get("details") or {}).get("causes") or []
    for cause in causes:
        if isinstance(cause, dict) and cause.get("reason") == "ExitCode":
            with contextlib.suppress(TypeError, ValueError):
                return ExitStatus(int(str(cause.get("message"))), message)
    return ExitStatus(None, message or str(status.get("reason") or "the command failed"))


@dataclass
class ExecSession:
    """One open exec stream. Read output with `output()`; `exit` is set once the Status arrived."""

    connection: ClientConnection
    protocol: str
    exit: ExitStatus | None = None
    _closed_stdin: bool = field(default=False, repr=False)

    async def send_stdin(self, data: bytes) -> None:
        if data and not self._closed_stdin:
            await self.connection.send(frame(STDIN, data))

    async def resize(self, cols: int, rows: int) -> None:
        if cols > 0 and rows > 0:
            await self.connection.send(resize_frame(cols, rows))

    async def close_stdin(self) -> None:
        """Half-close stdin (v5 CLOSE); v4 has no way to say so but closing the connection."""
        if not self._closed_stdin and self.protocol.startswith("v5"):
            await self.connection.send(bytes([CLOSE, STDIN]))
        self._closed_stdin = True

    async def output(self) -> AsyncIterator[tuple[int, bytes]]:
        """(channel, bytes) of stdout and stderr until the process ends (the Status) or the connection closes.

        The v5 readiness message (empty, on the lowest writable channel) and CLOSE messages are not handed out.
        """
        try:
            async for message in self.connection:
                data = message.encode() if isinstance(message, str) else message
                if not data:
                    continue
                channel, payload = data[0], data[1:]
                if channel in (STDOUT, STDERR):
                    if payload:
                        yield channel, payload
                elif channel == STATUS:
                    self.exit = parse_status(payload)
                    return
        except ConnectionClosed:
            pass
        if self.exit is None:
            self.exit = ExitStatus(None, "the connection to the API server closed before the process ended")

    async def close(self) -> None:
        await self.connection.close()


def _handshake_error(error: InvalidHandshake) -> KubeApiError:
    if isinstance(error, InvalidStatus):
        response = error.response
        return KubeApiError.from_body(response.status_code, bytes(response.body or b""))
    return KubeApiError(0, "UpgradeFailed", f"the exec stream could not be opened: {error}")


@contextlib.asynccontextmanager
async def open_exec(
    api: KubeApi, request: ExecRequest, *, protocols: Sequence[str] = SUBPROTOCOLS
) -> AsyncIterator[ExecSession]:
    """Open the exec stream as the person `api` acts as.

    Raises:
        KubeApiError: the API server refused (403 forbidden, 404 no such pod, 400 not running / bad container …)
            with its Status message, or could not be reached (status 0).
    """
    url, headers, context = await api.websocket_target(request.path, exec_query(request))
    try:
        connection = await connect(
            url,
            additional_headers=headers,
            subprotocols=list(protocols),  # type: ignore[arg-type]
            ssl=context if url.startswith("wss://") else None,
            ping_interval=PING_INTERVAL_SECONDS,
            ping_timeout=PING_INTERVAL_SECONDS,
            open_timeout=OPEN_TIMEOUT_SECONDS,
            max_size=MAX_MESSAGE_BYTES,
            compression=None,
            user_agent_header=f"sovereign-console websockets/{websockets.__version__}",
        )
    except InvalidHandshake as error:
        raise _handshake_error(error) from error
    except (OSError, TimeoutError) as error:
        raise KubeApiError(0, "ConnectionError", f"cannot reach the API server: {error}") from error
    protocol = connection.subprotocol or ""
    if protocol not in protocols:
        await connection.close()
        raise KubeApiError(0, "UpgradeFailed", f"the API server chose no supported exec protocol ({protocol!r})")
    session = ExecSession(connection, protocol)
    try:
        yield session
    finally:
        with contextlib.suppress(Exception):
            await connection.close()
