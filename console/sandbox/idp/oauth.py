"""Back-channel OAuth endpoints: token (four grants), userinfo, introspection, revocation.

Hand-written rather than authlib's `AuthorizationServer`: Keycloak's exact error strings ("Code not valid",
"Token is not active", "Session not active") and its rotation rules are the point of the sandbox, and authlib
would need every error rewritten. authlib still supplies PKCE's S256 transform and the at_hash.
"""

from __future__ import annotations

import base64
import hmac
import json
import time

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from console.sandbox.idp.claims import response_scope
from console.sandbox.idp.provider import OAuthError, Provider, oauth_error
from console.sandbox.idp.realm import Client
from console.sandbox.idp.tokens import InvalidToken

__all__ = ["OAuthEndpoints"]


async def read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


class OAuthEndpoints:
    def __init__(self, provider: Provider):
        self.provider = provider
        self.realm = provider.realm

    async def token(self, request: Request) -> Response:
        form = await read_form(request)
        try:
            grant_type = form.get("grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "Missing form parameter: grant_type")
            client = self.provider.authenticate_client(request.headers, form)
            if grant_type == "authorization_code":
                return self._authorization_code(client, form)
            if grant_type == "refresh_token":
                return self._refresh_token(client, form)
            if grant_type == "client_credentials":
                return self._client_credentials(client, form, request.client.host if request.client else None)
            if grant_type == "password":
                return self._password(client, form)
            raise OAuthError("unsupported_grant_type", "Unsupported grant_type")
        except OAuthError as error:
            return error.response()

    def _authorization_code(self, client: Client, form: dict[str, str]) -> Response:
        if not form.get("code"):
            raise OAuthError("invalid_request", "Missing parameter: code")
        grant = self.realm.sessions.redeem_code(form["code"])
        if grant is None or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant", "Code not valid")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "Incorrect redirect_uri")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier")
            if not verifier:
                raise OAuthError("invalid_grant", "PKCE code verifier not specified")
            expected = create_s256_code_challenge(verifier) if grant.code_challenge_method == "S256" else verifier
            if not hmac.compare_digest(expected, grant.code_challenge):
                raise OAuthError("invalid_grant", "PKCE verification failed: Code mismatch")
        session = self.provider.session_for(grant.session_id)
        user = self.realm.users.get(session.user_id) if session else None
        if session is None or user is None or not user.enabled:
            raise OAuthError("invalid_grant", "Session not active")
        return self.provider.issue_user_tokens(
            client, user, session, scope=grant.scope, nonce=grant.nonce, fresh_login=grant.fresh_login
        )

    def _refresh_token(self, client: Client, form: dict[str, str]) -> Response:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request", "Missing parameter: refresh_token")
        try:
            claims = self.provider.keys.verify(token, refresh=True, check_expiry=False)
        except InvalidToken as error:
            raise OAuthError("invalid_grant", "Invalid refresh token") from error
        if claims.get("typ") != "Refresh" or claims.get("iss") != self.provider.issuer:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        if int(claims.get("exp", 0)) <= time.time():
            raise OAuthError("invalid_grant", "Token is not active")
        if claims.get("azp") != client.client_id:
            raise OAuthError("invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
        session = self.provider.session_for(claims.get("sid"))
        user = self.realm.users.get(session.user_id) if session else None
        if session is None or user is None:
            raise OAuthError("invalid_grant", "Session not active")
        if not user.enabled:
            raise OAuthError("invalid_grant", "User disabled")
        client_session = session.clients.get(client.client_id)
        if client_session is None or client_session.refresh_token_id != claims.get("jti"):
            # Rotation: only the newest refresh token of this client in this session is honoured.
            raise OAuthError("invalid_grant", "Token is not active")
        return self.provider.issue_user_tokens(
            client, user, session, scope=str(claims.get("scope", "")), nonce=None, fresh_login=False
        )

    def _client_credentials(self, client: Client, form: dict[str, str], address: str | None) -> Response:
        if client.public:
            raise OAuthError("unauthorized_client", "Public client not allowed to retrieve service account")
        service_account = next(
            (user for user in self.realm.users.values() if user.service_account_of == client.id), None
        )
        if not client.service_accounts or service_account is None:
            raise OAuthError("unauthorized_client", "Client not enabled to retrieve service account")
        scope = response_scope(form.get("scope"), service_account=True)
        return self.provider.issue_service_account_token(client, service_account, scope, address)

    def _password(self, client: Client, form: dict[str, str]) -> Response:
        if not client.direct_access_grants:
            raise OAuthError("unauthorized_client", "Client not allowed for direct access grants")
        username = form.get("username", "")
        user = self.realm.user_by_username(username) or self.realm.user_by_email(username)
        if user is None or user.service_account_of or user.password is None or user.password != form.get("password"):
            raise OAuthError("invalid_grant", "Invalid user credentials", 401)
        if not user.enabled:
            raise OAuthError("invalid_grant", "Account disabled")
        session = self.realm.sessions.create(user.id)
        scope = response_scope(form.get("scope"))
        return self.provider.issue_user_tokens(client, user, session, scope=scope, nonce=None, fresh_login=True)

    async def userinfo(self, request: Request) -> Response:
        if request.method == "POST":
            await request.body()  # a form-encoded access_token is not supported; Keycloak prefers the header
        try:
            bearer = self.provider.verify_bearer(request.headers.get("authorization"))
        except InvalidToken as error:
            description = str(error) if "session" in str(error) else "Token verification failed"
            header = f'Bearer realm="{self.realm.name}", error="invalid_token", error_description="{description}"'
            response = oauth_error("invalid_token", description, 401)
            response.headers["WWW-Authenticate"] = header
            return response
        return JSONResponse(self.provider.userinfo(bearer.user))

    async def introspect(self, request: Request) -> Response:
        form = await read_form(request)
        try:
            client = self.provider.authenticate_client(request.headers, form)
        except OAuthError as error:
            return error.response()
        if client.public:
            return oauth_error("invalid_request", "Client not allowed.", 403)
        token = form.get("token", "")
        return JSONResponse(self._introspection(token, form.get("token_type_hint")))

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
        form = await read_form(request)
        try:
            client = self.provider.authenticate_client(request.headers, form)
        except OAuthError as error:
            return error.response()
        token = form.get("token")
        if not token:
            return oauth_error("invalid_request", "Token not provided")
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
