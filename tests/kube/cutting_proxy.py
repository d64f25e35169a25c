"""A TCP proxy in front of the sandbox's plain HTTP listener that can cut connections: a dropped log stream."""

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
        self.cuts = 0
        self.port = 0

    async def __aenter__(self) -> CuttingProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        assert self._server is not None
        self._server.close()

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
                response.path = data.split(b" ", 2)[1]
            writer.write(data)
            await writer.drain()

    async def _down(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, response: _Response) -> None:
        while data := await reader.read(65536):
            if response.body < 0:
                response.head += data
                if b"\r\n\r\n" in response.head:
                    response.body = len(response.head) - response.head.index(b"\r\n\r\n") - 4
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


class _Response:
    head = b""
    body = -1  # body bytes passed so far; -1 while the headers are still coming
    path = b""  # of the request this response answers
