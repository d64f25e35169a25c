"""Plain-words HTML pages the sign-in routes answer with when something goes wrong."""

from __future__ import annotations

import json
from html import escape

from starlette.responses import HTMLResponse

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Sovereign Console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f7f9; color: #1f2328; display: grid;
       place-items: center; min-height: 100vh; margin: 0; }}
main {{ background: #fff; border: 1px solid #d0d7de; border-radius: 10px; padding: 28px 32px; max-width: 460px; }}
h1 {{ font-size: 1.2rem; margin: 0 0 8px; }} p {{ color: #57606a; line-height: 1.5; }}
a {{ display: inline-block; margin-top: 8px; background: #0d9488; color: #fff; padding: 8px 14px;
     border-radius: 6px; text-decoration: none; }}
@media (prefers-color-scheme: dark) {{ body {{ background: #0d1117; color: #e6edf3; }}
  main {{ background: #161b22; border-color: #30363d; }} p {{ color: #8b949e; }} }}
</style></head>
<body><main data-testid="auth-message"><h1>{title}</h1><p>{message}</p>
<a href="{action_href}" data-testid="auth-action">{action_label}</a></main></body></html>"""


def message_page(
    title: str,
    message: str,
    *,
    status: int = 400,
    action_href: str = "/login",
    action_label: str = "Sign in again",
    retry_seconds: int | None = None,
) -> HTMLResponse:
    """A plain page with one action; with `retry_seconds` it reloads itself that often (a meta refresh: the
    console's CSP allows no inline script) and says so with `Retry-After`. `action_href` "" is this page."""
    headers = {"Cache-Control": "no-store"}
    refresh = ""
    if retry_seconds is not None:
        headers["Retry-After"] = str(retry_seconds)
        refresh = f'\n<meta http-equiv="refresh" content="{int(retry_seconds)}">'
    return HTMLResponse(
        _PAGE.format(
            title=escape(title),
            message=escape(message),
            action_href=escape(action_href, quote=True),
            action_label=escape(action_label),
            refresh=refresh,
        ),
        status_code=status,
        headers=headers,
    )


_POPUP_DONE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed in · Sovereign Console</title></head>
<body style="font-family: system-ui, sans-serif; padding: 24px">
<p data-testid="popup-done">Signed in. You can close this window.</p>
<script>
  // Hand the framed console a one-time code; only a window of this same origin may receive it.
  if (window.opener) {{
    window.opener.postMessage({{ type: "console-signed-in", code: {code} }}, window.location.origin);
    window.close();
  }}
</script></body></html>"""


def popup_done_page(code: str) -> HTMLResponse:
    """The end of a popup sign-in: tells the framed console (the opener) how to pick up the session."""
    return HTMLResponse(
        _POPUP_DONE.format(code=json.dumps(code)),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
