"""Sign-in HTTP routes on the console's backend: /login, /auth/callback, /auth/logout (and
/auth/logout/everywhere), /auth/backchannel-logout (called by Keycloak), /api/whoami."""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from console.identity.backchannel import InvalidLogoutToken, end_sessions, validate_logout_token
from console.identity.oidc import IdentityProviderUnavailable, SignInError
from console.identity.pages import message_page, popup_done_page
from console.identity.redirects import safe_next
from console.identity.service import SessionService
from console.identity.sessions import IDLE_TIMEOUT_SECONDS, Session, new_session_id

log = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
_NEXT_KEY = "console_next"
_POPUP_KEY = "console_popup"


def session_id_from_cookie_header(cookie_header: str) -> str:
    """The console session id in a raw `Cookie` header ("" when absent or malformed)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:  # a malformed header from a browser must not break the page
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
            Route("/auth/logout/everywhere", self.logout_everywhere, methods=["POST"]),
            Route("/auth/exchange", self.exchange, methods=["POST"]),
            Route("/auth/backchannel-logout", self.backchannel_logout, methods=["POST"]),
            Route("/api/whoami", self.whoami, methods=["GET"]),
        ]

    async def login(self, request: Request) -> Response:
        request.session[_NEXT_KEY] = safe_next(request.query_params.get("next"))
        # Framed consoles sign in through a popup (Keycloak refuses to be framed) and pick the session up after.
        request.session[_POPUP_KEY] = request.query_params.get("popup") == "1"
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
        if request.session.pop(_POPUP_KEY, False):
            code = new_session_id()
            await self._service.store.put_handover(code, session_id)
            return self._with_session_cookie(popup_done_page(code), session_id)
        response = RedirectResponse(safe_next(request.session.pop(_NEXT_KEY, "/")), status_code=303)
        return self._with_session_cookie(response, session_id)

    async def exchange(self, request: Request) -> Response:
        """The framed console trades the popup's one-time code for the session cookie in its own partition."""
        try:
            payload = await request.json()
        except ValueError:
            payload = {}
        code = payload.get("code") if isinstance(payload, dict) else None
        session_id = await self._service.store.take_handover(code) if isinstance(code, str) and code else None
        if session_id is None:
            return JSONResponse({"error": "the sign-in code is unknown, used or expired"}, status_code=400)
        return self._with_session_cookie(Response(status_code=204), session_id)

    def _with_session_cookie(
        self, response: Response, session_id: str, max_age: int = IDLE_TIMEOUT_SECONDS
    ) -> Response:
        # Written by hand: the standard library learns the `Partitioned` attribute (CHIPS) only in Python 3.14.
        attributes = [f"{SESSION_COOKIE}={session_id}", "Path=/", f"Max-Age={max_age}", "HttpOnly"]
        attributes.append(f"SameSite={self._same_site.capitalize()}")
        if self._secure:
            attributes.append("Secure")
        if self._partitioned:
            attributes.append("Partitioned")
        response.headers.append("set-cookie", "; ".join(attributes))
        return response

    async def logout(self, request: Request) -> Response:
        """End the console session and, server to server, its Keycloak session; then back to the console, which
        asks for a sign-in (Keycloak shows its form: its session is gone)."""
        session = await self._service.end(session_id_of(request))
        if session is not None:
            await self._end_idp_session(session)
        return self._with_session_cookie(RedirectResponse(f"{self._public_url}/", status_code=303), "", max_age=0)

    async def _end_idp_session(self, session: Session) -> None:
        if not session.refresh_token:
            return
        try:
            await self._service.oidc.end_idp_session(session.refresh_token)
        except SignInError as error:  # the console session is gone either way; say so rather than fail
            log.warning("the Keycloak session could not be ended: %s", error.message)

    async def logout_everywhere(self, request: Request) -> Response:
        """End every session of the signed-in person (all browsers, all replicas) and revoke their refresh
        tokens at Keycloak, after ending this browser's Keycloak session as /auth/logout does."""
        origin = request.headers.get("origin")
        if origin and origin != _origin_of(self._public_url):  # only the console's own pages may ask
            return message_page("Sign-out refused", "This request did not come from the console.", status=403)
        try:
            resolved = await self._service.resolve(session_id_of(request))
        except IdentityProviderUnavailable as outage:  # revoking every session needs Keycloak: nothing is ended
            return message_page(
                "Sign-out everywhere is unavailable",
                f"{outage.message}. Try again shortly.",
                status=503,
                action_href="/settings",
                action_label="Back to Settings",
            )
        if resolved is None:
            return self._with_session_cookie(RedirectResponse(f"{self._public_url}/", status_code=303), "", max_age=0)
        session, identity = resolved
        await self._end_idp_session(session)  # first: its refresh token is revoked with the others next
        ended = await self._service.end_everywhere(identity.subject)
        log.info("signed %s out everywhere: %d sessions ended", identity.username or identity.subject, ended)
        return self._with_session_cookie(RedirectResponse(f"{self._public_url}/", status_code=303), "", max_age=0)

    async def backchannel_logout(self, request: Request) -> Response:
        """OIDC Back-Channel Logout: Keycloak, server to server, says an SSO session ended; end its sessions here.

        No cookie and no Origin check: the signed logout token is the whole authority. 200 when acted on (also
        when no session matched), 400 with an OAuth error body when the token is refused.
        """
        headers = {"Cache-Control": "no-store"}
        try:
            form = await request.form()
        except Exception:  # not a form body at all
            form = None
        token = form.get("logout_token") if form is not None else None
        try:
            service = self._service
        except RuntimeError as error:  # sign-in not configured: there is nobody to sign out
            return JSONResponse({"error": "temporarily_unavailable", "error_description": str(error)}, 503, headers)
        try:
            logout = await validate_logout_token(service.oidc, service.store, token if isinstance(token, str) else "")
        except InvalidLogoutToken as error:
            log.warning("refused a back-channel logout: %s", error)
            return JSONResponse({"error": "invalid_request", "error_description": str(error)}, 400, headers)
        except Exception as error:  # the JWKS could not be fetched: the spec's answer to any failure is 400
            log.warning("cannot check a back-channel logout token: %s", error)
            description = f"the identity provider's keys are unavailable: {error}"
            return JSONResponse({"error": "invalid_request", "error_description": description}, 400, headers)
        ended = await end_sessions(service.store, logout)
        log.info(
            "back-channel logout from the identity provider (sub=%s sid=%s): %d sessions ended",
            logout.subject or "-",
            logout.sid or "-",
            len(ended),
        )
        return Response(status_code=200, headers=headers)

    async def whoami(self, request: Request) -> Response:
        try:
            resolved = await self._service.resolve(session_id_of(request))
        except IdentityProviderUnavailable as outage:
            return JSONResponse(
                {"error": f"your sign-in cannot be renewed: {outage.message}"},
                status_code=503,
                headers={"Cache-Control": "no-store", "Retry-After": "5"},
            )
        if resolved is None:
            return JSONResponse({"error": "not signed in"}, status_code=401, headers={"Cache-Control": "no-store"})
        _, identity = resolved
        return JSONResponse(identity.whoami(), headers={"Cache-Control": "no-store"})
