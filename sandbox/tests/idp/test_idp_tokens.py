"""Claims per persona, refresh rotation, logout, expiry, client credentials, userinfo and introspection."""

from __future__ import annotations

import time

import httpx
import pytest
from idp_flows import CALLBACK, auth_params, query_of
from joserfc import jwt
from joserfc.jwk import KeySet
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.world.people import subject_of


def claims_of(idp: IdentityProvider, token: str) -> dict:
    keys = KeySet.import_key_set(httpx.get(f"{idp.issuer}/protocol/openid-connect/certs").json())
    return dict(jwt.decode(token, keys).claims)


def refresh(idp: IdentityProvider, token: str) -> httpx.Response:
    return httpx.post(
        f"{idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=(idp.console_client_id, idp.console_client_secret),
    )


def test_operator_claims(idp, password_tokens) -> None:
    claims = claims_of(idp, password_tokens("sre")["access_token"])
    assert claims["sub"] == subject_of("sre") and claims["iss"] == idp.issuer
    assert claims["typ"] == "Bearer" and claims["azp"] == "sovereign-console"
    assert claims["aud"] == ["sovereign-console", "account"]
    assert claims["tier"] == "operator" and claims["groups"] == ["/tiers/operator"]
    assert set(claims["realm_access"]["roles"]) == {
        "default-roles-sovereign",
        "offline_access",
        "uma_authorization",
        "catalyst-operator",
        "catalyst-developer",
        "catalyst-viewer",
    }
    assert claims["resource_access"]["account"]["roles"] == ["manage-account", "manage-account-links", "view-profile"]
    assert claims["preferred_username"] == "sre" and claims["email"] == "sre@omantel.openova.cloud"
    assert {"exp", "iat", "auth_time", "jti", "sid", "acr", "name", "given_name", "family_name"} <= set(claims)


@pytest.mark.parametrize(
    ("username", "tier", "groups", "scopes", "org"),
    [
        ("developer", "developer", ["/tiers/developer"], ["openova.io/env-type=dev"], "openova"),
        ("acme-admin", "admin", ["/acme/admins", "/tiers/admin"], ["openova.io/organization=acme"], "acme"),
        ("owner", "owner", ["/sovereign-admins", "/tiers/owner"], None, "openova"),
        ("newcomer", None, [], None, "openova"),
    ],
)
def test_persona_claims(idp, password_tokens, username, tier, groups, scopes, org) -> None:
    claims = claims_of(idp, password_tokens(username)["access_token"])
    assert claims.get("tier") == tier and claims["groups"] == groups
    assert claims.get("openova_scopes") == scopes and claims["org"] == org
    catalyst = {role for role in claims["realm_access"]["roles"] if role.startswith("catalyst-")}
    assert len(catalyst) == {None: 0, "developer": 2, "admin": 4, "owner": 5}[tier]


def test_refresh_rotates_and_refuses_reuse(idp, password_tokens) -> None:
    first = password_tokens("viewer")
    second = refresh(idp, first["refresh_token"])
    assert second.status_code == 200 and second.json()["refresh_token"] != first["refresh_token"]
    assert claims_of(idp, second.json()["access_token"])["sid"] == first["session_state"]
    reused = refresh(idp, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "Token is not active"}
    assert refresh(idp, second.json()["refresh_token"]).status_code == 200


def test_logout_ends_the_session(idp, browser, sign_in, exchange) -> None:
    tokens = exchange(sign_in("secops")).json()
    response = browser.get(
        f"{idp.issuer}/protocol/openid-connect/logout",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://localhost:3000/",
            "state": "bye",
        },
    )
    assert response.status_code == 302 and response.headers["location"] == "http://localhost:3000/?state=bye"
    assert refresh(idp, tokens["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Session not active",
    }
    silent = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, prompt="none"))
    assert query_of(silent.headers["location"])["error"] == "login_required"
    userinfo = httpx.get(
        f"{idp.issuer}/protocol/openid-connect/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status_code == 401


def test_logout_checks_redirect_and_confirms_without_hint(idp, browser, sign_in) -> None:
    sign_in("viewer")
    bad = browser.get(
        f"{idp.issuer}/protocol/openid-connect/logout",
        params={"client_id": idp.console_client_id, "post_logout_redirect_uri": "http://evil.example/"},
    )
    assert bad.status_code == 400 and "location" not in bad.headers
    page = browser.get(f"{idp.issuer}/protocol/openid-connect/logout")
    assert page.status_code == 200 and "Do you want to log out?" in page.text
    code = page.text.split('name="session_code" value="')[1].split('"')[0]
    done = browser.post(
        f"{idp.issuer}/protocol/openid-connect/logout/logout-confirm",
        data={"session_code": code, "confirmLogout": "Logout"},
    )
    assert done.status_code == 200 and "You are logged out" in done.text
    silent = browser.get(f"{idp.issuer}/protocol/openid-connect/auth", params=auth_params(idp, prompt="none"))
    assert query_of(silent.headers["location"])["error"] == "login_required"


def test_backchannel_logout(idp, password_tokens) -> None:
    tokens = password_tokens("admin")
    response = httpx.post(
        f"{idp.issuer}/protocol/openid-connect/logout",
        data={
            "client_id": idp.console_client_id,
            "client_secret": idp.console_client_secret,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert response.status_code == 204
    assert refresh(idp, tokens["refresh_token"]).json()["error_description"] == "Session not active"


def test_client_credentials_and_client_errors(idp, service_token) -> None:
    claims = claims_of(idp, service_token)
    assert (
        claims["preferred_username"] == "service-account-sovereign-console"
        and claims["client_id"] == "sovereign-console"
    )
    assert {"view-users", "query-users", "manage-users", "query-groups", "view-clients", "view-realm"} <= set(
        claims["resource_access"]["realm-management"]["roles"]
    )
    assert "sid" not in claims
    token_url = f"{idp.issuer}/protocol/openid-connect/token"
    wrong = httpx.post(token_url, data={"grant_type": "client_credentials"}, auth=(idp.console_client_id, "wrong"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized_client"
    unknown = httpx.post(token_url, data={"grant_type": "client_credentials", "client_id": "nobody"})
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    grant = httpx.post(token_url, data={"grant_type": "magic"}, auth=(idp.console_client_id, idp.console_client_secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    password = httpx.post(
        token_url,
        data={"grant_type": "password", "username": "sre", "password": "nope"},
        auth=(idp.console_client_id, idp.console_client_secret),
    )
    assert password.status_code == 401 and password.json()["error_description"] == "Invalid user credentials"


def test_userinfo_and_introspection(idp, password_tokens) -> None:
    tokens = password_tokens("developer")
    userinfo = httpx.get(
        f"{idp.issuer}/protocol/openid-connect/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status_code == 200
    body = userinfo.json()
    assert body["sub"] == subject_of("developer") and body["groups"] == ["/tiers/developer"]
    assert {"email_verified", "name", "preferred_username", "given_name", "family_name", "email"} <= set(body)
    anonymous = httpx.get(f"{idp.issuer}/protocol/openid-connect/userinfo")
    assert anonymous.status_code == 401 and "invalid_token" in anonymous.headers["www-authenticate"]
    introspect = f"{idp.issuer}/protocol/openid-connect/token/introspect"
    secret = (idp.console_client_id, idp.console_client_secret)
    active = httpx.post(introspect, data={"token": tokens["access_token"]}, auth=secret).json()
    assert active["active"] is True and active["username"] == "developer"
    assert httpx.post(introspect, data={"token": tokens["refresh_token"]}, auth=secret).json()["active"] is True
    assert httpx.post(introspect, data={"token": "garbage"}, auth=secret).json() == {"active": False}


def test_tokens_expire() -> None:
    with IdentityProvider(access_token_seconds=1, refresh_token_seconds=2) as idp:
        response = httpx.post(
            f"{idp.issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "username": "viewer",
                "password": idp.passwords["viewer"],
                "redirect_uri": CALLBACK,
            },
            auth=(idp.console_client_id, idp.console_client_secret),
        )
        tokens = response.json()
        assert tokens["expires_in"] == 1 and tokens["refresh_expires_in"] == 2
        time.sleep(2.1)
        userinfo = httpx.get(
            f"{idp.issuer}/protocol/openid-connect/userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert userinfo.status_code == 401
        assert refresh(idp, tokens["refresh_token"]).json()["error"] == "invalid_grant"
