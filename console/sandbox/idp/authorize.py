"""Front-channel endpoints: the authorization endpoint, the login form's POST target, and RP-initiated logout.

Errors before the redirect URI is trusted are shown as a page (never a redirect to an unverified URI); errors
after it are sent back to the client as `error`/`error_description`/`state` query parameters.
"""

from __future__ import annotations

import hashlib
import re
import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from console.sandbox.idp.claims import response_scope
from console.sandbox.idp.login_page import error_page, logged_out_page, login_page, logout_confirmation_page
from console.sandbox.idp.oauth import read_form
from console.sandbox.idp.provider import OAuthError, Provider
from console.sandbox.idp.realm import Client, User, uri_matches
from console.sandbox.idp.sessions import UserSession
from console.sandbox.idp.tokens import InvalidToken

__all__ = ["IDENTITY_COOKIE", "SESSION_COOKIE", "BrowserEndpoints"]

IDENTITY_COOKIE = "KEYCLOAK_IDENTITY"
SESSION_COOKIE = "KEYCLOAK_SESSION"
_CODE_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


class _Redirected(Exception):
    """An error to hand back to the (already validated) redirect URI."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


class BrowserEndpoints:
    def __init__(self, provider: Provider):
        self.provider = provider
        self.realm = provider.realm

    @property
    def _cookie_path(self) -> str:
        return f"{self.provider.base_path}/"

    def _current_session(self, request: Request) -> UserSession | None:
        return self.realm.sessions.by_cookie(
            request.cookies.get(IDENTITY_COOKIE), self.realm.lifetimes.refresh_token_seconds
        )

    async def authorize(self, request: Request) -> Response:
        parameters = dict(request.query_params)
        if request.method == "POST":
            parameters |= await read_form(request)
        client = self.realm.client_by_client_id(parameters.get("client_id", ""))
        if client is None:
            return error_page("Client not found.")
        redirect_uri = parameters.get("redirect_uri", "")
        if not redirect_uri or not uri_matches(redirect_uri, client.redirect_uris):
            return error_page("Invalid parameter: redirect_uri")
        try:
            self._check_request(client, parameters)
            prompts = set(parameters.get("prompt", "").split())
            session = None if "login" in prompts else self._current_session(request)
            max_age = parameters.get("max_age")
            if session and max_age and max_age.isdigit() and time.time() - session.auth_time > int(max_age):
                session = None
            if session is not None and self.realm.users.get(session.user_id) is not None:
                return self._complete(client, parameters, session, fresh_login=False)
            if "none" in prompts:
                raise _Redirected("login_required", "")
        except _Redirected as error:
            return self._redirect(parameters, {"error": error.error, "error_description": error.description})
        pending = self.realm.sessions.add_pending(parameters, self.realm.lifetimes.login_seconds)
        return login_page(
            self._login_action(pending.tab_id, client),
            realm_display=self.realm.name,
            username=parameters.get("login_hint", ""),
        )

    def _check_request(self, client: Client, parameters: dict[str, str]) -> None:
        if client.bearer_only or not client.standard_flow:
            raise _Redirected(
                "unauthorized_client",
                "Client is not allowed to initiate browser login with given response_type. "
                "Standard flow is disabled for the client.",
            )
        response_type = parameters.get("response_type")
        if not response_type:
            raise _Redirected("invalid_request", "Missing parameter: response_type")
        if response_type != "code":
            raise _Redirected(
                "unsupported_response_type",
                "Client is not allowed to initiate browser login with given response_type. "
                "Implicit flow is disabled for the client.",
            )
        prompts = set(parameters.get("prompt", "").split())
        if "none" in prompts and len(prompts) > 1:
            raise _Redirected("invalid_request", "Invalid parameter: prompt")
        challenge, method = parameters.get("code_challenge"), parameters.get("code_challenge_method")
        if method and not challenge:
            raise _Redirected("invalid_request", "Missing parameter: code_challenge")
        if challenge is not None:
            if method not in (None, "plain", "S256"):
                raise _Redirected("invalid_request", "Invalid parameter: invalid code_challenge_method")
            if client.pkce_method and (method or "plain") != client.pkce_method:
                raise _Redirected(
                    "invalid_request", "Invalid parameter: code challenge method is not matching the configured one"
                )
            if not _CODE_CHALLENGE.match(challenge):
                raise _Redirected("invalid_request", "Invalid parameter: code_challenge")

    def _login_action(self, tab_id: str, client: Client) -> str:
        query = urlencode({"client_id": client.client_id, "tab_id": tab_id})
        return f"{self.provider.issuer}/login-actions/authenticate?{query}"

    def _complete(
        self, client: Client, parameters: dict[str, str], session: UserSession, *, fresh_login: bool
    ) -> Response:
        challenge = parameters.get("code_challenge")
        session.last_refresh = time.time()  # SSO use keeps the session alive, like a refresh
        code = self.realm.sessions.issue_code(
            session,
            client.id,
            self.realm.lifetimes.code_seconds,
            client_id=client.client_id,
            redirect_uri=parameters["redirect_uri"],
            scope=response_scope(parameters.get("scope")),
            nonce=parameters.get("nonce"),
            code_challenge=challenge,
            code_challenge_method=(parameters.get("code_challenge_method") or "plain") if challenge else None,
            fresh_login=fresh_login,
        )
        response = self._redirect(parameters, {"session_state": session.id, "code": code.code})
        self._set_cookies(response, session)
        return response

    def _redirect(self, parameters: dict[str, str], values: dict[str, str]) -> Response:
        # Keycloak sends state first and iss last (RFC 9207); empty values (no description) are left out.
        ordered = {"state": parameters.get("state", "")} | values | {"iss": self.provider.issuer}
        query = urlencode({key: value for key, value in ordered.items() if value})
        separator = (
            "#"
            if parameters.get("response_mode") == "fragment"
            else ("&" if "?" in parameters["redirect_uri"] else "?")
        )
        return RedirectResponse(f"{parameters['redirect_uri']}{separator}{query}", status_code=302)

    def _set_cookies(self, response: Response, session: UserSession) -> None:
        digest = hashlib.sha256(session.id.encode()).hexdigest()
        for name, value in ((IDENTITY_COOKIE, session.cookie), (SESSION_COOKIE, digest)):
            response.set_cookie(name, value, path=self._cookie_path, httponly=True, samesite="lax")

    def _clear_cookies(self, response: Response) -> None:
        for name in (IDENTITY_COOKIE, SESSION_COOKIE):
            response.delete_cookie(name, path=self._cookie_path, httponly=True, samesite="lax")

    async def authenticate(self, request: Request) -> Response:
        """The login form's POST: check the credentials, start (or renew) the SSO session, redirect with a code."""
        form = await read_form(request)
        pending = self.realm.sessions.take_pending(request.query_params.get("tab_id", ""))
        if pending is None:
            return error_page("Your login attempt timed out. Login will start from the beginning.")
        parameters = pending.parameters
        client = self.realm.client_by_client_id(parameters["client_id"])
        assert client is not None, "pending logins are only created for known clients"
        action = self._login_action(pending.tab_id, client)
        username = form.get("username", "").strip()
        user = self._check_password(username, form.get("password", ""))
        if user is None:
            return login_page(
                action, realm_display=self.realm.name, username=username, error="Invalid username or password."
            )
        if not user.enabled:
            return login_page(
                action,
                realm_display=self.realm.name,
                username=username,
                error="Account is disabled, contact your administrator.",
            )
        del self.realm.sessions.pending[pending.tab_id]
        session = self._current_session(request)
        if session is not None and session.user_id == user.id:
            session.auth_time = int(time.time())  # re-authentication (prompt=login) renews the same session
        else:
            if session is not None:
                self.realm.sessions.end(session.id)
            session = self.realm.sessions.create(user.id)
        return self._complete(client, parameters, session, fresh_login=True)

    def _check_password(self, username: str, password: str) -> User | None:
        user = self.realm.user_by_username(username) or self.realm.user_by_email(username)
        if user is None or user.service_account_of or user.password is None or user.password != password:
            return None
        return user

    async def logout(self, request: Request) -> Response:
        parameters = dict(request.query_params)
        if request.method == "POST":
            form = await read_form(request)
            if "refresh_token" in form:
                return self._backchannel_logout(request, form)
            parameters |= form
        hint = parameters.get("id_token_hint")
        hint_claims = None
        if hint:
            try:
                hint_claims = self.provider.keys.verify(hint, check_expiry=False)  # expired hints are fine
            except InvalidToken:
                return error_page("Invalid parameter: id_token_hint")
        client_id = parameters.get("client_id") or (hint_claims or {}).get("azp")
        if hint_claims and parameters.get("client_id") and parameters["client_id"] != hint_claims.get("azp"):
            return error_page("Parameter client_id different than the client in id_token_hint")
        redirect_uri = parameters.get("post_logout_redirect_uri")
        if redirect_uri:
            client = self.realm.client_by_client_id(client_id or "")
            if client is None:
                return error_page(
                    "Either the parameter client_id or the parameter id_token_hint is required when "
                    "post_logout_redirect_uri is used."
                )
            if not uri_matches(redirect_uri, client.post_logout_redirect_uris):
                return error_page("Invalid redirect uri")
        if hint_claims is None:
            # Without proof of who asks, Keycloak asks the user to confirm (protection against forced logout).
            pending = self.realm.sessions.add_pending(
                {
                    "client_id": client_id or "",
                    "post_logout_redirect_uri": redirect_uri or "",
                    "state": parameters.get("state", ""),
                },
                self.realm.lifetimes.login_seconds,
            )
            action = f"{self.provider.issuer}/protocol/openid-connect/logout/logout-confirm"
            return logout_confirmation_page(action, {"session_code": pending.tab_id})
        self.realm.sessions.end(str(hint_claims.get("sid")))
        return self._after_logout(request, redirect_uri, parameters.get("state"))

    async def logout_confirm(self, request: Request) -> Response:
        form = await read_form(request)
        pending = self.realm.sessions.take_pending(form.get("session_code", ""))
        if pending is None or "post_logout_redirect_uri" not in pending.parameters:
            return error_page("Logout failed")
        del self.realm.sessions.pending[pending.tab_id]
        parameters = pending.parameters
        return self._after_logout(request, parameters["post_logout_redirect_uri"], parameters["state"])

    def _after_logout(self, request: Request, redirect_uri: str | None, state: str | None) -> Response:
        session = self._current_session(request)
        if session is not None:
            self.realm.sessions.end(session.id)
        if redirect_uri:
            query = f"{'&' if '?' in redirect_uri else '?'}{urlencode({'state': state})}" if state else ""
            response: Response = RedirectResponse(redirect_uri + query, status_code=302)
        else:
            response = logged_out_page()
        self._clear_cookies(response)
        return response

    def _backchannel_logout(self, request: Request, form: dict[str, str]) -> Response:
        try:
            client = self.provider.authenticate_client(request.headers, form)
            claims = self.provider.keys.verify(form["refresh_token"], refresh=True, check_expiry=False)
        except OAuthError as error:
            return error.response()
        except InvalidToken:
            return OAuthError("invalid_grant", "Invalid refresh token").response()
        if claims.get("azp") != client.client_id:
            return OAuthError("invalid_grant", "Invalid refresh token").response()
        self.realm.sessions.end(str(claims.get("sid")))
        return Response(status_code=204)
