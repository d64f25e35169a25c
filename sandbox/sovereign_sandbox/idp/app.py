"""`create_idp_app`: the Keycloak-shaped Starlette app for one realm (discovery, JWKS, OIDC endpoints, Admin REST)."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc6749 import InsecureTransportError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sovereign_sandbox.idp.admin import admin_routes
from sovereign_sandbox.idp.authorization_server import SandboxAuthorizationServer
from sovereign_sandbox.idp.authorize import BrowserEndpoints
from sovereign_sandbox.idp.backchannel import BackchannelLogout
from sovereign_sandbox.idp.oauth import OAuthEndpoints
from sovereign_sandbox.idp.provider import Provider
from sovereign_sandbox.idp.realm import Realm
from sovereign_sandbox.idp.tokens import SigningKeys

__all__ = ["create_idp_app", "discovery_document"]


def discovery_document(issuer: str) -> dict[str, Any]:
    """The `.well-known/openid-configuration` document, trimmed from a real Keycloak's to what is implemented."""
    endpoint = f"{issuer}/protocol/openid-connect"
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{endpoint}/auth",
        "token_endpoint": f"{endpoint}/token",
        "introspection_endpoint": f"{endpoint}/token/introspect",
        "userinfo_endpoint": f"{endpoint}/userinfo",
        "end_session_endpoint": f"{endpoint}/logout",
        "frontchannel_logout_session_supported": True,
        "frontchannel_logout_supported": True,
        "jwks_uri": f"{endpoint}/certs",
        "grant_types_supported": ["authorization_code", "refresh_token", "password", "client_credentials"],
        "acr_values_supported": ["0", "1"],
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "prompt_values_supported": ["none", "login"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["none"],
        "response_modes_supported": ["query", "fragment"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "claims_supported": [
            "aud",
            "sub",
            "iss",
            "auth_time",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "email",
            "acr",
            "groups",
            "tier",
            "org",
            "openova_scopes",
        ],
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": False,
        "scopes_supported": ["openid", "profile", "email", "roles", "web-origins", "offline_access", "acr", "basic"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "require_request_uri_registration": True,
        "code_challenge_methods_supported": ["plain", "S256"],
        "tls_client_certificate_bound_access_tokens": False,
        "revocation_endpoint": f"{endpoint}/revoke",
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "authorization_response_iss_parameter_supported": True,
    }


def create_idp_app(realm: Realm, issuer: str, *, keys: SigningKeys | None = None) -> Starlette:
    """The IdP for `realm` at `issuer` (`<base>/realms/<realm>`); all state stays in `realm`.

    Args:
        realm: users, groups, roles, clients and live sessions (mutated only from the app's event loop).
        issuer: the public issuer URL; every `iss` claim and discovery URL derives from it.
        keys: signing keys (a fresh RSA key when omitted).
    """
    provider = Provider(realm, issuer, keys)
    BackchannelLogout(provider)  # hooks itself into the realm's sessions: ended sessions notify their clients
    server = SandboxAuthorizationServer(provider)
    browser, oauth = BrowserEndpoints(provider, server), OAuthEndpoints(provider, server)
    base = provider.base_path
    protocol = f"{base}/protocol/openid-connect"

    async def discovery(request: Request) -> Response:
        return JSONResponse(discovery_document(provider.issuer))

    async def realm_info(request: Request) -> Response:
        return JSONResponse(
            {
                "realm": realm.name,
                "public_key": provider.keys.public_key_base64(),
                "token-service": f"{provider.issuer}/protocol/openid-connect",
                "account-service": f"{provider.issuer}/account",
                "tokens-not-before": 0,
            }
        )

    async def certs(request: Request) -> Response:
        return JSONResponse(provider.keys.jwks(), headers={"Cache-Control": "no-cache"})

    routes = [
        Route(f"{base}/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route(base, realm_info, methods=["GET"]),
        Route(f"{protocol}/certs", certs, methods=["GET"]),
        Route(f"{protocol}/auth", browser.authorize, methods=["GET", "POST"]),
        Route(f"{base}/login-actions/authenticate", browser.authenticate, methods=["POST"]),
        Route(f"{protocol}/token", oauth.token, methods=["POST"]),
        Route(f"{protocol}/token/introspect", oauth.introspect, methods=["POST"]),
        Route(f"{protocol}/revoke", oauth.revoke, methods=["POST"]),
        Route(f"{protocol}/userinfo", oauth.userinfo, methods=["GET", "POST"]),
        Route(f"{protocol}/logout", browser.logout, methods=["GET", "POST"]),
        Route(f"{protocol}/logout/logout-confirm", browser.logout_confirm, methods=["POST"]),
        *admin_routes(provider),
    ]

    async def https_required(request: Request, error: Exception) -> Response:
        # authlib serves plain HTTP only on loopback (or with AUTHLIB_INSECURE_TRANSPORT set); Keycloak's answer.
        assert isinstance(error, InsecureTransportError)
        return server.json_error(error)

    return Starlette(routes=routes, exception_handlers={InsecureTransportError: https_required})
