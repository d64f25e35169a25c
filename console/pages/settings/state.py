"""`/settings`: the signed-in session and the console's configuration as rows of text (never a secret)."""

from __future__ import annotations

import importlib.metadata
import platform
import time
from urllib.parse import urlsplit

import reflex as rx

from console.identity.claims import Identity
from console.identity.routes import session_id_from_cookie_header
from console.identity.runtime import SignInNotConfigured, session_service
from console.identity.sessions import IDLE_TIMEOUT_SECONDS, Session
from console.kube import runtime
from console.kube.runtime import KubeUnavailable
from console.settings import Settings, get_settings
from console.state.timing import timed_event

NOT_EMBEDDABLE = "not embeddable: X-Frame-Options SAMEORIGIN"


def _fact(label: str, value: str) -> dict[str, str]:
    return {"label": label, "value": value or "—"}


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch)) if epoch else ""


def session_facts(session: Session) -> list[dict[str, str]]:
    """When the session started, and when it ends if left idle (the console's idle timeout, or sooner when
    Keycloak's refresh token runs out first; each use pushes both further)."""
    idle_end = session.last_seen + IDLE_TIMEOUT_SECONDS
    ends = min(idle_end, session.refresh_expires_at) if session.refresh_expires_at else idle_end
    return [_fact("Session started", _when(session.created_at)), _fact("Ends if left idle", _when(ends))]


def server_url(websocket_url: str) -> str:
    """The API server's base URL from a WebSocket URL the API client built for it."""
    parts = urlsplit(websocket_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return f"{scheme}://{parts.netloc}{parts.path.removesuffix('/version').rstrip('/')}"


def identity_provider_facts(settings: Settings) -> list[dict[str, str]]:
    """Issuer and client id; the client secret is never read here."""
    return [_fact("Issuer", settings.oidc_issuer), _fact("Client id", settings.oidc_client_id)]


def embedding_facts(settings: Settings) -> list[dict[str, str]]:
    origins = ", ".join(settings.embed_allowed_origins)
    return [_fact("Allowed origins", origins or NOT_EMBEDDABLE)]


def build_facts() -> list[dict[str, str]]:
    return [
        _fact("Console", importlib.metadata.version("console")),
        _fact("Reflex", importlib.metadata.version("reflex")),
        _fact("Python", platform.python_version()),
    ]


async def cluster_facts(settings: Settings) -> list[dict[str, str]]:
    """API server URL and version, how calls act for people, and the console's namespace."""
    url, version = "", ""
    try:
        kube = runtime.current()
    except KubeUnavailable as error:
        url = f"unavailable: {error}"
    else:
        websocket_url, _, _ = await kube.api.websocket_target("/version", [])
        url, version = server_url(websocket_url), await kube.server_version.text()
    return [
        _fact("API server", url),
        _fact("Version", version or "unknown (the API server did not answer)"),
        _fact("Auth mode", f"{settings.kube_auth} (CONSOLE_KUBE_AUTH)"),
        _fact("Console namespace", settings.console_namespace),
    ]


async def _signed_in(cookie_header: str) -> tuple[Session, Identity] | None:
    try:
        return await session_service().resolve(session_id_from_cookie_header(cookie_header))
    except SignInNotConfigured:
        return None


class SettingsState(rx.State):
    """What /settings shows; loaded when the page opens."""

    loaded: bool = False
    is_owner: bool = False
    groups: list[str] = []
    session: list[dict[str, str]] = []  # label, value
    cluster: list[dict[str, str]] = []
    identity_provider: list[dict[str, str]] = []
    embedding: list[dict[str, str]] = []
    build: list[dict[str, str]] = []

    @timed_event
    async def open_settings(self):
        resolved = await _signed_in(self.router.headers.cookie)
        if resolved is None:  # the session check signs the person in
            self.loaded = False
            return
        session, identity = resolved
        settings = get_settings()
        self.is_owner = identity.has_tier("owner")
        self.groups = list(identity.groups)
        self.session = session_facts(session)
        self.cluster = await cluster_facts(settings)
        self.identity_provider = identity_provider_facts(settings)
        self.embedding = embedding_facts(settings)
        self.build = build_facts()
        self.loaded = True
