"""The console's sockets called directly, as a hand-written client would: logs, shell, graph and Reflex's events.

Each socket serves the person of the session cookie it carries, and no one else: no cookie, a made-up one or
one whose session was signed out gets "sign in" (4401); a person gets only what the API server lets them
(another namespace's logs, a shell: 4403, audited when it is a shell); a page on another site, or a client
that names no Origin, is refused before the handshake completes, with a valid cookie too.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from html import unescape

import httpx
import leak_watch
import pytest
from forged_events import audit_records_about
from sovereign_sandbox.servers import SandboxWorld
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from console.identity.routes import SESSION_COOKIE

NAMESPACE, POD_NAME = "acme-dev-billing", "billing-db-1"  # a running pod of the seeded world
POD = f"{NAMESPACE}/{POD_NAME}"
GRAPH_VIEW = {"type": "view", "lens": "all", "group": "namespace", "expanded": [], "focus": ""}
SOCKETS = {
    "logs": f"/ws/logs/{POD}?tail=5",
    "shell": f"/ws/exec/{POD}",
    "graph": "/ws/graph",
}
SIGN_IN_TO = {
    "logs": "Sign in to read logs.",
    "shell": "Sign in to open a shell.",
    "graph": "Sign in to see the graph.",
}
# Reflex's own event socket (socket.io over a WebSocket), guarded like ours.
EVENT_SOCKET = "/_event/?EIO=4&transport=websocket"


def sign_in_over_http(console_url: str, world: SandboxWorld, username: str) -> str:
    """The session id a browser would get: /login → the IdP's form → /auth/callback, without a browser."""
    with httpx.Client(timeout=30) as http:
        to_idp = http.get(f"{console_url}/login")
        form = http.get(to_idp.headers["location"])
        action = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', form.text)
        assert action, "the IdP showed no login form"
        answer = http.post(
            unescape(action.group(1)), data={"username": username, "password": world.idp.passwords[username]}
        )
        http.get(answer.headers["location"])
        session_id = http.cookies.get(SESSION_COOKIE)
    assert session_id, f"{username} got no session"
    return session_id


@pytest.fixture(scope="module")
def cookies(console_url: str, world: SandboxWorld) -> dict[str, str]:
    """A Cookie header per person, signed in once for the module."""
    people = ("owner", "viewer", "newcomer")
    ids = {username: sign_in_over_http(console_url, world, username) for username in people}
    leak_watch.SESSION_IDS.update(ids.values())
    return {username: f"{SESSION_COOKIE}={session_id}" for username, session_id in ids.items()}


def _ws(console_url: str) -> str:
    return console_url.replace("http", "ws", 1)


def _open(console_url: str, path: str, cookie: str | None, origin: str | None = "console") -> ClientConnection:
    headers = {"Cookie": cookie} if cookie else {}
    origin_header = console_url if origin == "console" else origin
    return connect(
        f"{_ws(console_url)}{path}", additional_headers=headers, origin=origin_header, open_timeout=15, max_size=None
    )


def _until_closed(socket: ClientConnection) -> Iterator[dict | bytes]:
    try:
        while True:
            message = socket.recv(timeout=15)
            yield json.loads(message) if isinstance(message, str) else message
    except ConnectionClosed:
        return


def _refusal(console_url: str, path: str, cookie: str | None) -> tuple[int | None, str, list]:
    with _open(console_url, path, cookie) as socket:
        frames = list(_until_closed(socket))
        return socket.close_code, socket.close_reason or "", frames


@pytest.mark.parametrize("socket", sorted(SOCKETS))
def test_without_a_live_session_every_socket_says_sign_in(
    console_url: str, world: SandboxWorld, cookies: dict[str, str], socket: str
):
    signed_out = sign_in_over_http(console_url, world, "viewer")
    with httpx.Client() as http:
        http.post(f"{console_url}/auth/logout", headers={"Cookie": f"{SESSION_COOKIE}={signed_out}"})
    for cookie in (None, f"{SESSION_COOKIE}={secrets.token_urlsafe(32)}", f"{SESSION_COOKIE}={signed_out}"):
        code, reason, frames = _refusal(console_url, SOCKETS[socket], cookie)
        assert (code, reason) == (4401, SIGN_IN_TO[socket]), (cookie, frames)
        assert all(isinstance(frame, dict) for frame in frames)  # a refusal sends no data, only its message


def test_a_person_gets_only_what_the_api_server_allows_them(
    console_url: str, cookies: dict[str, str], tmp_path_factory: pytest.TempPathFactory
):
    code, reason, _ = _refusal(console_url, SOCKETS["logs"], cookies["newcomer"])
    assert code == 4403 and reason.startswith(f"You may not read logs of pod {POD_NAME}")

    code, reason, _ = _refusal(console_url, SOCKETS["shell"], cookies["viewer"])
    assert code == 4403 and reason.startswith(f"You may not open a shell in pod {POD}")
    records = [(r.action, r.result) for r in audit_records_about(tmp_path_factory, POD_NAME)]
    assert ("exec-start", "denied") in records

    with _open(console_url, SOCKETS["graph"], cookies["newcomer"]) as graph:  # no tier: no object at all
        graph.send(json.dumps(GRAPH_VIEW))
        frame: dict = {}
        while frame.get("type") not in ("snapshot", "error"):
            frame = json.loads(graph.recv(timeout=30))
    assert frame["type"] == "snapshot", frame
    assert [(node["type"], node["namespace"]) for node in frame["nodes"]] == [("cluster", "")]  # the root alone


@pytest.mark.parametrize("path", [*SOCKETS.values(), EVENT_SOCKET], ids=[*SOCKETS, "events"])
@pytest.mark.parametrize("origin", ["https://evil.example", None], ids=["foreign origin", "no origin"])
def test_a_socket_opened_from_another_site_is_refused_before_the_handshake(
    console_url: str, cookies: dict[str, str], path: str, origin: str | None
):
    with pytest.raises(InvalidStatus) as refused:
        with _open(console_url, path, cookies["owner"], origin=origin):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("path", [*SOCKETS.values(), EVENT_SOCKET], ids=[*SOCKETS, "events"])
def test_the_same_socket_from_the_console_itself_opens(console_url: str, cookies: dict[str, str], path: str):
    """The refusals above are the origin's doing: from the console's own origin, the owner's socket opens."""
    with _open(console_url, path, cookies["owner"]) as socket:
        if path == SOCKETS["graph"]:  # the graph answers a view
            socket.send(json.dumps(GRAPH_VIEW))
        first = socket.recv(timeout=30)
    assert first
