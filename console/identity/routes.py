"""Sign-in HTTP routes on the console's backend: /login, /auth/callback, /auth/logout, /api/whoami."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import SimpleCookie

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console.identity.oidc import SignInError
from console.identity.pages import message_page
from console.identity.redirects import safe_next
from console.identity.service import SessionService
from console.identity.sessions import IDLE_TIMEOUT_SECONDS

log = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
_NEXT_KEY = "console_next"


def session_id_from_cookie_header(cookie_header: str) -> str:
    """The console session id in a raw `Cookie` header ("" when absent or malformed)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:  # a malformed header from a browser must not break the page
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def session_id_of(connection: HTTPConnection) -> str:
    return connection.cookies.get(SESSION_COOKIE, "")


class IdentityRoutes:
    """The routes, bound to one session service and cookie policy."""

    def __init__(self, service: Callable[[], SessionService], *, public_url: str, embedded: bool) -> None:
        self._service_factory = service
        self._public_url = public_url
        self._secure = public_url.startswith("https://") or embedded
        self._same_site = "none" if embedded else "lax"
        self._partitioned = embedded

    @property
    def _service(self) -> SessionService:
        return self._service_factory()

    @property
    def routes(self) -> list[Route]:
        return [
            Route("/login", self.login, methods=["GET"]),
            Route("/auth/callback", self.callback, methods=["GET"]),
            Route("/auth/logout", self.logout, methods=["GET", "POST"]),
            Route("/api/whoami", self.whoami, methods=["GET"]),
        ]

    async def login(self, request: Request) -> Response:
        request.session[_NEXT_KEY] = safe_next(request.query_params.get("next"))
        try:
            return await self._service.oidc.login_redirect(request)
        except RuntimeError as error:  # sign-in not configured (OIDC_ISSUER empty)
            return message_page("Sign-in is not configured", str(error), status=503, action_href="/login")
        except SignInError as error:
            log.warning("sign-in could not start: %s", error.message)
            return message_page("Sign-in is unavailable", error.message, status=503, action_href=request.url.path)

    async def callback(self, request: Request) -> Response:
        try:
            session = await self._service.oidc.complete_login(request)
        except SignInError as error:
            log.warning("sign-in failed: %s", error.message)
            return message_page("Sign-in failed", error.message, status=400)
        session_id = await self._service.start(session)
        response = RedirectResponse(safe_next(request.session.pop(_NEXT_KEY, "/")), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            max_age=IDLE_TIMEOUT_SECONDS,
            httponly=True,
            secure=self._secure,
            samesite=self._same_site,  # type: ignore[arg-type]
            partitioned=self._partitioned,
        )
        return response

    async def logout(self, request: Request) -> Response:
        session = await self._service.end(session_id_of(request))
        target = f"{self._public_url}/"
        if session is not None and session.id_token:
            try:
                target = await self._service.oidc.logout_url(session.id_token, target)
            except Exception as error:  # the local session is gone either way; say so rather than fail
                log.warning("RP-initiated logout unavailable: %s", error)
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(
            SESSION_COOKIE,
            secure=self._secure,
            httponly=True,
            samesite=self._same_site,  # type: ignore[arg-type]
        )
        return response

    async def whoami(self, request: Request) -> Response:
        resolved = await self._service.resolve(session_id_of(request))
        if resolved is None:
            return JSONResponse({"error": "not signed in"}, status_code=401, headers={"Cache-Control": "no-store"})
        _, identity = resolved
        return JSONResponse(identity.whoami(), headers={"Cache-Control": "no-store"})
