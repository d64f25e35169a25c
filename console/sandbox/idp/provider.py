"""What every endpoint shares: the realm, the issuer, the keys; client authentication, bearer checks, token issue."""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from console.sandbox.idp.claims import access_claims, id_token_claims, refresh_claims, user_claims
from console.sandbox.idp.realm import Client, Realm, User
from console.sandbox.idp.sessions import UserSession
from console.sandbox.idp.tokens import InvalidToken, SigningKeys

__all__ = ["Bearer", "OAuthError", "Provider", "oauth_error"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """An OAuth error answered as JSON `{"error", "error_description"}` (RFC 6749 §5.2, Keycloak's wording)."""

    def __init__(self, error: str, description: str, status_code: int = 400):
        super().__init__(description)
        self.error, self.description, self.status_code = error, description, status_code

    def response(self) -> JSONResponse:
        return oauth_error(self.error, self.description, self.status_code)


def oauth_error(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code, headers=_NO_STORE)


@dataclass
class Bearer:
    """A verified access token and the user it was issued to."""

    claims: dict[str, Any]
    user: User


class Provider:
    def __init__(self, realm: Realm, issuer: str, keys: SigningKeys | None = None):
        self.realm = realm
        self.issuer = issuer.rstrip("/")
        self.keys = keys or SigningKeys()

    @property
    def base_path(self) -> str:
        return f"/realms/{self.realm.name}"

    def authenticate_client(self, headers: Headers, form: dict[str, str]) -> Client:
        """client_secret_basic or client_secret_post; a public client needs only its client_id."""
        client_id, secret = form.get("client_id"), form.get("client_secret")
        authorization = headers.get("authorization", "")
        if authorization[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError) as error:
                raise OAuthError("invalid_client", "Invalid client or Invalid client credentials", 401) from error
            basic_id, _, basic_secret = decoded.partition(":")
            client_id, secret = unquote(basic_id), unquote(basic_secret)
        if not client_id:
            raise OAuthError("invalid_client", "Missing parameter: client_id", 401)
        client = self.realm.client_by_client_id(client_id)
        if client is None:
            raise OAuthError("invalid_client", "Invalid client or Invalid client credentials", 401)
        if client.bearer_only:
            raise OAuthError("unauthorized_client", "Bearer-only not allowed", 400)
        if client.secret is not None and secret != client.secret:
            raise OAuthError("unauthorized_client", "Invalid client or Invalid client credentials", 401)
        return client

    def session_for(self, session_id: str | None) -> UserSession | None:
        return self.realm.sessions.active(session_id, self.realm.lifetimes.refresh_token_seconds)

    def verify_bearer(self, authorization: str | None) -> Bearer:
        """An access token from `Authorization: Bearer …` that is valid now; raises InvalidToken otherwise."""
        if not authorization or authorization[:7].lower() != "bearer ":
            raise InvalidToken("missing bearer token")
        claims = self.keys.verify(authorization[7:].strip())
        if claims.get("typ") != "Bearer" or claims.get("iss") != self.issuer:
            raise InvalidToken("not an access token of this realm")
        if claims.get("jti") in self.realm.sessions.revoked_token_ids:
            raise InvalidToken("revoked")
        if "sid" in claims and self.session_for(claims["sid"]) is None:
            raise InvalidToken("User session not found or doesn't have client attached on it")
        user = self.realm.users.get(str(claims.get("sub")))
        if user is None or not user.enabled:
            raise InvalidToken("user not found or disabled")
        return Bearer(claims, user)

    def issue_user_tokens(
        self,
        client: Client,
        user: User,
        session: UserSession,
        *,
        scope: str,
        nonce: str | None,
        fresh_login: bool,
    ) -> JSONResponse:
        """Access, refresh and (with openid) ID token; the refresh token becomes the client's only live one."""
        lifetimes = self.realm.lifetimes
        session.last_refresh = time.time()
        access_token = self.keys.sign(
            access_claims(
                self.realm,
                self.issuer,
                client,
                user,
                scope=scope,
                session_id=session.id,
                auth_time=session.auth_time,
                fresh_login=fresh_login,
            )
        )
        refresh = refresh_claims(
            self.realm,
            self.issuer,
            client,
            user,
            session_id=session.id,
            scope=scope,
            expires=int(time.time()) + lifetimes.refresh_token_seconds,
        )
        client_session = session.client(client.client_id)
        client_session.refresh_token_id, client_session.scope = refresh["jti"], scope
        if nonce is not None:
            client_session.nonce = nonce
        body: dict[str, Any] = {
            "access_token": access_token,
            "expires_in": lifetimes.access_token_seconds,
            "refresh_expires_in": lifetimes.refresh_token_seconds,
            "refresh_token": self.keys.sign_refresh(refresh),
            "token_type": "Bearer",
        }
        if "openid" in scope.split():
            body["id_token"] = self.keys.sign(
                id_token_claims(
                    self.realm,
                    self.issuer,
                    client,
                    user,
                    access_token=access_token,
                    session_id=session.id,
                    auth_time=session.auth_time,
                    nonce=client_session.nonce,
                    fresh_login=fresh_login,
                )
            )
        body |= {"not-before-policy": 0, "session_state": session.id, "scope": scope}
        return JSONResponse(body, headers=_NO_STORE)

    def issue_service_account_token(self, client: Client, user: User, scope: str, address: str | None) -> JSONResponse:
        # Keycloak issues no refresh token for client_credentials unless the client opts in; neither do we.
        claims = access_claims(
            self.realm, self.issuer, client, user, scope=scope, session_id=None, auth_time=None, client_address=address
        )
        body = {
            "access_token": self.keys.sign(claims),
            "expires_in": self.realm.lifetimes.access_token_seconds,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": scope,
        }
        return JSONResponse(body, headers=_NO_STORE)

    def userinfo(self, user: User) -> dict[str, Any]:
        return {"sub": user.id} | user_claims(self.realm, user)
