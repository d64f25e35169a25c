"""OIDC Back-Channel Logout against the sandbox IdP over real HTTP: two console replicas on uvicorn share one
session store; people sign in through the real code flow (login form); when the IdP ends their session it
POSTs a logout token to /auth/backchannel-logout and the console sessions end on every replica. Forged or
replayed tokens get 400 and end nothing."""

from __future__ import annotations

import contextlib
import queue
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.idp.backchannel import logout_token_claims
from sovereign_sandbox.idp.sessions import UserSession
from sovereign_sandbox.services import redis_server
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from console.identity.oidc import OidcClient, OidcConfig, SessionExpired
from console.identity.routes import SESSION_COOKIE, IdentityRoutes
from console.identity.service import SessionService
from console.identity.sessions import (
    RedisSessionStore,
    Session,
    SessionStore,
    SqliteSessionStore,
    new_session_id,
)

pytestmark = pytest.mark.sandbox

EVENT = "http://schemas.openid.net/event/backchannel-logout"
WAIT_SECONDS = 10


class Observed:
    """Wraps a replica's app and reports each back-channel logout it answered, so tests await that, not a clock."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.answered: queue.Queue[int] = queue.Queue()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/auth/backchannel-logout":
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            self.answered.put(status[0] if status else 500)

    def next_answer(self) -> int:
        return self.answered.get(timeout=WAIT_SECONDS)


@dataclass
class Replica:
    url: str
    service: SessionService
    observed: Observed


@contextlib.contextmanager
def _serve(app: ASGIApp, listener: socket.socket) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start (see its log above)")
        started.wait(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


def _listener() -> tuple[socket.socket, str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


@dataclass
class Console:
    idp: IdentityProvider
    store: SqliteSessionStore
    replicas: list[Replica]

    @property
    def front(self) -> Replica:
        return self.replicas[0]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """The IdP plus two console replicas over one SQLite store; the IdP's back-channel URL is replica 0's."""
    (first, first_url), (second, second_url) = _listener(), _listener()
    with IdentityProvider("127.0.0.1", 0, console_redirect_uris=(f"{first_url}/auth/callback",)) as idp:
        idp.set_backchannel_logout_url(f"{first_url}/auth/backchannel-logout")
        store = SqliteSessionStore(tmp_path / "sessions.db")
        replicas = []
        with contextlib.ExitStack() as stack:
            for listener, url in ((first, first_url), (second, second_url)):
                oidc = OidcClient(
                    OidcConfig(
                        idp.issuer, idp.console_client_id, idp.console_client_secret, f"{first_url}/auth/callback"
                    )
                )
                service = SessionService(store, oidc)
                routes = IdentityRoutes(lambda service=service: service, public_url=first_url, embedded=False)
                app = Starlette(routes=routes.routes, middleware=[Middleware(SessionMiddleware, secret_key="test")])
                observed = Observed(app)
                stack.enter_context(_serve(observed, listener))
                replicas.append(Replica(url, service, observed))
            yield Console(idp, store, replicas)


@dataclass
class Browser:
    """One person's browser after the real code flow: its cookie jar and console session id."""

    http: httpx.Client
    session_id: str


def _sign_in(console: Console, username: str) -> Browser:
    http = httpx.Client(follow_redirects=False, timeout=10)
    to_idp = http.get(f"{console.front.url}/login")
    assert to_idp.status_code in (302, 303, 307), to_idp.text
    page = http.get(to_idp.headers["location"])
    assert page.status_code == 200, page.text
    match = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    assert match, "no login form"
    answer = http.post(
        unescape(match.group(1)),
        data={"username": username, "password": console.idp.passwords[username], "login": "Sign In"},
    )
    assert answer.status_code == 302, answer.text
    callback = http.get(answer.headers["location"])
    assert callback.status_code == 303, callback.text
    session_id = callback.cookies.get(SESSION_COOKIE)
    assert session_id
    return Browser(http, session_id)


def _whoami(replica: Replica, browser: Browser) -> int:
    return httpx.get(f"{replica.url}/api/whoami", cookies={SESSION_COOKIE: browser.session_id}).status_code


def _everywhere(console: Console, browser: Browser) -> set[int]:
    return {_whoami(replica, browser) for replica in console.replicas}


def _admin(console: Console) -> httpx.Client:
    token = httpx.post(
        f"{console.idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        auth=(console.idp.console_client_id, console.idp.console_client_secret),
    ).json()["access_token"]
    return httpx.Client(
        base_url=f"{console.idp.url}/admin/realms/sovereign", headers={"Authorization": f"Bearer {token}"}
    )


async def test_sign_in_records_the_keycloak_session(console: Console):
    browser = _sign_in(console, "sre")
    session = await console.store.get(browser.session_id)
    assert session is not None
    assert session.idp_session_id
    assert session.idp_session_id in console.idp.realm.sessions.sessions
    assert _everywhere(console, browser) == {200}


async def test_an_admin_logout_ends_the_persons_console_sessions_on_every_replica(console: Console):
    laptop, phone, someone_else = _sign_in(console, "sre"), _sign_in(console, "sre"), _sign_in(console, "viewer")
    stale = await console.store.get(laptop.session_id)
    assert stale is not None
    sub = stale.subject

    with _admin(console) as admin:
        assert admin.post(f"/users/{sub}/logout").status_code == 204

    # One logout token per Keycloak session of the person (two browsers: two sessions).
    assert [console.front.observed.next_answer(), console.front.observed.next_answer()] == [200, 200]
    assert _everywhere(console, laptop) == {401}
    assert _everywhere(console, phone) == {401}
    assert _everywhere(console, someone_else) == {200}
    # Nothing brings the session back: the store refuses the write-back, Keycloak refuses the refresh.
    assert await console.store.update(laptop.session_id, stale) is False
    with pytest.raises(SessionExpired):
        await console.front.service.oidc.refresh(stale)
    assert _everywhere(console, laptop) == {401}


async def test_disabling_a_person_ends_their_console_sessions(console: Console):
    developer, someone_else = _sign_in(console, "developer"), _sign_in(console, "viewer")
    stale = await console.store.get(developer.session_id)
    assert stale is not None

    with _admin(console) as admin:
        try:
            assert admin.put(f"/users/{stale.subject}", json={"enabled": False}).status_code == 204
            assert console.front.observed.next_answer() == 200
            assert _everywhere(console, developer) == {401}
            assert await console.store.update(developer.session_id, stale) is False
            with pytest.raises(SessionExpired):
                await console.front.service.oidc.refresh(stale)
            assert _everywhere(console, someone_else) == {200}
        finally:
            admin.put(f"/users/{stale.subject}", json={"enabled": True})


async def test_logging_out_at_the_idp_ends_only_that_browsers_session(console: Console):
    """The logout token names one Keycloak session (`sid`): the same person's other browser stays signed in."""
    laptop, phone = _sign_in(console, "secops"), _sign_in(console, "secops")
    session = await console.store.get(laptop.session_id)
    assert session is not None

    response = httpx.get(
        f"{console.idp.issuer}/protocol/openid-connect/logout", params={"id_token_hint": session.id_token}
    )
    assert response.status_code == 200

    assert console.front.observed.next_answer() == 200
    assert _everywhere(console, laptop) == {401}
    assert _everywhere(console, phone) == {200}


def _keycloak_session(console: Console, browser_session_sid: str) -> UserSession:
    return console.idp.realm.sessions.sessions[browser_session_sid]


def _post(console: Console, token: str) -> httpx.Response:
    response = httpx.post(f"{console.front.url}/auth/backchannel-logout", data={"logout_token": token})
    assert console.front.observed.next_answer() == response.status_code
    return response


@pytest.mark.filterwarnings("ignore:JWS algorithm")
async def test_forged_and_replayed_logout_tokens_are_refused_and_end_nothing(console: Console):
    victim = _sign_in(console, "owner")
    session = await console.store.get(victim.session_id)
    assert session is not None
    idp = console.idp
    keycloak_session = _keycloak_session(console, session.idp_session_id)

    def claims(**changes: Any) -> dict[str, Any]:
        valid = logout_token_claims(idp.issuer, idp.console_client_id, keycloak_session, with_sid=True)
        for key, value in changes.items():
            if value is None:
                valid.pop(key, None)
            else:
                valid[key] = value
        return valid

    intruder = RSAKey.generate_key(2048, private=True)
    forged = {
        "signed by another key, same kid": jwt.encode(idp.keys.header, claims(), intruder),
        "signed by another key, its own kid": jwt.encode(
            {"alg": "RS256", "typ": "JWT", "kid": intruder.thumbprint()}, claims(), intruder
        ),
        "for another client": idp.keys.sign(claims(aud="another-client")),
        "from another issuer": idp.keys.sign(claims(iss="https://evil.example/realms/sovereign")),
        "without the events claim": idp.keys.sign(claims(events=None)),
        "with a wrong event": idp.keys.sign(claims(events={"urn:example:other": {}})),
        "with a nonce": idp.keys.sign(claims(nonce="n-0S6_WzA2Mj")),
        "without sub or sid": idp.keys.sign(claims(sub=None, sid=None)),
        "issued long ago": idp.keys.sign(claims(iat=int(time.time()) - 3600, exp=int(time.time()) + 60)),
        "unsigned": jwt.encode({"alg": "none"}, claims(), None, algorithms=["none"]),
        "not a JWT": "not-a-token",
        "missing": "",
    }
    for what, token in forged.items():
        response = _post(console, token)
        assert response.status_code == 400, what
        assert response.json()["error"] == "invalid_request", what
        assert response.json()["error_description"], what
        assert _everywhere(console, victim) == {200}, what

    # A genuine token works once; the same jti again is refused (by any replica: the cache is the shared store).
    genuine = idp.keys.sign(claims())
    bystander = _sign_in(console, "admin")
    first = _post(console, genuine)
    assert first.status_code == 200
    assert _everywhere(console, victim) == {401}
    replayed = _post(console, genuine)
    assert replayed.status_code == 400
    assert "already used" in replayed.json()["error_description"]
    assert _everywhere(console, bystander) == {200}


async def test_a_token_matching_no_session_is_still_200(console: Console):
    idp = console.idp
    nobody = UserSession(id="no-such-session", user_id="no-such-user", auth_time=0, last_refresh=0, cookie="")
    token = idp.keys.sign(logout_token_claims(idp.issuer, idp.console_client_id, nobody, with_sid=True))
    assert _post(console, token).status_code == 200


def _stored(subject: str, sid: str, **overrides: Any) -> Session:
    values: dict[str, Any] = {
        "access_token": "at",
        "refresh_token": "rt",
        "id_token": "it",
        "access_expires_at": time.time() + 300,
        "refresh_expires_at": time.time() + 1800,
        "claims": {"sub": subject, "sid": "from-the-access-token"},
        "idp_session_id": sid,
    }
    return Session(**(values | overrides))


async def _exercise_store(store: SessionStore) -> None:
    """Sessions go by their Keycloak session id, and only those; a token id is accepted once."""
    laptop, phone, other = new_session_id(), new_session_id(), new_session_id()
    await store.put(laptop, _stored("alice", "kc-1"))
    await store.put(phone, _stored("alice", "kc-2"))
    await store.put(other, _stored("bob", "kc-3"))
    taken = await store.take_for_idp_session("kc-1")
    assert [session.idp_session_id for session in taken] == ["kc-1"]
    assert await store.get(laptop) is None
    assert await store.get(phone) is not None
    assert await store.get(other) is not None
    assert await store.take_for_idp_session("kc-1") == []
    assert await store.take_for_idp_session("") == []
    token_id = new_session_id()
    assert await store.first_use(token_id, time.time() + 60) is True
    assert await store.first_use(token_id, time.time() + 60) is False
    assert await store.first_use(new_session_id(), time.time() + 60) is True


async def test_the_sqlite_store_indexes_sessions_by_keycloak_session(tmp_path: Path):
    await _exercise_store(SqliteSessionStore(tmp_path / "sessions.db"))


async def test_a_sqlite_file_from_before_the_keycloak_session_index_gets_one(tmp_path: Path):
    """Rows written before `idp_sid` existed are indexed by the `sid` of their access token."""
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE sessions (key TEXT PRIMARY KEY, body TEXT NOT NULL, expires REAL NOT NULL,"
            " subject TEXT NOT NULL DEFAULT '')"
        )
        old = _stored("alice", "")
        connection.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)", ("k", old.to_json(), time.time() + 600, old.subject)
        )
    store = SqliteSessionStore(path)
    assert [session.subject for session in await store.take_for_idp_session("from-the-access-token")] == ["alice"]


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A throwaway redis-server on a free port (started and stopped by this fixture only)."""
    with redis_server() as url:
        yield url


async def test_the_redis_store_indexes_sessions_by_keycloak_session(redis_url: str):
    store = RedisSessionStore(redis_url)
    try:
        await _exercise_store(store)
    finally:
        await store.close()
