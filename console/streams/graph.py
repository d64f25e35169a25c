"""The architecture graph's WebSocket: `/ws/graph`, one person's view of the live topology.

The browser's graph component sends what it wants to see (`{"type": "view", …}`, topology/wire.py) and gets
a snapshot of that view, then deltas as the cluster changes (at most one every `PUSH_INTERVAL_SECONDS`), and
status frames (`loading`, `live`, `reconnecting`). Nodes never pass through Reflex state. A bad view message
is answered with `{"type": "error", "message"}` and changes nothing; the socket stays open.
Close codes (streams/socket.py): 4401 no session, 1011 no cluster connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from console.identity.runtime import current_person
from console.streams.socket import (
    SERVER_ERROR,
    KubeLookup,
    PersonLookup,
    SocketPeer,
    close_with,
    open_as_person,
    runtime_kube,
)
from console.topology import runtime as topology_runtime
from console.topology.model import ViewGraph, ViewOptions
from console.topology.view import shown_by_default
from console.topology.wire import delta_frame, parse_view_message, snapshot_frame

__all__ = ["graph_routes"]

log = logging.getLogger(__name__)

PUSH_INTERVAL_SECONDS = 0.25  # coalesces a burst of cluster events into one delta
RECHECK_SECONDS = 30.0  # without changes, access is asked again this often (a revoked grant hides nodes)
MAX_MESSAGE_BYTES = 64 * 1024
FIRST_LIST_PATIENCE_SECONDS = 8.0  # while the graph's kinds are first listed, the first view waits this long at most

TopologyLookup = Callable[[], topology_runtime.TopologyRuntime]


def graph_routes(
    *,
    person: PersonLookup = current_person,
    kube: KubeLookup = runtime_kube,
    topology: TopologyLookup = topology_runtime.current,
) -> list[WebSocketRoute]:
    """The graph socket route; the lookups default to the process's sessions, cluster and topology."""

    async def endpoint(websocket: WebSocket) -> None:
        await _serve(websocket, person, kube, topology)

    return [WebSocketRoute("/ws/graph", endpoint, name="graph")]


def _refusal(message: str) -> dict[str, Any]:
    return {"type": "status", "state": "error", "message": message}


async def _serve(websocket: WebSocket, person: PersonLookup, kube: KubeLookup, topology: TopologyLookup) -> None:
    peer = await open_as_person(websocket, _refusal, signed_out="Sign in to see the graph.", person=person, kube=kube)
    if peer is None:
        return
    try:
        runtime = topology()
    except topology_runtime.TopologyUnavailable as problem:
        await close_with(websocket, SERVER_ERROR, _refusal(str(problem)), str(problem))
        return
    await _GraphSession(websocket, peer, runtime).run()


class _GraphSession:
    """One socket: the options the browser asked for, the view it last got, and the loop that keeps it fresh."""

    def __init__(self, websocket: WebSocket, peer: SocketPeer, runtime: topology_runtime.TopologyRuntime) -> None:
        self._socket = websocket
        self._peer = peer
        self._runtime = runtime
        self._options: ViewOptions | None = None  # nothing is sent before the first view message
        self._fresh = False  # the options changed: the next push is a snapshot
        self._asked = asyncio.Event()
        self._sent: ViewGraph | None = None
        self._seq = 0
        self._status: tuple[str, str] | None = None

    async def run(self) -> None:
        listener = asyncio.create_task(self._listen())
        pusher = asyncio.create_task(self._push())
        try:
            done, _ = await asyncio.wait([listener, pusher], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                failure = None if task.cancelled() else task.exception()
                if failure is not None and not isinstance(failure, WebSocketDisconnect | RuntimeError):
                    # RuntimeError: Starlette's "send after close" when the browser left mid-frame.
                    log.error("the graph socket failed", exc_info=failure)
        finally:
            for task in (listener, pusher):
                task.cancel()
            await asyncio.gather(listener, pusher, return_exceptions=True)
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await self._socket.close()

    async def _listen(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await self._socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if text is None:
                    await self._send({"type": "error", "message": "messages must be JSON text"})
                    continue
                try:
                    options = self._parse(text)
                except ValueError as error:
                    await self._send({"type": "error", "message": str(error)})
                    continue
                self._options, self._fresh = options, True
                self._asked.set()

    @staticmethod
    def _parse(text: str) -> ViewOptions:
        if len(text.encode()) > MAX_MESSAGE_BYTES:
            raise ValueError(f"a message may hold at most {MAX_MESSAGE_BYTES // 1024} KiB")
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("a message must be a JSON object") from None
        if not isinstance(data, dict) or data.get("type") != "view":
            raise ValueError('a message must be {"type": "view", …}')
        return parse_view_message(data)

    async def _push(self) -> None:
        loop = asyncio.get_running_loop()
        patience = loop.time() + FIRST_LIST_PATIENCE_SECONDS
        seen = -1
        while True:
            await self._wait(seen)
            self._asked.clear()
            await self._send_status()
            if self._options is None:
                continue
            seen = self._runtime.feed.revision
            if self._sent is None and self._draws_unlisted(self._options) and loop.time() < patience:
                # The first graph is laid out once, whole: a part of it now and the rest as deltas would place
                # most nodes by their neighbours instead. Kinds the view hides (Pods by default: the slowest
                # list) are not waited for. The status frames say how far the listing got.
                continue
            started = loop.time()
            await self._send_view(self._options)
            # Coalesce: whatever arrives during the pause goes out as one delta.
            await asyncio.sleep(max(0.0, PUSH_INTERVAL_SECONDS - (loop.time() - started)))

    def _draws_unlisted(self, options: ViewOptions) -> bool:
        """Whether a kind this view draws is still being listed for the first time."""
        listing = self._runtime.feed.listing
        if options.focus:  # a neighbourhood also draws hidden kinds on its paths
            return bool(listing)
        if options.types is not None:
            return bool(listing & options.types)
        return any(shown_by_default(kind_id) for kind_id in listing)

    async def _wait(self, seen: int) -> None:
        """Until the browser asks for something, the graph moves past `seen`, or it is time to re-check access.

        Before the first view message only the browser's asking counts (nothing is drawn yet)."""
        if self._options is None:
            await self._asked.wait()
            return
        if self._asked.is_set() or self._runtime.feed.revision != seen:
            return
        asked = asyncio.create_task(self._asked.wait())
        moved = asyncio.create_task(self._runtime.feed.wait_changed(seen, timeout=RECHECK_SECONDS))
        try:
            await asyncio.wait([asked, moved], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (asked, moved):
                task.cancel()
            await asyncio.gather(asked, moved, return_exceptions=True)

    async def _send_status(self) -> None:
        status = self._runtime.feed.status
        current = (status.state, status.message)
        if current != self._status:
            self._status = current
            await self._send({"type": "status", "state": status.state, "message": status.message})

    async def _send_view(self, options: ViewOptions) -> None:
        fresh = self._fresh
        self._fresh = False
        try:
            view = await self._runtime.view_for(
                self._peer.api, self._peer.reviews, self._peer.identity.kube_user, options
            )
        except ValueError as error:  # an origin that is gone or not theirs, an unknown lens
            if self._runtime.feed.status.state == "loading":
                self._fresh = self._fresh or fresh  # the origin may not be listed yet: ask again as more arrives
                return
            await self._send({"type": "error", "message": str(error)})
            if fresh:
                self._options = None
            return
        self._seq += 1
        if fresh or self._sent is None:
            frame: dict[str, Any] | None = snapshot_frame(view, self._seq)
        else:
            frame = delta_frame(self._sent, view, self._seq)
        self._sent = view
        if frame is not None:
            await self._send(frame)
        else:
            self._seq -= 1

    async def _send(self, frame: dict[str, Any]) -> None:
        await self._socket.send_text(json.dumps(frame, separators=(",", ":")))
