"""Renderers: raw object → list row with cells keyed by column, sort keys and one status tone."""

from __future__ import annotations

from datetime import datetime

from console.kube.api import JsonObject
from console.kube.kinds import Row, Tone
from console.kube.objects import cache_key, created_at, human_age, labels_of, name_of, uid_of

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


def format_labels(labels: dict[str, str]) -> str:
    """Labels as `key=value` lines, sorted, one per line (the view splits them into chips)."""
    return "\n".join(f"{key}={value}" for key, value in sorted(labels.items()))


def render_namespace(obj: JsonObject, now: datetime) -> Row:
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    phase = str(status.get("phase") or "Active")
    created = created_at(obj)
    name = name_of(obj)
    return Row(
        key=cache_key(obj),
        uid=uid_of(obj),
        cells={
            "name": name,
            "status": phase,
            "age": human_age(created, now),
            "labels": format_labels(labels_of(obj)),
        },
        sort_keys={
            "name": name,
            "status": phase.lower(),
            # Newest first when sorting by age ascending means "youngest first", as kubectl does.
            "age": -(created.timestamp() if created else 0.0),
            "labels": format_labels(labels_of(obj)),
        },
        tone=tone_for_status(phase),
    )
