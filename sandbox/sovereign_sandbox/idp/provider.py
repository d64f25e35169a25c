"""What every endpoint shares: the realm, the issuer, the keys; bearer checks and the token generator."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox.idp.claims import access_claims, refresh_claims, user_claims
from sovereign_sandbox.idp.realm import Client, Realm, User, response_scope
from sovereign_sandbox.idp.sessions import UserSession
from sovereign_sandbox.idp.tokens import InvalidToken, SigningKeys

__all__ = ["Bearer", "Grantee", "Provider"]


@dataclass
class Bearer:
    """A verified access token and the user it was issued to."""

    claims: dict[str, Any]
    user: User


@dataclass(frozen=True)
class Grantee:
    """Whom a token is for; authlib's grants carry it as their `user`.

    A person with an SSO session, or (session None) the service account of a client.
    """

    user: User
    session: UserSession | None = None
    fresh_login: bool = True  # acr "1": the person typed a password for this grant
    nonce: str | None = None  # the sign-in's nonce, repeated in ID tokens from a refresh
    client_address: str | None = None  # service accounts: the clientHost / clientAddress claims


class Provider:
    def __init__(self, realm: Realm, issuer: str, keys: SigningKeys | None = None):
        self.realm = realm
        self.issuer = issuer.rstrip("/")
        self.keys = keys or SigningKeys()

    @property
    def base_path(self) -> str:
        return f"/realms/{self.realm.name}"

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

    def generate_token(
        self,
        grant_type: str,
        client: Client,
        user: Grantee | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """authlib's token generator: Keycloak's RS256 access token, HS512 refresh token and response body.

        `expires_in` is ignored: lifetimes are the realm's. The ID token is added afterwards by authlib's OpenID
        extensions; a service account gets neither a refresh token nor a session, as in Keycloak.
        """
        assert user is not None, "every grant here issues tokens to a person or a service account"
        session, lifetimes = user.session, self.realm.lifetimes
        scope = response_scope(scope, service_account=session is None)
        access = access_claims(
            self.realm,
            self.issuer,
            client,
            user.user,
            scope=scope,
            session_id=session.id if session else None,
            auth_time=session.auth_time if session else None,
            fresh_login=user.fresh_login,
            client_address=user.client_address,
        )
        token: dict[str, Any] = {"access_token": self.keys.sign(access), "expires_in": lifetimes.access_token_seconds}
        if session is not None and include_refresh_token:
            refresh = refresh_claims(
                self.realm,
                self.issuer,
                client,
                user.user,
                session_id=session.id,
                scope=scope,
                expires=int(time.time()) + lifetimes.refresh_token_seconds,
            )
            token |= {
                "refresh_expires_in": lifetimes.refresh_token_seconds,
                "refresh_token": self.keys.sign_refresh(refresh),
            }
        else:
            token["refresh_expires_in"] = 0
        token |= {"token_type": "Bearer", "not-before-policy": 0}
        if session is not None:
            token["session_state"] = session.id
        return token | {"scope": scope}

    def userinfo(self, user: User) -> dict[str, Any]:
        return {"sub": user.id} | user_claims(self.realm, user)
