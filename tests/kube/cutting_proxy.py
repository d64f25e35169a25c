"""A TCP proxy in front of the sandbox's plain HTTP listener: the network between the console and its cluster.

It can cut connections (a dropped log stream), stop listening (the API server went away), hold requests
until the test releases them (a slow answer, deterministically), slip one line into the next watch stream
(a malformed answer), and it records every request line it forwarded (counting calls at the wire).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import yaml


class CuttingProxy:
    """Forwards bytes both ways; `cut_body_after(n)` drops the next response after n body bytes, `cut()` drops all."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._budget: int | None = None
        self._path_part = b""
        self._holds: list[Hold] = []
        self._injection: tuple[bytes, bytes] | None = None  # (path part, line)
        self.requests: list[tuple[str, str]] = []  # (method, path with query) of every request forwarded
        self.cuts = 0
        self.port = 0

    async def __aenter__(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening and drop every connection: from now on, connecting is refused."""
        self.cut()
        assert self._server is not None
        self._server.close()

    def hold(self, path_part: str) -> Hold:
        """Hold every request whose path contains `path_part` until `release()`; `reached` is set when one waits."""
        hold = Hold(path_part.encode())
        self._holds.append(hold)
        return hold

    def inject_line(self, line: bytes, path_part: str = "watch=true") -> None:
        """The next response to a path containing `path_part` starts with `line` (a watch event of our making)."""
        self._injection = (path_part.encode(), line)

    def count(self, method: str, path_part: str) -> int:
        """How many `method` requests to a path containing `path_part` went through."""
        return sum(1 for seen, path in self.requests if seen == method and path_part in path)

    def write_kubeconfig(self, path: Path, token: str) -> Path:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "proxy", "cluster": {"server": f"http://127.0.0.1:{self.port}"}}],
            "users": [{"name": "console", "user": {"token": token}}],
            "contexts": [{"name": "proxy", "context": {"cluster": "proxy", "user": "console"}}],
            "current-context": "proxy",
        }
        path.write_text(yaml.safe_dump(config))
        return path

    def cut_body_after(self, body_bytes: int, path_part: str = "") -> None:
        """The next response (to a path containing `path_part`) is cut after `body_bytes` bytes of its body."""
        self._budget, self._path_part = body_bytes, path_part.encode()

    def cut(self) -> None:
        """Drop every open connection, as a network failure would."""
        for writer in list(self._writers):
            writer.transport.abort()
        self.cuts += 1

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self._target)
        self._writers |= {client_writer, server_writer}
        response = _Response()
        try:
            await asyncio.gather(
                self._up(client_reader, server_writer, response), self._down(server_reader, client_writer, response)
            )
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_writer, server_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _up(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: _Response) -> None:
        while data := await reader.read(65536):
            if data[:1].isalpha():  # a new request: its response starts afresh
                response.head, response.body = b"", -1
                method, response.path = data.split(b" ", 2)[:2]
                self.requests.append((method.decode(), response.path.decode()))
                for hold in self._holds:
                    if hold.path_part in response.path and not hold.released.is_set():
                        hold.reached.set()
                        await hold.released.wait()
                if self._injection is not None and self._injection[0] in response.path:
                    response.inject, self._injection = self._injection[1], None
            writer.write(data)
            await writer.drain()

    async def _down(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: _Response) -> None:
        while data := await reader.read(65536):
            if response.body < 0:
                response.head += data
                if b"\r\n\r\n" in response.head:
                    response.body = len(response.head) - response.head.index(b"\r\n\r\n") - 4
                    if response.inject:
                        data = _with_injected(response, data)
            else:
                response.body += len(data)
            budget = self._budget if self._path_part in response.path else None
            if budget is not None and response.body >= budget:
                writer.write(data[: len(data) - (response.body - budget)])
                with contextlib.suppress(OSError):
                    await writer.drain()
                    writer.close()  # flush what was let through, then end mid-body
                    await writer.wait_closed()
                self._budget = None
                self.cuts += 1
                raise OSError("cut")
            writer.write(data)
            await writer.drain()


class Hold:
    """Requests to paths containing `path_part` wait at the proxy until `release()`."""

    def __init__(self, path_part: bytes) -> None:
        self.path_part = path_part
        self.reached = asyncio.Event()  # a request is waiting
        self.released = asyncio.Event()

    def release(self) -> None:
        self.released.set()


class _Response:
    head = b""
    body = -1  # body bytes passed so far; -1 while the headers are still coming
    path = b""  # of the request this response answers
    inject = b""  # a line to put before the body's first byte


def _with_injected(response: _Response, data: bytes) -> bytes:
    """`data` (which ends the response's headers) with the pending line first in the body, framed as the body is."""
    line, response.inject = response.inject.rstrip(b"\n") + b"\n", b""
    split = len(data) - response.body  # where the body starts within this read
    headers = response.head[: response.head.index(b"\r\n\r\n")].lower()
    framed = f"{len(line):x}\r\n".encode() + line + b"\r\n" if b"transfer-encoding: chunked" in headers else line
    return data[:split] + framed + data[split:]
