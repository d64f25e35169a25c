"""The console as an OpenID Connect client of Keycloak (authorization code + PKCE, run by the backend)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from console.identity.sessions import Session

LOGOUT_TIMEOUT_SECONDS = 5.0

SCOPE = "openid profile email"


class SignInError(Exception):
    """Sign-in could not complete; `message` is shown to the person in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SessionExpired(Exception):
    """The IdP no longer honours the session's refresh token: the person must sign in again."""


class IdentityProviderUnavailable(Exception):
    """The IdP could not be asked (unreachable, timed out, or answering 5xx): the session is not at fault and is
    kept, to be refreshed once the IdP answers again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str  # e.g. https://keycloak.example/realms/sovereign
    client_id: str
    client_secret: str
    redirect_uri: str  # <console origin>/auth/callback


def _describe(error: Exception) -> str:
    if isinstance(error, OAuthError):
        if error.error == "mismatching_state":
            return "state mismatch — possible CSRF; please sign in again"
        if error.error in ("invalid_grant", "login_required"):
            return "Your sign-in expired; please sign in again"
        return f"Keycloak refused the sign-in: {error.description or error.error}"
    return _unavailable(error)


def _unavailable(error: Exception) -> str:
    """In words, why Keycloak could not be asked. authlib speaks through httpx2 when it is installed, httpx
    otherwise: their errors share names and shapes but not classes."""
    response = getattr(error, "response", None) if type(error).__name__ == "HTTPStatusError" else None
    if response is not None:
        return f"Keycloak answered {response.status_code} {response.reason_phrase}".rstrip()
    if "Timeout" in type(error).__name__:
        return "Keycloak did not answer in time"
    return "Keycloak is unreachable"


class OidcClient:
    """Runs the code flow against one issuer and validates what comes back."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self._oauth = OAuth()
        self._client = self._oauth.register(
            "keycloak",
            client_id=config.client_id,
            client_secret=config.client_secret,
            server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256"},
        )

    async def login_redirect(self, request: Any) -> Any:
        """A redirect to Keycloak's authorization endpoint (state, nonce and PKCE kept in the login cookie)."""
        try:
            return await self._client.authorize_redirect(request, self.config.redirect_uri)
        except Exception as error:  # discovery failed: IdP down or misconfigured
            raise SignInError(_describe(error)) from error

    async def complete_login(self, request: Any) -> Session:
        """Exchange the callback's code for tokens; validate the id_token (authlib) and the access token."""
        try:
            token = await self._client.authorize_access_token(request)
        except OAuthError as error:
            raise SignInError(_describe(error)) from error
        except Exception as error:
            raise SignInError(_describe(error)) from error
        claims = await self.verify_access_token(token["access_token"])
        session = self._session_from(token, claims)
        # authlib validated the ID token (signature, iss, aud, nonce) and left its claims under "userinfo";
        # its `sid` names the Keycloak session a back-channel logout will later name.
        id_claims = token.get("userinfo") or {}
        session.idp_session_id = str(id_claims.get("sid") or claims.get("sid") or "")
        return session

    async def refresh(self, session: Session) -> Session:
        """Trade the refresh token for new tokens (Keycloak rotates the refresh token each time)."""
        try:
            token = await self._client.fetch_access_token(
                grant_type="refresh_token", refresh_token=session.refresh_token
            )
            claims = await self.verify_access_token(token["access_token"])
        except OAuthError as error:
            raise SessionExpired(str(error)) from error
        except SignInError as error:  # a token it cannot trust ends the session like a refused refresh
            raise SessionExpired(error.message) from error
        except Exception as error:  # noqa: BLE001 - the transport (authlib's httpx or httpx2), a body not JSON …
            raise IdentityProviderUnavailable(_unavailable(error)) from error
        refreshed = self._session_from(token, claims)
        refreshed.id_token = refreshed.id_token or session.id_token
        refreshed.created_at = session.created_at
        refreshed.idp_session_id = session.idp_session_id or str(claims.get("sid") or "")
        return refreshed

    async def end_idp_session(self, refresh_token: str) -> None:
        """End the Keycloak SSO session a refresh token belongs to, server to server (`POST` to the end-session
        endpoint with the client's credentials), so no token ever travels in the browser's URL (an
        `id_token_hint` would, and stay in its history and the IdP's access log).

        Raises:
            SignInError: the IdP did not end it (unreachable, or it refused the token).
        """
        try:
            metadata = await self._client.load_server_metadata()
            endpoint = metadata.get("end_session_endpoint")
            if not endpoint:
                return
            async with httpx.AsyncClient(timeout=LOGOUT_TIMEOUT_SECONDS) as http:
                response = await http.post(
                    endpoint,
                    data={
                        "client_id": self.config.client_id,
                        "client_secret": self.config.client_secret,
                        "refresh_token": refresh_token,
                    },
                )
        except (httpx.HTTPError, ValueError) as error:
            raise SignInError(_describe(error)) from error
        if response.status_code >= 400:
            raise SignInError(f"the identity provider refused to end the session ({response.status_code})")

    async def decode_signed(self, token: str) -> dict[str, Any]:
        """The claims of a JWT signed by one of the IdP's JWKS keys (JWKS refetched once on an unknown `kid`).

        Raises:
            JoseError: the token is malformed or its signature does not verify.
        """
        keys = KeySet.import_key_set(await self._client.fetch_jwk_set())
        try:
            decoded = jwt.decode(token, keys)
        except InvalidKeyIdError:
            keys = KeySet.import_key_set(await self._client.fetch_jwk_set(force=True))
            decoded = jwt.decode(token, keys)
        return dict(decoded.claims)

    async def verify_access_token(self, access_token: str) -> dict[str, Any]:
        """Signature (JWKS, refetched once on an unknown `kid`), issuer and expiry of an access token."""
        try:
            claims = await self.decode_signed(access_token)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.config.issuer},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(claims)
        except JoseError as error:
            raise SignInError(f"Keycloak sent an access token the console cannot trust: {error}") from error
        return claims

    @staticmethod
    def _session_from(token: dict[str, Any], claims: dict[str, Any]) -> Session:
        now = time.time()
        return Session(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token", ""),
            id_token=token.get("id_token", ""),
            access_expires_at=float(token.get("expires_at") or now + float(token.get("expires_in") or 300)),
            refresh_expires_at=now + float(token["refresh_expires_in"]) if token.get("refresh_expires_in") else 0.0,
            claims=claims,
        )
