"""authlib's grants and OpenID extensions, given the realm's storage and Keycloak's rules and wording.

authlib validates the requests (client authentication, redirect URI, PKCE, nonce, prompt, scope) and runs the
flows; these subclasses supply what it leaves to the server: codes, users, refresh tokens, signing keys.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, TokenMixin, UnauthorizedClientError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, OpenIDToken, UserInfo
from authlib.oidc.core.grants.util import validate_request_prompt
from joserfc.jwk import RSAKey

from sovereign_sandbox.idp.claims import id_token_claims, subject_claims
from sovereign_sandbox.idp.provider import Grantee, Provider
from sovereign_sandbox.idp.realm import Client
from sovereign_sandbox.idp.sessions import AuthorizationCode, UserSession
from sovereign_sandbox.idp.tokens import InvalidToken

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749 import OAuth2Request

__all__ = [
    "CLIENT_AUTH_METHODS",
    "AuthorizationCodeGrant",
    "ClientCredentialsGrant",
    "KeycloakCodeChallenge",
    "KeycloakIDToken",
    "KeycloakOpenIDCode",
    "PasswordGrant",
    "RefreshTokenGrant",
]

# Keycloak accepts the secret in a Basic header or the form, and a public client's bare client_id, on every grant.
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


class _KeycloakGrant(grants.BaseGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def authenticate_token_endpoint_client(self) -> Client:
        # authlib's own check_grant_type refusal has a generic text; Keycloak names the client setting.
        client: Client = super().authenticate_token_endpoint_client()
        if refusal := client.grant_refusal(self.GRANT_TYPE):
            raise UnauthorizedClientError(refusal)
        return client

    def _signed_in(self, session: UserSession | None, **details: Any) -> Grantee:
        user = self.provider.realm.users.get(session.user_id) if session else None
        if session is None or user is None:
            raise InvalidGrantError("Session not active")
        if not user.enabled:
            raise InvalidGrantError("User disabled")
        return Grantee(user, session, **details)


class AuthorizationCodeGrant(_KeycloakGrant, grants.AuthorizationCodeGrant):
    def generate_authorization_code(self) -> str:
        # Keycloak's codes look like "<uuid>.<session id>.<client uuid>"; clients treat them as opaque.
        return f"{uuid.uuid4()}.{self.request.user.session.id}.{self.request.client.id}"

    def create_authorization_response(self, redirect_uri: str, grant_user: Grantee) -> tuple[int, str, list]:
        # authlib's version sends code and state; Keycloak adds session_state and iss, and honours response_mode.
        self.request.user = grant_user
        code = self.generate_authorization_code()
        self.save_authorization_code(code, self.request)
        return self.server.authorization_redirect(
            self.request, redirect_uri, {"session_state": grant_user.session.id, "code": code}
        )

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        grantee: Grantee = request.user
        assert grantee.session is not None, "codes are only issued to people with an SSO session"
        data = request.payload.data
        challenge = data.get("code_challenge")
        now = time.time()
        grantee.session.last_refresh = now  # SSO use keeps the session alive, like a refresh
        self.provider.realm.sessions.save_code(
            AuthorizationCode(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                session_id=grantee.session.id,
                auth_time=grantee.session.auth_time,
                scope=request.scope,
                nonce=data.get("nonce"),
                code_challenge=challenge,
                code_challenge_method=(data.get("code_challenge_method") or "plain") if challenge else None,
                expires=now + self.provider.realm.lifetimes.code_seconds,
                fresh_login=grantee.fresh_login,
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode:
        # Redeeming takes the code out, so it is single use even when this exchange fails later (PKCE, redirect).
        found = self.provider.realm.sessions.redeem_code(code)
        if found is None or found.client_id != client.client_id:
            raise InvalidGrantError("Code not valid")
        return found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Nothing left to delete: `query_authorization_code` already took the code out."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Grantee:
        session = self.provider.session_for(authorization_code.session_id)
        return self._signed_in(session, fresh_login=authorization_code.fresh_login)


@dataclass
class _RefreshToken(TokenMixin):
    """A verified refresh token of a live session, as authlib's refresh grant handles it."""

    claims: dict[str, Any]
    grantee: Grantee

    def check_client(self, client: Client) -> bool:
        return self.claims.get("azp") == client.client_id

    def get_scope(self) -> str:
        return str(self.claims.get("scope", ""))


class RefreshTokenGrant(_KeycloakGrant, grants.RefreshTokenGrant):
    """Rotation: every refresh issues a new refresh token and revokes the one it was given."""

    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> _RefreshToken:
        keys, client = self.provider.keys, self.request.client
        try:
            claims = keys.verify(refresh_token, refresh=True, check_expiry=False)
        except InvalidToken as error:
            raise InvalidGrantError("Invalid refresh token") from error
        if claims.get("typ") != "Refresh" or claims.get("iss") != self.provider.issuer:
            raise InvalidGrantError("Invalid refresh token")
        if int(claims.get("exp", 0)) <= time.time():
            raise InvalidGrantError("Token is not active")
        if claims.get("azp") != client.client_id:
            raise InvalidGrantError("Invalid refresh token. Token client and authorized client don't match")
        session = self.provider.session_for(claims.get("sid"))
        client_session = session.clients.get(client.client_id) if session else None
        grantee = self._signed_in(session, fresh_login=False, nonce=client_session.nonce if client_session else None)
        jti = str(claims.get("jti"))
        current = client_session is not None and client_session.refresh_token_id == jti
        if not current or jti in self.provider.realm.sessions.revoked_token_ids:
            raise InvalidGrantError("Token is not active")  # rotated away, revoked, or the client logged out
        return _RefreshToken(claims, grantee)

    def authenticate_user(self, refresh_token: _RefreshToken) -> Grantee:
        return refresh_token.grantee

    def revoke_old_credential(self, refresh_token: _RefreshToken) -> None:
        self.provider.realm.sessions.revoked_token_ids.add(str(refresh_token.claims["jti"]))


class PasswordGrant(_KeycloakGrant, grants.ResourceOwnerPasswordCredentialsGrant):
    """Keycloak's "direct access grant": a new SSO session per successful request."""

    def authenticate_user(self, username: str, password: str) -> Grantee:
        realm = self.provider.realm
        user = realm.user_by_username(username) or realm.user_by_email(username)
        if user is None or user.service_account_of or user.password is None or user.password != password:
            raise InvalidGrantError("Invalid user credentials", status_code=401)
        if not user.enabled:
            raise InvalidGrantError("Account disabled")
        return Grantee(user, realm.sessions.create(user.id))


class ClientCredentialsGrant(_KeycloakGrant, grants.ClientCredentialsGrant):
    def generate_token(self, user: Grantee | None = None, **options: Any) -> dict[str, Any]:
        # authlib issues client_credentials tokens to no user; Keycloak issues them to the service account.
        client: Client = self.request.client
        users = self.provider.realm.users.values()
        account = next((candidate for candidate in users if candidate.service_account_of == client.id), None)
        if account is None:
            raise UnauthorizedClientError("Client not enabled to retrieve service account")
        return super().generate_token(user=Grantee(account, client_address=self.request.peer), **options)


class KeycloakCodeChallenge(CodeChallenge):
    """PKCE as authlib checks it, plus the client's required method (Keycloak's "PKCE Method" setting)."""

    def validate_code_challenge(self, grant: grants.AuthorizationCodeGrant, redirect_uri: str) -> None:
        super().validate_code_challenge(grant, redirect_uri)
        data, client = grant.request.payload.data, grant.request.client
        if data.get("code_challenge") and client.pkce_method:
            if (data.get("code_challenge_method") or "plain") != client.pkce_method:
                raise InvalidRequestError("Invalid parameter: code challenge method is not matching the configured one")


class KeycloakIDToken(OpenIDToken):
    """The ID token for scope `openid` (password and refresh grants): RS256 with the realm key's kid and `typ`."""

    def __init__(self, provider: Provider):
        self.provider = provider

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.keys.rsa

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return self.provider.keys.header

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return id_token_claims(self.provider.realm, self.provider.issuer, client)

    def generate_user_info(self, user: Grantee, scope: str) -> UserInfo:
        assert user.session is not None, "ID tokens are only issued to people with an SSO session"
        claims = subject_claims(
            self.provider.realm,
            user.user,
            session_id=user.session.id,
            auth_time=user.session.auth_time,
            fresh_login=user.fresh_login,
            nonce=user.nonce,
        )
        return UserInfo(claims)


class KeycloakOpenIDCode(KeycloakIDToken, OpenIDCode):
    """OpenIDCode for the code grant: nonce from the authorization request, and `prompt` handled for every request."""

    def __init__(self, provider: Provider):
        super().__init__(provider)
        self.require_nonce = False

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self.provider.realm.sessions.nonce_in_use(request.payload.client_id, nonce)

    def __call__(self, grant: grants.AuthorizationCodeGrant) -> None:
        super().__call__(grant)
        # authlib reads `prompt` only for scope openid; Keycloak honours prompt=none/login on any request.
        grant.register_hook("after_validate_consent_request", validate_request_prompt)
