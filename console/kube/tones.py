"""Status tones (spec cloud.md §2): always shown with their text, never colour alone."""

from __future__ import annotations

from console.kube.kinds import Tone

_TONE_BY_STATUS: dict[str, Tone] = {
    "active": "ok",
    "running": "ok",
    "ready": "ok",
    "bound": "ok",
    "available": "ok",
    "pending": "warn",
    "containercreating": "warn",
    "progressing": "warn",
    "failed": "err",
    "evicted": "err",
    "released": "err",
    "lost": "err",
    "oomkilled": "err",
    "imagepullbackoff": "err",
    "errimagepull": "err",
    "succeeded": "muted",
    "completed": "muted",
    "terminating": "muted",
    "unknown": "muted",
}


def tone_for_status(status: str) -> Tone:
    """The k9s-style tone of a status word (spec: cloud.md §2); unknown words are muted."""
    word = status.strip().lower()
    if word.startswith(("crashloop", "error")):
        return "err"
    return _TONE_BY_STATUS.get(word, "muted")
