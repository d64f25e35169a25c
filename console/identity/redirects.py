"""Where the browser may be sent after sign-in: only a path on the console itself."""

from __future__ import annotations

from urllib.parse import urlsplit

_HOME = "/"


def safe_next(requested: str | None) -> str:
    """`requested` when it is a same-origin path, else `/` (no open redirects: CWE-601).

    Refuses absolute URLs, scheme-relative `//host`, backslash tricks browsers normalise to `//`,
    control characters, and anything that does not start with a single `/`.
    """
    if not requested or not isinstance(requested, str):
        return _HOME
    candidate = requested
    if not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return _HOME
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in candidate):
        return _HOME
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return _HOME
    return candidate
