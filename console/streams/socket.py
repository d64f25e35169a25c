"""What every streaming socket of the console shares: the handshake (accept → person → cluster) and close codes.

The socket is accepted before any refusal so the browser sees our close code and reason. Close codes:
1000 the stream ended, 4400 a bad request or one the API server would not serve, 4401 no session,
4403 the person may not, 4404 not found, 1011 no cluster connection or the connection to it broke.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from console.identity.claims import Identity
from console.identity.runtime import current_person
from console.kube import runtime
from console.kube.access import AccessReviews
from console.kube.api import ActingAs, KubeApi

__all__ = [
    "BAD_REQUEST",
    "ENDED",
    "FORBIDDEN",
    "NOT_FOUND",
    "SERVER_ERROR",
    "SIGNED_OUT",
    "KubeLookup",
    "PersonLookup",
    "Refusal",
    "SocketPeer",
    "close_code_for",
    "close_with",
    "open_as_person",
    "runtime_kube",
]

ENDED = 1000
SERVER_ERROR = 1011
BAD_REQUEST = 4400
SIGNED_OUT = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404

PersonLookup = Callable[[str], Awaitable[tuple[Identity, ActingAs] | None]]
KubeLookup = Callable[[], tuple[KubeApi, AccessReviews]]
# The JSON frame a socket sends before closing, built from the message (each socket has its own shape).
Refusal = Callable[[str], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SocketPeer:
    """Who is on the other end of an accepted socket, and the cluster as them."""

    identity: Identity
    api: KubeApi  # acting as the person
    reviews: AccessReviews  # the process's shared access answers


def runtime_kube() -> tuple[KubeApi, AccessReviews]:
    """The process's cluster connection and access answers (raises `runtime.KubeUnavailable`)."""
    current = runtime.current()
    return current.api, current.reviews


def close_code_for(status: int) -> int:
    """The close code for an API server's refusal: its 403/404 as ours, other 4xx a bad request, else 1011."""
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if 400 <= status < 500 and status != 401:  # 401: the console's own credentials failed, not the request
        return BAD_REQUEST
    return SERVER_ERROR


def _reason(text: str) -> str:
    """A close reason fits in 123 bytes."""
    encoded = text.encode()
    return text if len(encoded) <= 123 else encoded[:120].decode("utf-8", "ignore") + "…"


async def close_with(websocket: WebSocket, code: int, frame: dict[str, Any], reason: str) -> None:
    """Send a last JSON frame, then close with `code` and `reason`; a browser already gone is no error."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_text(json.dumps(frame))
        await websocket.close(code, _reason(reason))


async def open_as_person(
    websocket: WebSocket,
    refusal: Refusal,
    *,
    signed_out: str,
    person: PersonLookup = current_person,
    kube: KubeLookup = runtime_kube,
) -> SocketPeer | None:
    """Accept the socket, find the signed-in person and the cluster; None when the socket was closed instead.

    Closes 4401 with `signed_out` when there is no session, 1011 when the console has no cluster connection.
    """
    await websocket.accept()  # before any refusal, so the browser sees our close code and reason
    found = await person(websocket.headers.get("cookie", ""))
    if found is None:
        await close_with(websocket, SIGNED_OUT, refusal(signed_out), signed_out)
        return None
    identity, acting_as = found
    try:
        console_api, reviews = kube()
    except runtime.KubeUnavailable as error:
        await close_with(websocket, SERVER_ERROR, refusal(str(error)), str(error))
        return None
    return SocketPeer(identity, console_api.as_person(acting_as), reviews)
