"""Server-rendered pages: the login form (Keycloak's element ids), logout confirmation, and error pages.

The ids and names match Keycloak's `login.ftl` (`kc-form-login`, `username`, `password`, `kc-login`), so browser
automation written for the sandbox also signs in against a real Keycloak.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

__all__ = ["error_page", "logged_out_page", "login_page", "logout_confirmation_page"]

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f0f2f5;margin:0}
#kc-content{max-width:420px;margin:10vh auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 1.5rem}label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #bbb;
border-radius:4px}input[type=submit],button{margin-top:1.4rem;width:100%;padding:.6rem;border:0;border-radius:4px;
background:#0066cc;color:#fff;font-size:1rem;cursor:pointer}
.alert-error{background:#fdecea;color:#a4000f;padding:.6rem;border-radius:4px;margin-bottom:1rem}
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    document = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # An inline icon: otherwise the browser asks for /favicon.ico, which the IdP does not serve (a 404 in
        # the console of every sign-in, which browser tests count as an error).
        '<link rel="icon" href="data:,">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body id="keycloak-bg"><div id="kc-content"><div id="kc-content-wrapper">{body}</div></div></body></html>'
    )
    # Login pages must never be cached or framed, as Keycloak's are not.
    headers = {"Cache-Control": "no-store, must-revalidate, max-age=0", "X-Frame-Options": "SAMEORIGIN"}
    return HTMLResponse(document, status_code=status_code, headers=headers)


def login_page(action: str, *, realm_display: str, username: str = "", error: str | None = None) -> HTMLResponse:
    alert = (
        f'<div class="alert-error" id="input-error" aria-live="polite"><span class="kc-feedback-text">'
        f"{escape(error)}</span></div>"
        if error
        else ""
    )
    invalid = ' aria-invalid="true"' if error else ""
    body = f"""
<h1 id="kc-page-title">Sign in to your account</h1>
<p id="kc-realm">{escape(realm_display)}</p>
{alert}
<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="{escape(action)}" method="post">
  <label for="username">Username or email</label>
  <input tabindex="1" id="username" name="username" value="{escape(username)}" type="text" autofocus
    autocomplete="username"{invalid}>
  <label for="password">Password</label>
  <input tabindex="2" id="password" name="password" type="password" autocomplete="current-password"{invalid}>
  <input type="hidden" id="id-hidden-input" name="credentialId" value="">
  <input tabindex="4" name="login" id="kc-login" type="submit" value="Sign In">
</form>"""
    return _page(f"Sign in to {realm_display}", body)


def error_page(message: str, status_code: int = 400) -> HTMLResponse:
    body = (
        f'<h1 id="kc-page-title">We are sorry...</h1><p id="kc-error-message" class="instruction">{escape(message)}</p>'
    )
    return _page("We are sorry...", body, status_code)


def logout_confirmation_page(action: str, fields: dict[str, str]) -> HTMLResponse:
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
        if value
    )
    body = f"""
<h1 id="kc-page-title">Logging out</h1>
<p class="instruction">Do you want to log out?</p>
<form id="kc-logout-confirm" action="{escape(action)}" method="post">{hidden}
  <input tabindex="4" name="confirmLogout" id="kc-logout" type="submit" value="Logout">
</form>"""
    return _page("Logging out", body)


def logged_out_page() -> HTMLResponse:
    return _page("Signing out", '<h1 id="kc-page-title">You are logged out</h1>')
