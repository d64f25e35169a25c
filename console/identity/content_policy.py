"""The Content-Security-Policy of the console's HTML: scripts only from the console itself or inline ones
whose exact text it served (hash-based), nothing loaded from elsewhere, framing per the embedding allow-list.

Reflex's export inlines a few scripts per page (React Router's context, React's streaming helpers, the theme
script, the console's storage fallback): they are hashed as served, so an injected script (XSS) never runs.
Styles keep 'unsafe-inline': Radix Themes and the graph set style attributes at run time, and a style cannot
run code. Scripts keep 'unsafe-eval' because Reflex 0.10 runs what an event handler returns for the browser
(a toast, a download, setting a field) by evaluating it; no such code comes from anywhere but the console's
own handlers, and an injected <script> or on* attribute still never runs (no 'unsafe-inline').
"""

from __future__ import annotations

import base64
import hashlib
import re

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\ssrc\s*=)[^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)


def inline_script_hashes(html: bytes) -> list[str]:
    """CSP source expressions ('sha256-…') for each distinct inline script of the page, in order of first use."""
    hashes: dict[str, None] = {}
    for body in _INLINE_SCRIPT.findall(html):
        if body.strip():
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            hashes[f"'sha256-{digest}'"] = None
    return list(hashes)


def page_policy(html: bytes, *, frame_ancestors: str, form_targets: tuple[str, ...] = ()) -> str:
    """The policy of one HTML response: its own inline scripts allowed by hash, everything else 'self'."""
    scripts = " ".join(("'self'", "'unsafe-eval'", *inline_script_hashes(html)))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",  # the event, log, exec and graph sockets are same-origin
            "worker-src 'self' blob:",  # the graph lays out in a web worker
            "object-src 'none'",
            "base-uri 'self'",
            # Signing out posts to the console, which redirects to Keycloak's end-session endpoint.
            " ".join(("form-action 'self'", *form_targets)),
            f"frame-ancestors {frame_ancestors}",
        )
    )
