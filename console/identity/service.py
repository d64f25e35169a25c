"""Resolve a browser's session to a person, refreshing tokens before they expire (one refresh at a time)."""

from __future__ import annotations

import time

from console.identity.claims import Identity, identity_from_claims
from console.identity.oidc import OidcClient, SessionExpired
from console.identity.sessions import Session, SessionStore, new_session_id

# Refresh when less than this is left, so no request goes out with a token about to expire.
REFRESH_MARGIN_SECONDS = 60
# Write `last_seen` back at most this often (idle timeout bookkeeping without a write per request).
TOUCH_INTERVAL_SECONDS = 60


class SessionService:
    def __init__(self, store: SessionStore, oidc: OidcClient) -> None:
        self.store = store
        self.oidc = oidc

    async def start(self, session: Session) -> str:
        """Store a new session; return the opaque id for the cookie."""
        session_id = new_session_id()
        await self.store.put(session_id, session)
        return session_id

    async def resolve(self, session_id: str | None) -> tuple[Session, Identity] | None:
        """The live session and its person, or None (no such session, or its refresh failed)."""
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
                    await self.store.put(session_id, session)
        elif now - session.last_seen > TOUCH_INTERVAL_SECONDS:
            session.last_seen = now
            await self.store.put(session_id, session)
        return session, identity_from_claims(session.claims)

    async def end(self, session_id: str | None) -> Session | None:
        """Forget a session; return it so the caller can end the IdP session too."""
        if not session_id:
            return None
        session = await self.store.get(session_id)
        await self.store.delete(session_id)
        return session
