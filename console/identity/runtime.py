"""The process-wide session service, built from the settings on first use."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from console.identity.claims import Identity
from console.identity.oidc import IdentityProviderUnavailable, OidcClient, OidcConfig
from console.identity.routes import session_id_from_cookie_header
from console.identity.service import SessionService
from console.identity.sessions import RedisSessionStore, SessionStore, SessionStoreUnavailable, SqliteSessionStore
from console.kube.api import ActingAs
from console.settings import Settings, get_settings


class SignInNotConfigured(RuntimeError):
    """OIDC_ISSUER is not set: nobody can sign in."""


def _store(settings: Settings) -> SessionStore:
    redis_url = os.environ.get("REFLEX_REDIS_URL", "").strip()
    if redis_url:
        return RedisSessionStore(redis_url)
    return SqliteSessionStore(Path(settings.state_dir) / "sessions.db")


@lru_cache(maxsize=1)
def session_service() -> SessionService:
    settings = get_settings()
    if not settings.oidc_issuer:
        raise SignInNotConfigured("sign-in is not configured: set OIDC_ISSUER to the Keycloak realm URL")
    oidc = OidcClient(
        OidcConfig(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            redirect_uri=f"{settings.public_url}/auth/callback",
        )
    )
    return SessionService(_store(settings), oidc)


@lru_cache(maxsize=1)
def login_cookie_secret() -> str:
    """Signs the sign-in cookie; random per process unless CONSOLE_SESSION_SECRET is set (needed for >1 worker)."""
    return get_settings().session_secret or secrets.token_urlsafe(32)


async def person_from_cookie_header(cookie_header: str) -> tuple[Identity, str] | None:
    """The signed-in person behind a raw Cookie header and their current access token, else None.

    Tokens are refreshed here when due; the access token never leaves the backend.
    """
    resolved = await session_service().resolve(session_id_from_cookie_header(cookie_header))
    if resolved is None:
        return None
    session, identity = resolved
    return identity, session.access_token


async def current_person(cookie_header: str) -> tuple[Identity, ActingAs] | None:
    """The person behind a browser session and how Kubernetes calls act for them (impersonation by default).

    With `CONSOLE_KUBE_AUTH=token` the calls carry the person's own access token instead.
    """
    person, _ = await current_person_or_outage(cookie_header)
    return person


async def current_person_or_outage(cookie_header: str) -> tuple[tuple[Identity, ActingAs] | None, str]:
    """`current_person`, and why there is none when the session could not be checked ("" otherwise): the IdP
    could not renew it, or the session store could not be read. The session is kept, and the page says so
    instead of sending the person to a sign-in that cannot work."""
    try:
        person = await person_from_cookie_header(cookie_header)
    except SignInNotConfigured:
        return None, ""
    except (IdentityProviderUnavailable, SessionStoreUnavailable) as outage:
        return None, outage.message
    if person is None:
        return None, ""
    identity, access_token = person
    if get_settings().kube_auth == "token":
        return (identity, ActingAs(bearer_token=access_token)), ""
    return (identity, ActingAs(user=identity.kube_user, groups=identity.kube_groups)), ""


async def is_signed_in(session_id: str) -> bool:
    """Whether a page load may go ahead; during an IdP outage a kept session may (its frame says what is wrong).

    Raises:
        SessionStoreUnavailable: no session can be read (the guard answers with a page that says so).
    """
    try:
        return await session_service().resolve(session_id) is not None
    except SignInNotConfigured:
        return False
    except IdentityProviderUnavailable:
        return True
