"""The JSONPath subset CRD printer columns use: `.a.b`, `[0]`, `[*]`, `['key']` and `[?(@.k=="v")]`."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["find_values"]

_STEP = re.compile(
    r"""\.(?P<field>[A-Za-z0-9_\-$]+)"""
    r"""|\[(?P<index>-?\d+|\*)\]"""
    r"""|\[['"](?P<quoted>[^'"]+)['"]\]"""
    r"""|\[\?\(@\.(?P<filter_field>[A-Za-z0-9_.\-]+)\s*(?P<operator>==|!=)\s*['"]?(?P<filter_value>[^'")]*)['"]?\)\]"""
)


def _dig(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def find_values(obj: Any, expression: str) -> list[Any]:
    """All values the expression selects (empty when the path is missing or the expression is unsupported)."""
    text = expression.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    text = text.removeprefix("$")
    current = [obj]
    position = 0
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            return []
        position = match.end()
        following: list[Any] = []
        for value in current:
            if match["field"] is not None or match["quoted"] is not None:
                key = match["field"] if match["field"] is not None else match["quoted"]
                if isinstance(value, dict) and key in value:
                    following.append(value[key])
            elif match["index"] is not None:
                if not isinstance(value, list):
                    continue
                if match["index"] == "*":
                    following.extend(value)
                elif -len(value) <= int(match["index"]) < len(value):
                    following.append(value[int(match["index"])])
            else:
                items = value if isinstance(value, list) else []
                for item in items:
                    actual = _dig(item, match["filter_field"])
                    wanted = match["filter_value"]
                    equal = (
                        actual is not None and str(actual).lower() == wanted.lower()
                        if isinstance(actual, bool)
                        else actual is not None and str(actual) == wanted
                    )
                    if equal == (match["operator"] == "=="):
                        following.append(item)
        current = following
    return current
