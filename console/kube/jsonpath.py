"""The JSONPath subset CRD printer columns use, evaluated the way kubectl prints them.

Supported steps: `.field`, `.*`, `['key.with.dots']`, `[0]`, `[-1]`, `[*]`, and filters
`[?(@.type=="Ready")]`, `[?(@.a.b!='x')]`, `[?(@.flag)]`. An optional `{…}` wrapper and leading `$` are
accepted. Missing paths give no values (an empty cell), never an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["JsonPath", "JsonPathError", "compile_path", "find_values", "format_value", "jsonpath_text"]

_FIELD = r"\.(?P<field>[A-Za-z0-9_\-$@]+|\*)"
_INDEX = r"\[(?P<index>-?\d+|\*)\]"
_QUOTED = r"""\[\s*(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)")\s*\]"""
_FILTER = (
    r"""\[\?\(\s*@(?P<path>(?:\.[A-Za-z0-9_\-]+|\['[^']*'\])+)\s*"""
    r"""(?:(?P<operator>==|!=)\s*(?P<value>'[^']*'|"[^"]*"|[^\s)]+)\s*)?\)\]"""
)
_STEP = re.compile("|".join((_FIELD, _INDEX, _QUOTED, _FILTER)))
_FILTER_PART = re.compile(r"\.([A-Za-z0-9_\-]+)|\['([^']*)'\]")


class JsonPathError(ValueError):
    """The expression is outside the supported subset; the message says where."""


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # "field", "all", "index", "filter"
    key: str = ""
    index: int = 0
    path: tuple[str, ...] = ()  # filter: the @-relative path
    operator: str = ""  # filter: "==", "!=" or "" (exists)
    value: str = ""  # filter: the literal, unquoted
    quoted: bool = False  # filter: the literal was a string


def _filter_step(match: re.Match[str]) -> _Step:
    path = tuple(field or quoted for field, quoted in _FILTER_PART.findall(match["path"]))
    literal = match["value"] or ""
    quoted = len(literal) >= 2 and literal[0] == literal[-1] and literal[0] in "'\""
    return _Step(
        "filter", path=path, operator=match["operator"] or "", value=literal[1:-1] if quoted else literal, quoted=quoted
    )


def _parse(expression: str) -> tuple[_Step, ...]:
    text = expression.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()
    text = text.removeprefix("$")
    if text and not text.startswith((".", "[")):
        text = "." + text  # `status.phase` is read as `.status.phase`, as kubectl does
    steps: list[_Step] = []
    position = 0
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None:
            raise JsonPathError(f"unsupported JSONPath {expression!r} at position {position}: {text[position:]!r}")
        position = match.end()
        if match["field"] is not None:
            steps.append(_Step("all") if match["field"] == "*" else _Step("field", key=match["field"]))
        elif match["index"] is not None:
            steps.append(_Step("all") if match["index"] == "*" else _Step("index", index=int(match["index"])))
        elif match["single"] is not None or match["double"] is not None:
            steps.append(_Step("field", key=match["single"] if match["single"] is not None else match["double"]))
        else:
            steps.append(_filter_step(match))
    return tuple(steps)


def _dig(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


def _literal_equals(actual: Any, step: _Step) -> bool:
    if isinstance(actual, bool):
        return step.value.lower() == ("true" if actual else "false")
    if isinstance(actual, int | float) and not step.quoted:
        try:
            return float(step.value) == float(actual)
        except ValueError:
            return False
    return isinstance(actual, str) and actual == step.value


def _keeps(item: Any, step: _Step) -> bool:
    found, actual = _dig(item, step.path)
    if not step.operator:
        return found and actual is not None and actual is not False
    equal = found and _literal_equals(actual, step)
    return equal if step.operator == "==" else not equal


def _apply(step: _Step, value: Any) -> list[Any]:
    if step.kind == "field":
        return [value[step.key]] if isinstance(value, dict) and step.key in value else []
    if step.kind == "all":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if step.kind == "index":
        if isinstance(value, list) and -len(value) <= step.index < len(value):
            return [value[step.index]]
        return []
    return [item for item in value if _keeps(item, step)] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled expression; `find` gives the selected values, `text` the kubectl-like cell."""

    expression: str
    steps: tuple[_Step, ...]

    def find(self, obj: Any) -> list[Any]:
        current = [obj]
        for step in self.steps:
            current = [found for value in current for found in _apply(step, value)]
            if not current:
                break
        return current

    def text(self, obj: Any) -> str:
        return ",".join(format_value(value) for value in self.find(obj) if value is not None)


@lru_cache(maxsize=1024)
def compile_path(expression: str) -> JsonPath:
    """Compile (and cache) an expression; raises `JsonPathError` outside the supported subset."""
    return JsonPath(expression, _parse(expression))


def format_value(value: Any) -> str:
    """One value as kubectl prints it: strings as they are, booleans lower-case, objects as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def find_values(obj: Any, expression: str) -> list[Any]:
    """All values the expression selects; raises `JsonPathError` for an unsupported expression."""
    return compile_path(expression).find(obj)


def jsonpath_text(obj: Any, expression: str) -> str:
    """The kubectl-like text of what the expression selects: values joined by ",", "" when nothing matches."""
    return compile_path(expression).text(obj)
