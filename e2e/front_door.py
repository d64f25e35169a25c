"""One address in front of several console replicas, as a Kubernetes Service or load balancer is.

A plain TCP forwarder (HTTP and WebSocket alike): each new connection goes to the replica the test routes
to, or to the next one that accepts when that one is down (a killed pod). `drain` closes every open
connection, as a rolling restart does, so the browser's next request and its reconnecting event socket
land where the test routed them. It counts connections per replica, so a test can tell who served.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Sequence


class FrontDoor:
    def __init__(self, replica_ports: Sequence[int]) -> None:
        self._replicas = list(replica_ports)
        self._preferred = self._replicas[0]
        self.connections: collections.Counter[int] = collections.Counter()  # accepted, per replica port
        self._open: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="front-door", daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    def __enter__(self) -> FrontDoor:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *_: object) -> None:
        self.drain()
        if self._server is not None:
            self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route_to(self, replica_port: int) -> None:
        """New connections go to this replica first (the others only when it refuses)."""
        self._preferred = replica_port

    def drain(self) -> None:
        """Close every open connection (both sides); browsers reconnect through the door."""
        self._call(self._close_all())

    def _call(self, coroutine):  # noqa: ANN001, ANN202 - a thin bridge into the door's loop
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _close_all(self) -> None:
        for writer in list(self._open):
            writer.close()
        self._open.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        order = [self._preferred, *(port for port in self._replicas if port != self._preferred)]
        for port in order:
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue  # that replica is down: the next one
            self.connections[port] += 1
            self._open.update((client_writer, upstream_writer))
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
            for writer in (client_writer, upstream_writer):
                self._open.discard(writer)
                writer.close()
            return
        client_writer.close()  # nobody answers: the browser sees a refused connection

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(OSError):
            writer.close()
