"""Discovery, the login form, authorization code + PKCE, prompt handling and redirect URI checks."""

from __future__ import annotations

import httpx
from idp_flows import CALLBACK, auth_params, form_action, pkce_pair, query_of
from joserfc import jwt
from joserfc.jwk import KeySet
from sovereign_sandbox.idp import IdentityProvider


def test_discovery_document_has_keycloak_paths(idp: IdentityProvider) -> None:
    document = httpx.get(idp.discovery_url).json()
    endpoint = f"{idp.issuer}/protocol/openid-connect"
    assert document["issuer"] == idp.issuer
    assert document["authorization_endpoint"] == f"{endpoint}/auth"
    assert document["token_endpoint"] == f"{endpoint}/token"
    assert document["userinfo_endpoint"] == f"{endpoint}/userinfo"
    assert document["end_session_endpoint"] == f"{endpoint}/logout"
    assert document["jwks_uri"] == f"{endpoint}/certs"
    assert document["introspection_endpoint"] == f"{endpoint}/token/introspect"
    assert document["code_challenge_methods_supported"] == ["plain", "S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"authorization_code", "refresh_token", "client_credentials"} <= set(document["grant_types_supported"])
    realm = httpx.get(idp.issuer).json()
    assert realm["realm"] == "sovereign" and realm["public_key"].startswith("MII")
    keys = httpx.get(document["jwks_uri"]).json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]
    assert keys[0]["kid"] and keys[0]["e"] == "AQAB"


def test_code_flow_with_pkce_issues_verifiable_tokens(idp, sign_in, exchange) -> None:
    signed_in = sign_in("sre")
    assert signed_in.callback["state"] == signed_in.state
    assert signed_in.callback["iss"] == idp.issuer and signed_in.callback["session_state"]
    response = exchange(signed_in)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["not-before-policy"] == 0
    assert body["expires_in"] == 300 and body["refresh_expires_in"] == 1800
    assert body["scope"] == "openid profile email"
    keys = KeySet.import_key_set(httpx.get(f"{idp.issuer}/protocol/openid-connect/certs").json())
    access = jwt.decode(body["access_token"], keys)
    assert access.header["typ"] == "JWT" and access.header["kid"] == keys.keys[0].kid
    identity = jwt.decode(body["id_token"], keys).claims
    assert identity["typ"] == "ID" and identity["aud"] == "sovereign-console"
    assert identity["nonce"] == signed_in.nonce and identity["sid"] == access.claims["sid"] == body["session_state"]
    assert identity["at_hash"] and identity["auth_time"] == access.claims["auth_time"]


def test_code_is_single_use_and_pkce_is_checked(idp, sign_in, exchange) -> None:
    signed_in = sign_in("viewer")
    signed_in.verifier = "x" * 50
    wrong = exchange(signed_in)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    again = exchange(signed_in)
    assert again.json() == {"error": "invalid_grant", "error_description": "Code not valid"}


def test_wrong_password_shows_the_form_again(idp: IdentityProvider, browser: httpx.Client) -> None:
    page = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp))
    for marker in (
        'id="kc-form-login"',
        'id="username" name="username"',
        'id="password" name="password" type="password"',
    ):
        assert marker in page.text
    assert 'name="login" id="kc-login"' in page.text
    answer = browser.post(form_action(page.text), data={"username": "sre", "password": "nope"})
    assert answer.status_code == 200
    assert "Invalid username or password." in answer.text and 'value="sre"' in answer.text
    retry = browser.post(form_action(answer.text), data={"username": "sre", "password": idp.passwords["sre"]})
    assert retry.status_code == 302 and "code" in query_of(retry.headers["location"])


def test_prompt_none_needs_a_session_and_sso_skips_the_form(idp, browser, sign_in) -> None:
    silent = browser.get(
        f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, prompt="none", state="s1")
    )
    assert silent.status_code == 302
    assert query_of(silent.headers["location"]) | {"iss": ""} == {"error": "login_required", "state": "s1", "iss": ""}
    sign_in("developer")
    assert {cookie.name for cookie in browser.cookies.jar} >= {"KEYCLOAK_IDENTITY", "KEYCLOAK_SESSION"}
    for prompt in ("none", None):
        params = auth_params(idp, state="s2") | ({"prompt": prompt} if prompt else {})
        again = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=params)
        assert again.status_code == 302 and "code" in query_of(again.headers["location"])
    forced = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, prompt="login"))
    assert forced.status_code == 200 and 'id="kc-form-login"' in forced.text


def test_redirect_uri_must_be_registered(idp: IdentityProvider, browser: httpx.Client) -> None:
    for uri in ("http://evil.example/auth/callback", CALLBACK + "/extra", ""):
        page = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, redirect_uri=uri))
        assert page.status_code == 400 and "Invalid parameter: redirect_uri" in page.text
        assert "location" not in page.headers
    unknown = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, client_id="nobody"))
    assert unknown.status_code == 400 and "Client not found." in unknown.text
    idp.add_redirect_uri("http://console.test:8000/auth/callback")
    allowed = browser.get(
        f"{idp.issuer}/protocol/openid-connect/auth",
        params=auth_params(idp, redirect_uri="http://console.test:8000/auth/callback"),
    )
    assert allowed.status_code == 200


def test_console_client_requires_s256(idp: IdentityProvider, browser: httpx.Client) -> None:
    _, challenge = pkce_pair()
    plain = browser.get(
        f"{idp.issuer}/protocol/openid-connect/auth",
        params=auth_params(idp, code_challenge=challenge, code_challenge_method="plain", state="p"),
    )
    callback = query_of(plain.headers["location"])
    assert callback["error"] == "invalid_request" and callback["state"] == "p"
    assert "code challenge method is not matching" in callback["error_description"]


def test_redirect_uri_must_match_at_the_token_endpoint(idp, sign_in) -> None:
    signed_in = sign_in("viewer")
    response = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "code": signed_in.code,
            "code_verifier": signed_in.verifier,
            "client_id": idp.console_client_id,
            "client_secret": idp.console_client_secret,
            "redirect_uri": "http://127.0.0.1:3000/auth/callback",
        },
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_authlib_client_runs_the_flow(idp: IdentityProvider, browser: httpx.Client) -> None:
    """authlib's own OAuth2 client (as the console backend uses it) against the sandbox, PKCE and all."""
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session

    session = OAuth2Session(
        idp.console_client_id,
        idp.console_client_secret,
        scope="openid profile email",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    verifier = generate_token(48)
    url, state = session.create_authorization_url(
        f"{idp.issuer}/protocol/openid-connect/auth", code_verifier=verifier, nonce="n-1"
    )
    page = browser.get(url)
    answer = browser.post(form_action(page.text), data={"username": "owner", "password": idp.passwords["owner"]})
    token = session.fetch_token(
        f"{idp.issuer}/protocol/openid-connect/token",
        authorization_response=answer.headers["location"],
        code_verifier=verifier,
        state=state,
    )
    assert token["token_type"] == "Bearer" and "id_token" in token
    userinfo = session.get(f"{idp.issuer}/protocol/openid-connect/userinfo").json()
    assert userinfo["preferred_username"] == "owner" and "/sovereign-admins" in userinfo["groups"]
