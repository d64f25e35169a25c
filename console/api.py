"""Every HTTP route and ASGI middleware the console adds to Reflex's backend, joined in one place."""

from __future__ import annotations

from reflex.utils.prerequisites import get_web_dir
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from console.frontend import frontend_routes
from console.identity.guard import ConsoleGuard, origin_of
from console.identity.routes import SESSION_COOKIE, IdentityRoutes
from console.identity.runtime import is_signed_in, login_cookie_secret, session_service
from console.observability.health import health_routes
from console.observability.logs import configure_logging
from console.observability.metrics import metrics_routes
from console.observability.request_log import RequestLog
from console.settings import get_settings
from console.streams.exec import exec_routes
from console.streams.graph import graph_routes
from console.streams.logs import log_routes


def build_routes() -> Starlette:
    """Our routes; Reflex mounts its own app behind them."""
    settings = get_settings()
    embedded = bool(settings.embed_allowed_origins)
    routes = IdentityRoutes(session_service, public_url=settings.public_url, embedded=embedded)
    return Starlette(
        routes=[
            *health_routes(),
            *metrics_routes(),
            *routes.routes,
            *log_routes(),
            *exec_routes(),
            *graph_routes(),
            *frontend_routes(get_web_dir()),
        ],
        middleware=[
            # Carries OIDC state, nonce and PKCE verifier between /login and /auth/callback only.
            Middleware(
                SessionMiddleware,
                secret_key=login_cookie_secret(),
                session_cookie="console_login",
                max_age=600,
                same_site="none" if embedded else "lax",
                https_only=settings.public_url.startswith("https://") or embedded,
            )
        ],
    )


def guard(app: ASGIApp) -> ASGIApp:
    settings = get_settings()
    return ConsoleGuard(
        app,
        public_url=settings.public_url,
        allowed_origins=settings.embed_allowed_origins,
        signed_in=is_signed_in,
        session_cookie=SESSION_COOKIE,
        form_targets=(origin_of(settings.oidc_issuer),) if settings.oidc_issuer else (),
    )


def request_log(app: ASGIApp) -> ASGIApp:
    """Outermost: one JSON line per request (redirects to sign-in and framing refusals included)."""
    return RequestLog(app, session_cookie=SESSION_COOKIE)


def api_transformers() -> list[Starlette | object]:
    """For `rx.App(api_transformer=...)`: our routes first, then the guard around everything, then the request
    log around that. Configures the backend's logging (`CONSOLE_LOG_FORMAT`): this runs in the backend process."""
    configure_logging(get_settings().log_format)
    return [build_routes(), guard, request_log]
