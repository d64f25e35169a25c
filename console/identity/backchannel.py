"""OIDC Back-Channel Logout 1.0, receiving side: Keycloak POSTs a logout token when an SSO session ends
(the person signed out at Keycloak, an admin logged them out, disabled or deleted them), and the console ends
the sessions that came from it.

The token is checked as section 2.6 of the spec asks: signature by a key of the IdP's JWKS, `iss`, `aud`
naming our client, `iat` recent, the back-channel logout event, `sub` or `sid`, no `nonce`, and a `jti` not
seen before. Used `jti`s are remembered in the shared session store for the token's lifetime, so a token
replayed to another replica is refused too. Sessions end in the shared store, so every replica refuses them
on their next request.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError

from console.identity.oidc import OidcClient
from console.identity.sessions import Session, SessionStore

log = logging.getLogger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A logout token issued longer ago than this is refused (the spec leaves the window to the receiver).
MAX_AGE_SECONDS = 300
# Tolerated clock difference between Keycloak and the console.
LEEWAY_SECONDS = 30


class InvalidLogoutToken(Exception):
    """The logout token must not be acted on; the message is the `error_description` sent back."""


@dataclass(frozen=True, slots=True)
class LogoutRequest:
    """Whose sessions a valid logout token ends: one Keycloak session (`sid`), else every session of `sub`."""

    subject: str
    sid: str


def _check_claims(claims: dict[str, Any], *, issuer: str, client_id: str, now: float) -> LogoutRequest:
    if claims.get("iss") != issuer:
        raise InvalidLogoutToken("the logout token's issuer is not the console's identity provider")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise InvalidLogoutToken("the logout token is not addressed to the console")
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        raise InvalidLogoutToken("the logout token has no issue time")
    if issued > now + LEEWAY_SECONDS or issued < now - MAX_AGE_SECONDS - LEEWAY_SECONDS:
        raise InvalidLogoutToken("the logout token was not issued recently")
    expires = claims.get("exp")
    if expires is not None and (not isinstance(expires, int | float) or expires < now - LEEWAY_SECONDS):
        raise InvalidLogoutToken("the logout token has expired")
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise InvalidLogoutToken("the logout token carries no back-channel logout event")
    if "nonce" in claims:
        raise InvalidLogoutToken("a logout token must not carry a nonce")
    subject, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(subject, str) and subject) and not (isinstance(sid, str) and sid):
        raise InvalidLogoutToken("the logout token names neither a subject nor a session")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise InvalidLogoutToken("the logout token has no jti")
    return LogoutRequest(subject=subject if isinstance(subject, str) else "", sid=sid if isinstance(sid, str) else "")


async def validate_logout_token(oidc: OidcClient, store: SessionStore, token: str) -> LogoutRequest:
    """The logout token's request, once; raises InvalidLogoutToken for anything the spec says to refuse."""
    if not token:
        raise InvalidLogoutToken("logout_token is missing")
    try:
        claims = await oidc.decode_signed(token)
    except (JoseError, ValueError) as error:
        raise InvalidLogoutToken(f"the logout token's signature does not verify: {error}") from error
    now = time.time()
    request = _check_claims(claims, issuer=oidc.config.issuer, client_id=oidc.config.client_id, now=now)
    # Remember the jti as long as the token could still be accepted, on every replica (the shared store).
    until = max(float(claims.get("exp") or 0), float(claims["iat"]) + MAX_AGE_SECONDS) + LEEWAY_SECONDS
    if not await store.first_use(f"logout:{claims['iss']}:{claims['jti']}", until):
        raise InvalidLogoutToken("the logout token was already used")
    return request


async def end_sessions(store: SessionStore, request: LogoutRequest) -> list[Session]:
    """End the sessions the logout names: those of its Keycloak session (`sid`), else all of the subject's.

    With `sid` present, sessions of the same person from other Keycloak sessions (another browser) stay.
    """
    if request.sid:
        return await store.take_for_idp_session(request.sid)
    return await store.take_for_subject(request.subject)
