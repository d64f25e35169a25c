"""Fixtures: one sandbox IdP per module, and a browser-like sign-in that posts the real login form."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import httpx
import pytest
from idp_flows import CALLBACK, SignIn, auth_params, form_action, pkce_pair, query_of
from sovereign_sandbox.idp import IdentityProvider


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as running:
        yield running


@pytest.fixture
def browser(idp: IdentityProvider) -> Iterator[httpx.Client]:
    """A cookie-keeping client that does not follow redirects, so each hop can be checked."""
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        yield client


@pytest.fixture
def sign_in(idp: IdentityProvider, browser: httpx.Client) -> Callable[..., SignIn]:
    """Run the code + PKCE flow in `browser` by posting the login form; returns the code and what was sent."""

    def run(username: str, password: str | None = None) -> SignIn:
        verifier, challenge = pkce_pair()
        nonce, state = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
        page = browser.get(
            f"{idp.issuer}/protocol/openid-connect/auth",
            params=auth_params(idp, code_challenge=challenge, code_challenge_method="S256", nonce=nonce, state=state),
        )
        assert page.status_code == 200, page.text
        answer = browser.post(
            form_action(page.text),
            data={"username": username, "password": password or idp.passwords[username], "login": "Sign In"},
        )
        assert answer.status_code == 302, answer.text
        callback = query_of(answer.headers["location"])
        return SignIn(callback["code"], verifier, nonce, state, callback)

    return run


@pytest.fixture
def exchange(idp: IdentityProvider) -> Callable[[SignIn], httpx.Response]:
    def run(signed_in: SignIn) -> httpx.Response:
        return httpx.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "authorization_code",
                "code": signed_in.code,
                "redirect_uri": CALLBACK,
                "code_verifier": signed_in.verifier,
            },
            auth=(idp.console_client_id, idp.console_client_secret),
        )

    return run


@pytest.fixture
def password_tokens(idp: IdentityProvider) -> Callable[[str], dict]:
    """Tokens for a seeded person through the password grant (quicker than the browser flow)."""

    def run(username: str) -> dict:
        response = httpx.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "username": username,
                "password": idp.passwords[username],
                "scope": "openid",
            },
            auth=(idp.console_client_id, idp.console_client_secret),
        )
        assert response.status_code == 200, response.text
        return response.json()

    return run


@pytest.fixture
def service_token(idp: IdentityProvider) -> str:
    response = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        auth=(idp.console_client_id, idp.console_client_secret),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]
