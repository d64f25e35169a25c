"""The OAuth core is authlib's server: its grants answer, and its errors come out in Keycloak's words."""

from __future__ import annotations

import httpx
import pytest
from authlib.oauth2.rfc6749 import AuthorizationServer
from idp_flows import CALLBACK, auth_params, query_of
from joserfc import jwt
from joserfc.jwk import KeySet
from sovereign_sandbox.idp import IdentityProvider, build_realm, create_idp_app
from sovereign_sandbox.idp.authorization_server import HttpRequest, SandboxAuthorizationServer
from sovereign_sandbox.idp.provider import Provider


def _token_request(grant_type: str, **form: str) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url="http://127.0.0.1/realms/sovereign/protocol/openid-connect/token",
        headers={},
        query={},
        form={"grant_type": grant_type, "client_id": "sovereign-console", "client_secret": "s3cret"} | form,
        peer="127.0.0.1",
    )


def test_authlib_authorization_server_serves_the_four_grants() -> None:
    realm = build_realm(console_secret="s3cret")
    server = SandboxAuthorizationServer(Provider(realm, "http://127.0.0.1/realms/sovereign"))
    assert isinstance(server, AuthorizationServer)
    for grant_type in ("authorization_code", "refresh_token", "password", "client_credentials"):
        error = server.create_token_response(_token_request(grant_type)).body
        assert b"unsupported_grant_type" not in error, grant_type
    issued = server.create_token_response(_token_request("client_credentials"))
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"


def test_token_endpoint_errors_use_keycloak_wording(idp: IdentityProvider) -> None:
    token_url = f"{idp.issuer}/protocol/openid-connect/token"
    secret = (idp.console_client_id, idp.console_client_secret)
    assert httpx.post(token_url, data={}, auth=secret).json() == {
        "error": "invalid_request",
        "error_description": "Missing form parameter: grant_type",
    }
    assert httpx.post(token_url, data={"grant_type": "refresh_token"}, auth=secret).json() == {
        "error": "invalid_request",
        "error_description": "Missing parameter: refresh_token",
    }
    public = httpx.post(token_url, data={"grant_type": "client_credentials", "client_id": "admin-cli"})
    assert public.status_code == 400
    assert public.json()["error_description"] == "Public client not allowed to retrieve service account"


def test_pkce_verifier_is_required_once_a_challenge_was_sent(idp, sign_in) -> None:
    signed_in = sign_in("viewer")
    response = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "authorization_code", "code": signed_in.code, "redirect_uri": CALLBACK},
        auth=(idp.console_client_id, idp.console_client_secret),
    )
    assert response.json() == {"error": "invalid_grant", "error_description": "PKCE code verifier not specified"}


def test_authorization_errors_go_back_to_the_client(idp: IdentityProvider, browser: httpx.Client) -> None:
    auth_url = f"{idp.issuer}/protocol/openid-connect/auth"
    missing = browser.get(auth_url, params=auth_params(idp, response_type="", state="m"))
    assert query_of(missing.headers["location"]) == {
        "state": "m",
        "error": "invalid_request",
        "error_description": "Missing parameter: response_type",
        "iss": idp.issuer,
    }
    silent = browser.get(auth_url, params=auth_params(idp, prompt="none", response_mode="fragment", state="f"))
    assert silent.headers["location"].startswith(f"{CALLBACK}#state=f&error=login_required&iss=")


def test_refreshed_id_token_keeps_nonce_and_header(idp, sign_in, exchange) -> None:
    signed_in = sign_in("developer")
    first = exchange(signed_in).json()
    refreshed = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        auth=(idp.console_client_id, idp.console_client_secret),
    ).json()
    keys = KeySet.import_key_set(httpx.get(f"{idp.issuer}/protocol/openid-connect/certs").json())
    identity = jwt.decode(refreshed["id_token"], keys)
    assert identity.header == {"typ": "JWT", "alg": "RS256", "kid": keys.keys[0].kid}
    assert identity.claims["nonce"] == signed_in.nonce and identity.claims["acr"] == "0"
    assert identity.claims["sid"] == first["session_state"] == refreshed["session_state"]


@pytest.mark.parametrize("path", ["protocol/openid-connect/token", "protocol/openid-connect/token/introspect"])
async def test_plain_http_off_loopback_needs_https(path: str) -> None:
    issuer = "http://idp.example:8180/realms/sovereign"
    app = create_idp_app(build_realm(console_secret="s3cret"), issuer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        response = await client.post(f"{issuer}/{path}", data={"grant_type": "client_credentials"})
    assert response.status_code == 403
    assert response.json() == {"error": "invalid_request", "error_description": "HTTPS required"}
