"""Front-channel endpoints: the authorization endpoint, the login form's POST target, and RP-initiated logout.

authlib's authorization server validates each authorization request (client, redirect URI, response_type, PKCE,
nonce, prompt) and issues the code; this module adds Keycloak's login form and SSO cookies around it. Errors
before the redirect URI is trusted are shown as a page (never a redirect to an unverified URI); errors after it
are sent back to the client as `error`/`error_description`/`state` query parameters.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import OAuth2Error
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sovereign_sandbox.idp.authorization_server import HttpRequest, SandboxAuthorizationServer, read_request
from sovereign_sandbox.idp.grants import AuthorizationCodeGrant
from sovereign_sandbox.idp.keycloak_errors import keycloak_wording
from sovereign_sandbox.idp.login_page import error_page, logged_out_page, login_page, logout_confirmation_page
from sovereign_sandbox.idp.provider import Grantee, Provider
from sovereign_sandbox.idp.realm import Client, User, uri_matches
from sovereign_sandbox.idp.sessions import UserSession
from sovereign_sandbox.idp.tokens import InvalidToken

__all__ = ["IDENTITY_COOKIE", "SESSION_COOKIE", "BrowserEndpoints"]

IDENTITY_COOKIE = "KEYCLOAK_IDENTITY"
SESSION_COOKIE = "KEYCLOAK_SESSION"


class BrowserEndpoints:
    def __init__(self, provider: Provider, server: SandboxAuthorizationServer):
        self.provider = provider
        self.realm = provider.realm
        self.server = server

    @property
    def _cookie_path(self) -> str:
        return f"{self.provider.base_path}/"

    def _current_session(self, request: Request) -> UserSession | None:
        return self.realm.sessions.by_cookie(
            request.cookies.get(IDENTITY_COOKIE), self.realm.lifetimes.refresh_token_seconds
        )

    def _sso_grantee(self, request: Request, parameters: dict[str, str]) -> Grantee | None:
        """The person the SSO cookie signs in, unless the session is older than `max_age`."""
        session = self._current_session(request)
        max_age = parameters.get("max_age")
        if session and max_age and max_age.isdigit() and time.time() - session.auth_time > int(max_age):
            return None
        user = self.realm.users.get(session.user_id) if session else None
        return Grantee(user, session, fresh_login=False) if session and user else None

    async def authorize(self, request: Request) -> Response:
        http = await read_request(request)
        grantee = self._sso_grantee(request, http.parameters)
        try:
            grant = self.server.get_consent_grant(http, end_user=grantee)
        except OAuth2Error as error:
            return self._refused(http, error)
        if grantee is not None and grant.prompt != "login":
            return self._issue_code(grant, grantee)
        pending = self.realm.sessions.add_pending(http.parameters, self.realm.lifetimes.login_seconds)
        return login_page(
            self._login_action(pending.tab_id, grant.client),
            realm_display=self.realm.name,
            username=http.parameters.get("login_hint", ""),
        )

    def _refused(self, http: HttpRequest, error: OAuth2Error) -> Response:
        if error.redirect_uri:
            return self.server.handle_error_response(self.server.create_oauth2_request(http), error)
        return error_page(keycloak_wording(error, http.parameters).description)

    def _login_action(self, tab_id: str, client: Client) -> str:
        query = urlencode({"client_id": client.client_id, "tab_id": tab_id})
        return f"{self.provider.issuer}/login-actions/authenticate?{query}"

    def _issue_code(self, grant: AuthorizationCodeGrant, grantee: Grantee) -> Response:
        response = self.server.create_authorization_response(grant.request, grant_user=grantee, grant=grant)
        assert grantee.session is not None, "people sign in with an SSO session"
        self._set_cookies(response, grantee.session)
        return response

    def _set_cookies(self, response: Response, session: UserSession) -> None:
        digest = hashlib.sha256(session.id.encode()).hexdigest()
        for name, value in ((IDENTITY_COOKIE, session.cookie), (SESSION_COOKIE, digest)):
            response.set_cookie(name, value, path=self._cookie_path, httponly=True, samesite="lax")

    def _clear_cookies(self, response: Response) -> None:
        for name in (IDENTITY_COOKIE, SESSION_COOKIE):
            response.delete_cookie(name, path=self._cookie_path, httponly=True, samesite="lax")

    async def authenticate(self, request: Request) -> Response:
        """The login form's POST: check the credentials, start (or renew) the SSO session, redirect with a code."""
        http = await read_request(request)
        pending = self.realm.sessions.take_pending(http.query.get("tab_id", ""))
        if pending is None:
            return error_page("Your login attempt timed out. Login will start from the beginning.")
        client = self.realm.client_by_client_id(pending.parameters["client_id"])
        assert client is not None, "pending logins are only created for known clients"
        action = self._login_action(pending.tab_id, client)
        username = http.form.get("username", "").strip()
        user = self._check_password(username, http.form.get("password", ""))
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
        resumed, grantee = http.replay(pending.parameters), Grantee(user, session)
        try:
            grant = self.server.get_consent_grant(resumed, end_user=grantee)
        except OAuth2Error as error:
            return self._refused(resumed, error)
        return self._issue_code(grant, grantee)

    def _check_password(self, username: str, password: str) -> User | None:
        user = self.realm.user_by_username(username) or self.realm.user_by_email(username)
        if user is None or user.service_account_of or user.password is None or user.password != password:
            return None
        return user

    async def logout(self, request: Request) -> Response:
        http = await read_request(request)
        if "refresh_token" in http.form:
            return self._backchannel_logout(http)
        parameters = http.parameters
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
        http = await read_request(request)
        pending = self.realm.sessions.take_pending(http.form.get("session_code", ""))
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

    def _backchannel_logout(self, http: HttpRequest) -> Response:
        invalid = OAuth2Error("Invalid refresh token", error="invalid_grant")
        try:
            client = self.server.authenticate_endpoint_client(http, "end_session")
            claims = self.provider.keys.verify(http.form["refresh_token"], refresh=True, check_expiry=False)
        except OAuth2Error as error:
            return self.server.json_error(error)
        except InvalidToken:
            return self.server.json_error(invalid)
        if claims.get("azp") != client.client_id:
            return self.server.json_error(invalid)
        self.realm.sessions.end(str(claims.get("sid")))
        return Response(status_code=204)
