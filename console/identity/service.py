"""Resolve a browser's session to a person, refreshing tokens before they expire (one refresh at a time).

Nothing is cached here: every request reads the shared store, so a session ended on one replica (sign out,
sign out everywhere) is refused by every replica on its next request.
"""

from __future__ import annotations

import asyncio
import logging
import time

import httpx

from console.identity.claims import Identity, identity_from_claims
from console.identity.oidc import IdentityProviderUnavailable, OidcClient, SessionExpired
from console.identity.sessions import Session, SessionStore, new_session_id

log = logging.getLogger(__name__)

# Refresh when less than this is left, so no request goes out with a token about to expire.
REFRESH_MARGIN_SECONDS = 60
# While the IdP cannot be asked, an access token with less than this left is treated as expired (a call made
# with it could arrive after it did).
ACCESS_TOKEN_SLACK_SECONDS = 5
# Write `last_seen` back at most this often (idle timeout bookkeeping without a write per request).
TOUCH_INTERVAL_SECONDS = 60
# How long signing out everywhere waits for Keycloak to revoke the refresh tokens.
REVOKE_TIMEOUT_SECONDS = 10


class SessionService:
    def __init__(self, store: SessionStore, oidc: OidcClient) -> None:
        self.store = store
        self.oidc = oidc
        self._revocation_endpoint: str | None = None

    async def start(self, session: Session) -> str:
        """Store a new session; return the opaque id for the cookie."""
        session_id = new_session_id()
        await self.store.put(session_id, session)
        return session_id

    async def resolve(self, session_id: str | None) -> tuple[Session, Identity] | None:
        """The live session and its person, or None (no such session, or the IdP refused its refresh).

        While the IdP cannot be asked, a session whose access token still holds goes on with it; one whose token
        has expired is kept for when the IdP answers again.

        Raises:
            IdentityProviderUnavailable: the access token expired and the IdP could not be asked for another.
        """
        if not session_id:
            return None
        session = await self.store.get(session_id)
        if session is None:
            return None
        now = time.time()
        if session.access_expires_at - now < REFRESH_MARGIN_SECONDS:
            async with self.store.refresh_lock(session_id):
                # Someone else may have refreshed while this request waited for the lock.
                session = await self.store.get(session_id)
                if session is None:
                    return None
                if session.access_expires_at - time.time() < REFRESH_MARGIN_SECONDS:
                    try:
                        session = await self.oidc.refresh(session)
                    except SessionExpired:
                        await self.store.delete(session_id)
                        return None
                    except IdentityProviderUnavailable as outage:
                        if session.access_expires_at - time.time() <= ACCESS_TOKEN_SLACK_SECONDS:
                            raise
                        log.warning("token refresh postponed: %s", outage.message)
                        return session, identity_from_claims(session.claims)
                    if not await self.store.update(session_id, session):  # signed out while refreshing
                        await self.revoke([session])
                        return None
        elif now - session.last_seen > TOUCH_INTERVAL_SECONDS:
            session.last_seen = now
            if not await self.store.update(session_id, session):  # signed out meanwhile: never revive it
                return None
        return session, identity_from_claims(session.claims)

    async def end(self, session_id: str | None) -> Session | None:
        """Forget a session; return it so the caller can end the IdP session too."""
        if not session_id:
            return None
        session = await self.store.get(session_id)
        await self.store.delete(session_id)
        return session

    async def end_everywhere(self, subject: str) -> int:
        """End every session of one person, in every browser and on every replica (they share the store),
        and revoke their refresh tokens at Keycloak where it offers a revocation endpoint.

        Returns:
            How many sessions ended.
        """
        sessions = await self.store.take_for_subject(subject)
        await self.revoke(sessions)
        return len(sessions)

    async def revoke(self, sessions: list[Session]) -> None:
        """Revoke the sessions' refresh tokens at the IdP (RFC 7009); best effort, the sessions are gone anyway."""
        tokens = [session.refresh_token for session in sessions if session.refresh_token]
        if not tokens:
            return
        try:
            endpoint = await self._revocation()
            if not endpoint:
                return
            config = self.oidc.config
            async with httpx.AsyncClient(timeout=REVOKE_TIMEOUT_SECONDS) as http:
                responses = await asyncio.gather(
                    *(
                        http.post(
                            endpoint,
                            data={"token": token, "token_type_hint": "refresh_token"},
                            auth=(config.client_id, config.client_secret),
                        )
                        for token in tokens
                    ),
                    return_exceptions=True,
                )
        except (httpx.HTTPError, ValueError) as error:
            log.warning("cannot revoke refresh tokens at the identity provider: %s", error)
            return
        for response in responses:
            if isinstance(response, BaseException) or response.status_code >= 400:
                log.warning("the identity provider did not revoke a refresh token: %s", _describe(response))

    async def _revocation(self) -> str:
        """The IdP's revocation endpoint from its discovery document ("" when it has none)."""
        if self._revocation_endpoint is None:
            url = f"{self.oidc.config.issuer}/.well-known/openid-configuration"
            async with httpx.AsyncClient(timeout=REVOKE_TIMEOUT_SECONDS) as http:
                response = await http.get(url)
                response.raise_for_status()
                self._revocation_endpoint = str(response.json().get("revocation_endpoint") or "")
        return self._revocation_endpoint


def _describe(outcome: httpx.Response | BaseException) -> str:
    if isinstance(outcome, BaseException):
        return str(outcome) or type(outcome).__name__
    return f"HTTP {outcome.status_code}"
