"""Small readers of nested wire fields shared by the CRD kinds (Flux, cert-manager, Catalyst …)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.kube.api import JsonObject
from console.kube.kinds import Column
from console.kube.objects import human_age


def field(obj: JsonObject, *path: str) -> Any:
    """The value at `path` (`field(hr, "spec", "chart", "spec", "chart")`), or None where any step is missing."""
    value: Any = obj
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def text(obj: JsonObject, *path: str) -> str:
    """The value at `path` as display text ("" when missing; booleans as True/False like kubectl)."""
    value = field(obj, *path)
    return "" if value is None or isinstance(value, dict | list) else str(value)


def items(obj: JsonObject, *path: str) -> list[Any]:
    """The list at `path` (empty when missing or not a list)."""
    value = field(obj, *path)
    return value if isinstance(value, list) else []


def number(value: object) -> float:
    """A numeric sort key from a wire value (0 when absent or not a number)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def count_column(key: str, title: str) -> Column:
    """A numeric count column (PASS, FAIL, INSTANCES …)."""
    return Column(key, title, "count", numeric=True)


def relative_time(moment: datetime | None, now: datetime) -> str:
    """`in 66d` for a future moment, `3d ago` for a past one, "" when unknown."""
    if moment is None:
        return ""
    if moment >= now:
        return f"in {human_age(now, moment)}"
    return f"{human_age(moment, now)} ago"


def short_revision(revision: str) -> str:
    """A Flux revision with its digest cut to 12 characters: `main@sha1:e31501d8d47b`."""
    head, separator, digest = revision.rpartition(":")
    if separator and len(digest) > 12 and all(ch in "0123456789abcdef" for ch in digest):
        return f"{head}:{digest[:12]}"
    return revision
