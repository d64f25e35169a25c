"""Credentials never reach the console's logs, whoever wrote the line.

Reflex logs a failed event with the whole event, the socket's request headers included (the session cookie
with them); a library may log a URL or a header with a token. Every line our handlers write passes through
`redact` last, so the session id, bearer and JWT tokens (access, refresh and ID tokens are all JWTs) and
cookie or authorization header values are replaced wherever they appear in the message or a traceback.
"""

from __future__ import annotations

import re

__all__ = ["REDACTED", "redact"]

REDACTED = "[redacted]"

_PATTERNS = (
    # Three JWT segments (the signature may be absent in what a line cut short).
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?"),
    # A header value, as a dict repr or JSON shows it: 'cookie': '…', "authorization": "…".
    re.compile(
        r"""(?P<keep>["']?(?:cookie|set-cookie|authorization|proxy-authorization)["']?\s*[:=]\s*)"""
        r"""(?P<quote>["'])(?:(?!(?P=quote)).)*(?P=quote)""",
        re.IGNORECASE,
    ),
    # The session cookie or a bearer token anywhere else (a raw header line, a URL).
    re.compile(r"(?P<keep>console_session=)[^;\s'\"&,]+"),
    re.compile(r"(?P<keep>\bBearer\s+)[A-Za-z0-9._~+/=-]{16,}", re.IGNORECASE),  # a token, not a word
)


def _replacement(match: re.Match[str]) -> str:
    groups = match.groupdict()
    keep = groups.get("keep") or ""
    quote = groups.get("quote") or ""
    return f"{keep}{quote}{REDACTED}{quote}"


def redact(text: str) -> str:
    """`text` with every credential replaced by `[redacted]` (the name of the header or cookie kept)."""
    for pattern in _PATTERNS:
        text = pattern.sub(_replacement, text)
    return text
