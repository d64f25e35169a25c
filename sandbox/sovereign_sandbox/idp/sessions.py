"""Live state of the IdP: SSO sessions, pending logins, authorization codes, the current refresh token per client.

A refresh token is honoured only while it is the newest one issued to its client in its session, which is how
Keycloak's "Revoke Refresh Token" (max reuse 0) behaves: every refresh rotates it and the old one dies.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from authlib.oidc.core import AuthorizationCodeMixin

__all__ = ["AuthorizationCode", "ClientSession", "PendingLogin", "SessionStore", "UserSession"]


@dataclass
class ClientSession:
    """What one client holds in a user session: its current refresh token id and the sign-in's nonce."""

    client_id: str
    refresh_token_id: str | None = None
    nonce: str | None = None


@dataclass
class UserSession:
    id: str  # the `sid` claim
    user_id: str
    auth_time: int
    last_refresh: float
    cookie: str  # opaque value of the HttpOnly KEYCLOAK_IDENTITY cookie
    clients: dict[str, ClientSession] = field(default_factory=dict)

    def client(self, client_id: str) -> ClientSession:
        return self.clients.setdefault(client_id, ClientSession(client_id))


@dataclass
class PendingLogin:
    """An authorization request waiting for the login form (Keycloak's authentication session, one per tab)."""

    tab_id: str
    parameters: dict[str, str]
    expires: float


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    """An issued code; the mixin's getters are what authlib's code grant and OpenIDCode read back."""

    code: str
    client_id: str
    redirect_uri: str
    session_id: str
    auth_time: int
    scope: str
    nonce: str | None
    code_challenge: str | None  # read by authlib's CodeChallenge
    code_challenge_method: str | None
    expires: float
    fresh_login: bool  # acr "1" when the user typed a password for this request, "0" when the SSO cookie did

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class SessionStore:
    def __init__(self) -> None:
        self.sessions: dict[str, UserSession] = {}
        self.pending: dict[str, PendingLogin] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.revoked_token_ids: set[str] = set()
        # Called with every session that ends by logout (not by idle expiry), e.g. to send back-channel logouts.
        self.on_end: Callable[[UserSession], None] | None = None

    def create(self, user_id: str) -> UserSession:
        now = time.time()
        session = UserSession(
            id=str(uuid.uuid4()),
            user_id=user_id,
            auth_time=int(now),
            last_refresh=now,
            cookie=secrets.token_urlsafe(32),
        )
        self.sessions[session.id] = session
        return session

    def active(self, session_id: str | None, idle_seconds: int) -> UserSession | None:
        """The session if it exists and has been used within the idle timeout (expired ones are dropped)."""
        session = self.sessions.get(session_id or "")
        if session is None:
            return None
        if time.time() - session.last_refresh > idle_seconds:
            self.end(session.id, notify=False)  # Keycloak sends no logout token for an expired session
            return None
        return session

    def by_cookie(self, cookie: str | None, idle_seconds: int) -> UserSession | None:
        if not cookie:
            return None
        session = next((session for session in self.sessions.values() if session.cookie == cookie), None)
        return self.active(session.id, idle_seconds) if session else None

    def end(self, session_id: str, *, notify: bool = True) -> bool:
        ended = self.sessions.pop(session_id, None)
        for code in [code for code, grant in self.codes.items() if grant.session_id == session_id]:
            del self.codes[code]
        if ended is not None and notify and self.on_end is not None:
            self.on_end(ended)
        return ended is not None

    def end_user_sessions(self, user_id: str) -> None:
        for session in [session for session in self.sessions.values() if session.user_id == user_id]:
            self.end(session.id)

    def add_pending(self, parameters: dict[str, str], lifetime: int) -> PendingLogin:
        now = time.time()
        for tab_id in [tab_id for tab_id, pending in self.pending.items() if pending.expires < now]:
            del self.pending[tab_id]
        pending = PendingLogin(tab_id=secrets.token_urlsafe(8), parameters=parameters, expires=now + lifetime)
        self.pending[pending.tab_id] = pending
        return pending

    def take_pending(self, tab_id: str) -> PendingLogin | None:
        pending = self.pending.get(tab_id)
        if pending is None or pending.expires < time.time():
            self.pending.pop(tab_id, None)
            return None
        return pending

    def save_code(self, code: AuthorizationCode) -> None:
        self.codes[code.code] = code

    def nonce_in_use(self, client_id: str, nonce: str) -> bool:
        """Whether a code waiting to be redeemed by `client_id` already carries `nonce` (a replayed request)."""
        return any(code.client_id == client_id and code.nonce == nonce for code in self.codes.values())

    def redeem_code(self, code: str) -> AuthorizationCode | None:
        """Single use: the code is gone after the first attempt, whether or not that attempt succeeds."""
        grant = self.codes.pop(code, None)
        if grant is None or grant.expires < time.time():
            return None
        return grant
