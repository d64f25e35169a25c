"""Back-channel OAuth endpoints: token (authlib's grants), userinfo, introspection, revocation.

The token endpoint is authlib's `create_token_response`; introspection and revocation keep Keycloak's answers
by hand (refresh tokens are checked against the session, a public client may not introspect) but authenticate
the calling client through authlib.
"""

from __future__ import annotations

import base64
import json

from authlib.oauth2.rfc6749 import OAuth2Error
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sovereign_sandbox.idp.authorization_server import SandboxAuthorizationServer, read_request
from sovereign_sandbox.idp.provider import Provider
from sovereign_sandbox.idp.tokens import InvalidToken

__all__ = ["OAuthEndpoints"]


class OAuthEndpoints:
    def __init__(self, provider: Provider, server: SandboxAuthorizationServer):
        self.provider = provider
        self.realm = provider.realm
        self.server = server

    async def token(self, request: Request) -> Response:
        return self.server.create_token_response(await read_request(request))

    async def userinfo(self, request: Request) -> Response:
        if request.method == "POST":
            await request.body()  # a form-encoded access_token is not supported; Keycloak prefers the header
        try:
            bearer = self.provider.verify_bearer(request.headers.get("authorization"))
        except InvalidToken as error:
            description = str(error) if "session" in str(error) else "Token verification failed"
            header = f'Bearer realm="{self.realm.name}", error="invalid_token", error_description="{description}"'
            response = self.server.json_error(OAuth2Error(description, status_code=401, error="invalid_token"))
            response.headers["WWW-Authenticate"] = header
            return response
        return JSONResponse(self.provider.userinfo(bearer.user))

    async def introspect(self, request: Request) -> Response:
        http = await read_request(request)
        try:
            client = self.server.authenticate_endpoint_client(http, "introspection")
        except OAuth2Error as error:
            return self.server.json_error(error)
        if client.public:
            return self.server.json_error(OAuth2Error("Client not allowed.", status_code=403, error="invalid_request"))
        return JSONResponse(self._introspection(http.form.get("token", ""), http.form.get("token_type_hint")))

    def _introspection(self, token: str, hint: str | None) -> dict[str, object]:
        refresh = hint == "refresh_token" or _looks_like_refresh(token)
        try:
            if refresh:
                claims = self.provider.keys.verify(token, refresh=True)
                session = self.provider.session_for(claims.get("sid"))
                client_session = session.clients.get(str(claims.get("azp"))) if session else None
                if client_session is None or client_session.refresh_token_id != claims.get("jti"):
                    return {"active": False}
                user = self.realm.users[str(claims["sub"])]
            else:
                bearer = self.provider.verify_bearer(f"Bearer {token}")
                claims, user = bearer.claims, bearer.user
        except (InvalidToken, KeyError):
            return {"active": False}
        return claims | {
            "client_id": claims.get("azp"),
            "username": user.username,
            "token_type": "Bearer" if claims.get("typ") == "Bearer" else claims.get("typ"),
            "active": True,
        }

    async def revoke(self, request: Request) -> Response:
        http = await read_request(request)
        try:
            client = self.server.authenticate_endpoint_client(http, "revocation")
        except OAuth2Error as error:
            return self.server.json_error(error)
        token = http.form.get("token")
        if not token:
            return self.server.json_error(OAuth2Error("Token not provided", error="invalid_request"))
        try:
            claims = self.provider.keys.verify(token, refresh=True, check_expiry=False)
            session = self.realm.sessions.sessions.get(str(claims.get("sid")))
            if session is not None and claims.get("azp") == client.client_id:
                # Revoking a refresh token logs the client out of the session, as Keycloak does.
                session.clients.pop(client.client_id, None)
        except InvalidToken:
            try:
                claims = self.provider.keys.verify(token, check_expiry=False)
                if claims.get("azp") == client.client_id:
                    self.realm.sessions.revoked_token_ids.add(str(claims.get("jti")))
            except InvalidToken:
                pass  # RFC 7009: an unknown token is not an error
        return Response(status_code=200)


def _looks_like_refresh(token: str) -> bool:
    # Refresh tokens are the HS512 ones; the header says so without verifying anything.
    header = token.split(".", 1)[0]
    try:
        return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))).get("alg") == "HS512"
    except ValueError:
        return False
