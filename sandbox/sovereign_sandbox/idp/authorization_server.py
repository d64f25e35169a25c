"""`SandboxAuthorizationServer`: authlib's `AuthorizationServer` for one realm, answering through Starlette.

authlib has no Starlette integration (only Flask and Django), and its server is synchronous while Starlette reads
bodies asynchronously; so each endpoint first reads the request into an `HttpRequest`, then hands that to the
server, whose `create_oauth2_request` wraps it as authlib's `OAuth2Request`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidClientError,
    OAuth2Error,
    OAuth2Request,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import extract_basic_authorization
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sovereign_sandbox.idp.grants import (
    CLIENT_AUTH_METHODS,
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    KeycloakCodeChallenge,
    KeycloakIDToken,
    KeycloakOpenIDCode,
    PasswordGrant,
    RefreshTokenGrant,
)
from sovereign_sandbox.idp.keycloak_errors import keycloak_wording
from sovereign_sandbox.idp.provider import Grantee, Provider
from sovereign_sandbox.idp.realm import Client

__all__ = ["HttpRequest", "SandboxAuthorizationServer", "read_request"]

_BAD_CLIENT = "Invalid client or Invalid client credentials"


@dataclass(frozen=True)
class HttpRequest:
    """What authlib needs of an HTTP request, read in full beforehand."""

    method: str
    url: str
    headers: Mapping[str, str]
    query: dict[str, str]
    form: dict[str, str]
    peer: str | None  # the client's address

    @property
    def parameters(self) -> dict[str, str]:
        return self.query | self.form

    def replay(self, parameters: dict[str, str]) -> HttpRequest:
        """This request carrying `parameters` instead (an authorization request resumed after the login form)."""
        return dataclasses.replace(self, query=dict(parameters), form={})


async def read_request(request: Request) -> HttpRequest:
    form = await request.form() if request.method == "POST" else {}
    return HttpRequest(
        method=request.method,
        url=str(request.url),
        headers=request.headers,
        query=dict(request.query_params),
        form={key: value for key, value in form.items() if isinstance(value, str)},
        peer=request.client.host if request.client else None,
    )


class StarletteOAuth2Request(OAuth2Request):
    def __init__(self, http: HttpRequest):
        super().__init__(http.method, http.url, headers=http.headers)  # raises InsecureTransportError off loopback
        self.http = http
        self.peer = http.peer
        self.payload = BasicOAuth2Payload(http.parameters)

    @property
    def args(self) -> dict[str, str]:
        return self.http.query

    @property
    def form(self) -> dict[str, str]:
        return self.http.form


class SandboxAuthorizationServer(AuthorizationServer):
    """The realm's OAuth 2.0 / OIDC engine: the authorization endpoint's code issue and all four token grants."""

    def __init__(self, provider: Provider):
        super().__init__()
        self.provider = provider
        self.register_token_generator("default", provider.generate_token)
        self.register_grant(
            AuthorizationCodeGrant, [KeycloakCodeChallenge(required=True), KeycloakOpenIDCode(provider)]
        )
        self.register_grant(RefreshTokenGrant, [KeycloakIDToken(provider)])
        self.register_grant(PasswordGrant, [KeycloakIDToken(provider)])
        self.register_grant(ClientCredentialsGrant)

    def query_client(self, client_id: str) -> Client | None:
        return self.provider.realm.client_by_client_id(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Make the new refresh token the only live one of this client in the session (rotation)."""
        if "refresh_token" not in token:
            return  # service-account tokens belong to no session, as in Keycloak
        grantee: Grantee = request.user
        assert grantee.session is not None, "refresh tokens are only issued within an SSO session"
        grantee.session.last_refresh = time.time()
        client_session = grantee.session.client(request.client.client_id)
        # The generator signed the token; its jti is read back rather than passed around authlib.
        client_session.refresh_token_id = self.provider.keys.verify(token["refresh_token"], refresh=True)["jti"]
        if request.authorization_code is not None and request.authorization_code.nonce:
            client_session.nonce = request.authorization_code.nonce

    def create_oauth2_request(self, request: HttpRequest | OAuth2Request) -> OAuth2Request:
        return request if isinstance(request, OAuth2Request) else StarletteOAuth2Request(request)

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status, headers=dict(headers))
        return Response(body, status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """authlib announces events here (e.g. `after_authenticate_client`); nothing in the sandbox listens."""

    def authenticate_client(self, request: OAuth2Request, methods: list[str], endpoint: str = "token") -> Client:
        """authlib's client authentication, failing with Keycloak's answer (an unknown client or a wrong secret)."""
        try:
            return super().authenticate_client(request, methods, endpoint)
        except InvalidClientError as error:
            client_id = extract_basic_authorization(request.headers)[0] or request.payload.client_id
            client = self.query_client(client_id) if client_id else None
            if not client_id:
                raise InvalidClientError("Missing parameter: client_id", status_code=401) from error
            if client is None:
                raise InvalidClientError(_BAD_CLIENT, status_code=401) from error
            if client.bearer_only:
                raise UnauthorizedClientError("Bearer-only not allowed") from error
            raise UnauthorizedClientError(_BAD_CLIENT, status_code=401) from error

    def authenticate_endpoint_client(self, http: HttpRequest, endpoint: str) -> Client:
        """The calling client of introspection, revocation or back-channel logout; raises `OAuth2Error`."""
        return self.authenticate_client(self.create_oauth2_request(http), CLIENT_AUTH_METHODS, endpoint)

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> Response:
        keycloak_wording(error, request.payload.data)
        if error.redirect_uri:
            values = {"error": error.error, "error_description": error.description}
            return self.handle_response(*self.authorization_redirect(request, error.redirect_uri, values))
        return self.handle_response(*error())

    def json_error(self, error: OAuth2Error) -> Response:
        """`{"error", "error_description"}` in Keycloak's words, with authlib's no-store headers."""
        return self.handle_response(*keycloak_wording(error)())

    def authorization_redirect(
        self, request: OAuth2Request, redirect_uri: str, values: dict[str, str]
    ) -> tuple[int, str, list[tuple[str, str]]]:
        """The redirect back to the client as Keycloak sends it: state first, iss last (RFC 9207), empty values
        left out, in the fragment for `response_mode=fragment`."""
        data = request.payload.data
        ordered = {"state": data.get("state", "")} | values | {"iss": self.provider.issuer}
        params = [(key, value) for key, value in ordered.items() if value]
        fragment = data.get("response_mode") == "fragment"
        return 302, "", [("Location", add_params_to_uri(redirect_uri, params, fragment))]
