"""OIDC Back-Channel Logout from the sandbox IdP: when a session ends by logout, a client that registered a
back-channel URL receives a well-formed logout token (checked here as a relying party would), over real HTTP."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from joserfc import jws, jwt
from joserfc.jwk import KeySet
from sovereign_sandbox.idp import IdentityProvider
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

EVENT = "http://schemas.openid.net/event/backchannel-logout"
WAIT_SECONDS = 10


@dataclass
class Received:
    content_type: str
    form: dict[str, str]


class Receiver:
    """A tiny relying party on uvicorn that records each back-channel POST."""

    def __init__(self) -> None:
        self.posts: queue.Queue[Received] = queue.Queue()

        async def logout(request: Request) -> Response:
            form = await request.form()
            self.posts.put(Received(request.headers.get("content-type", ""), {k: str(v) for k, v in form.items()}))
            return Response(status_code=200)

        app = Starlette(routes=[Route("/auth/backchannel-logout", logout, methods=["POST"])])
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/auth/backchannel-logout"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._listener]}, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        started = threading.Event()
        while not self._server.started and self._thread.is_alive():
            started.wait(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def next(self) -> Received:
        """The next POST, waiting for it to arrive (the IdP delivers asynchronously)."""
        return self.posts.get(timeout=WAIT_SECONDS)


@pytest.fixture
def receiver(idp: IdentityProvider) -> Iterator[Receiver]:
    with Receiver() as running:
        idp.set_backchannel_logout_url(running.url)
        try:
            yield running
        finally:
            idp.set_backchannel_logout_url("")


@pytest.fixture
def admin(idp: IdentityProvider, service_token: str) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{idp.url}/admin/realms/sovereign", headers={"Authorization": f"Bearer {service_token}"}
    ) as client:
        yield client


def _verify(idp: IdentityProvider, token: str) -> tuple[dict, dict]:
    """Header and claims of a logout token, its signature checked against the realm's JWKS."""
    keys = KeySet.import_key_set(httpx.get(f"{idp.issuer}/protocol/openid-connect/certs").json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    return dict(decoded.header), dict(decoded.claims)


def _peek(token: str) -> dict:
    """Claims of a token the IdP issued (its signature is not the point here)."""
    return json.loads(jws.extract_compact(token.encode()).payload)


def _assert_logout_token(idp: IdentityProvider, received: Received, *, sub: str, sid: str) -> dict:
    assert received.content_type.startswith("application/x-www-form-urlencoded")
    assert set(received.form) == {"logout_token"}
    header, claims = _verify(idp, received.form["logout_token"])
    assert header["alg"] == "RS256"
    assert header["kid"] == idp.keys.kid
    now = time.time()
    assert claims["iss"] == idp.issuer
    assert claims["aud"] == idp.console_client_id
    assert claims["sub"] == sub
    assert claims["sid"] == sid
    assert claims["events"] == {EVENT: {}}
    assert claims["typ"] == "Logout"
    assert "nonce" not in claims
    assert claims["jti"]
    assert now - 60 <= claims["iat"] <= now + 5
    assert claims["exp"] > now
    return claims


def test_tokens_carry_the_session_id(password_tokens: Callable[[str], dict]):
    tokens = password_tokens("developer")
    sid = tokens["session_state"]
    assert _peek(tokens["id_token"])["sid"] == sid
    assert _peek(tokens["access_token"])["sid"] == sid


def test_admin_logout_sends_a_logout_token(idp, receiver, admin, password_tokens):
    tokens = password_tokens("sre")
    sub, sid = _peek(tokens["access_token"])["sub"], tokens["session_state"]

    assert admin.post(f"/users/{sub}/logout").status_code == 204

    _assert_logout_token(idp, receiver.next(), sub=sub, sid=sid)
    assert receiver.posts.empty()


def test_every_session_of_the_user_gets_its_own_token(idp, receiver, admin, password_tokens):
    first, second = password_tokens("secops"), password_tokens("secops")
    sub = _peek(first["access_token"])["sub"]

    assert admin.post(f"/users/{sub}/logout").status_code == 204

    received = [receiver.next(), receiver.next()]
    by_sid = {_verify(idp, got.form["logout_token"])[1]["sid"]: got for got in received}
    assert set(by_sid) == {first["session_state"], second["session_state"]}
    jtis = {_assert_logout_token(idp, got, sub=sub, sid=sid)["jti"] for sid, got in by_sid.items()}
    assert len(jtis) == 2


def test_logout_at_the_end_session_endpoint_sends_a_logout_token(idp, receiver, password_tokens):
    tokens = password_tokens("viewer")
    response = httpx.get(
        f"{idp.issuer}/protocol/openid-connect/logout",
        params={"id_token_hint": tokens["id_token"]},
    )
    assert response.status_code == 200

    sub = _peek(tokens["id_token"])["sub"]
    _assert_logout_token(idp, receiver.next(), sub=sub, sid=tokens["session_state"])


def test_disabling_and_deleting_users_send_logout_tokens(idp, receiver, admin, password_tokens):
    created = admin.post(
        "/users",
        json={"username": "leaver", "enabled": True, "credentials": [{"type": "password", "value": "pw-leaver-1"}]},
    )
    assert created.status_code == 201
    user_id = created.headers["location"].rsplit("/", 1)[1]

    def sign_in() -> dict:
        response = httpx.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={"grant_type": "password", "username": "leaver", "password": "pw-leaver-1", "scope": "openid"},
            auth=(idp.console_client_id, idp.console_client_secret),
        )
        assert response.status_code == 200, response.text
        return response.json()

    tokens = sign_in()
    assert admin.put(f"/users/{user_id}", json={"enabled": False}).status_code == 204
    _assert_logout_token(idp, receiver.next(), sub=user_id, sid=tokens["session_state"])

    assert admin.put(f"/users/{user_id}", json={"enabled": True}).status_code == 204
    tokens = sign_in()
    assert admin.delete(f"/users/{user_id}").status_code == 204
    _assert_logout_token(idp, receiver.next(), sub=user_id, sid=tokens["session_state"])


def test_the_url_is_set_through_the_client_representation(idp, admin, password_tokens):
    """Keycloak's `backchannel.logout.url` attribute, set with `PUT clients/{id}` by a client manager."""
    console = admin.get("/clients", params={"clientId": idp.console_client_id}).json()[0]
    assert console["attributes"]["backchannel.logout.session.required"] == "true"
    management = admin.get("/clients", params={"clientId": "realm-management"}).json()[0]
    manage_clients = admin.get(f"/clients/{management['id']}/roles/manage-clients").json()
    service_user = admin.get(f"/clients/{console['id']}/service-account-user").json()
    assert admin.put(f"/clients/{console['id']}", json={"attributes": {}}).status_code == 403  # view only, so far
    granted = admin.post(
        f"/users/{service_user['id']}/role-mappings/clients/{management['id']}",
        json=[{"id": manage_clients["id"], "name": "manage-clients"}],
    )
    assert granted.status_code == 204
    manager = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        auth=(idp.console_client_id, idp.console_client_secret),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {manager}"}

    with Receiver() as receiver:
        try:
            answer = admin.put(
                f"/clients/{console['id']}",
                json={"attributes": {"backchannel.logout.url": receiver.url}},
                headers=headers,
            )
            assert answer.status_code == 204
            shown = admin.get(f"/clients/{console['id']}").json()["attributes"]
            assert shown["backchannel.logout.url"] == receiver.url

            tokens = password_tokens("owner")
            sub = _peek(tokens["access_token"])["sub"]
            assert admin.post(f"/users/{sub}/logout").status_code == 204
            _assert_logout_token(idp, receiver.next(), sub=sub, sid=tokens["session_state"])
        finally:
            admin.put(f"/clients/{console['id']}", json={"attributes": {"backchannel.logout.url": ""}}, headers=headers)
            admin.request(
                "DELETE",
                f"/users/{service_user['id']}/role-mappings/clients/{management['id']}",
                json=[{"id": manage_clients["id"], "name": "manage-clients"}],
            )
