"""Kubernetes label selectors on the console side: parse what a person types, match rows' labels.

The grammar is the API server's (`k8s.io/apimachinery/pkg/labels`): comma-separated requirements, each
`key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`.
Errors name what is wrong and where (0-based character position): "unexpected ')' at position 7".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from console.kube.query_errors import QueryError

__all__ = ["Requirement", "Selector", "format_label_selector", "parse_selector"]

Operator = Literal["exists", "!exists", "=", "!=", "in", "notin", ">", "<"]

_SPECIAL = "!=(),<>"
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement of a selector."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()  # one value for =/!=/>/<, the set for in/notin, none for (!)exists

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.operator == "exists":
            return value is not None
        if self.operator == "!exists":
            return value is None
        if self.operator == "=":
            return value == self.values[0]
        if self.operator == "!=":
            return value != self.values[0]
        if self.operator == "in":
            return value is not None and value in self.values
        if self.operator == "notin":
            return value is None or value not in self.values
        try:
            number = int(value) if value is not None else None
        except ValueError:
            return False
        if number is None:
            return False
        return number > int(self.values[0]) if self.operator == ">" else number < int(self.values[0])

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "!exists":
            return f"!{self.key}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        return f"{self.key}{self.operator}{self.values[0]}"


@dataclass(frozen=True, slots=True)
class Selector:
    """Requirements that must all hold; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(requirement.matches(labels) for requirement in self.requirements)

    def __bool__(self) -> bool:
        return bool(self.requirements)

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "ident", "end", or the symbol itself: "!", "!=", "=", "==", "(", ")", ",", "<", ">"
    text: str
    position: int

    def describe(self) -> str:
        return "end of the selector" if self.kind == "end" else f"'{self.text}'"


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char in _SPECIAL:
            pair = text[position : position + 2]
            symbol = pair if pair in ("!=", "==") else char
            tokens.append(_Token(symbol, symbol, position))
            position += len(symbol)
        else:
            start = position
            while position < len(text) and not text[position].isspace() and text[position] not in _SPECIAL:
                position += 1
            tokens.append(_Token("ident", text[start:position], start))
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _check_key(token: _Token) -> str:
    key = token.text
    prefix, slash, name = key.rpartition("/")
    problem = ""
    if slash and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        problem = "the prefix before '/' must be a DNS subdomain (lower-case letters, digits, '-' and '.')"
    elif not name or len(name) > 63 or not _NAME.match(name):
        problem = "a name must be 1–63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    if problem:
        raise QueryError(f"invalid label key '{key}' at position {token.position}: {problem}")
    return key


def _check_value(token: _Token) -> str:
    value = token.text
    if value and (len(value) > 63 or not _NAME.match(value)):
        raise QueryError(
            f"invalid label value '{value}' at position {token.position}: a value must be at most 63 letters,"
            " digits, '-', '_' or '.', starting and ending with a letter or digit"
        )
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self._tokens = _tokens(text)
        self._index = 0

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._tokens[self._index]
        self._index = min(self._index + 1, len(self._tokens) - 1)
        return token

    @staticmethod
    def _unexpected(token: _Token, expected: str) -> QueryError:
        return QueryError(f"unexpected {token.describe()} at position {token.position}, expected {expected}")

    def _key(self) -> str:
        token = self._next()
        if token.kind != "ident":
            raise self._unexpected(token, "a label key")
        return _check_key(token)

    def selector(self) -> Selector:
        requirements: list[Requirement] = []
        if self._peek().kind == "end":
            return Selector()
        while True:
            requirements.append(self._requirement())
            token = self._next()
            if token.kind == "end":
                return Selector(tuple(requirements))
            if token.kind != ",":
                raise self._unexpected(token, "',' or the end of the selector")

    def _requirement(self) -> Requirement:
        if self._peek().kind == "!":
            self._next()
            return Requirement(self._key(), "!exists")
        key = self._key()
        token = self._peek()
        if token.kind in ("end", ","):
            return Requirement(key, "exists")
        self._next()
        if token.kind in ("=", "==", "!="):
            return Requirement(key, "!=" if token.kind == "!=" else "=", (self._single_value(),))
        if token.kind in ("<", ">"):
            value = self._next()
            if value.kind != "ident" or not re.fullmatch(r"-?\d+", value.text):
                raise QueryError(f"'{token.text}' needs a whole number at position {value.position}")
            return Requirement(key, ">" if token.kind == ">" else "<", (value.text,))
        if token.kind == "ident" and token.text in ("in", "notin"):
            return Requirement(key, "in" if token.text == "in" else "notin", self._value_set(token))
        raise self._unexpected(token, "'=', '==', '!=', 'in', 'notin', ',' or the end of the selector")

    def _single_value(self) -> str:
        token = self._peek()
        if token.kind in ("end", ","):
            return ""  # `key=` asks for the empty value, as the API server allows
        self._next()
        if token.kind != "ident":
            raise self._unexpected(token, "a label value")
        return _check_value(token)

    def _value_set(self, operator: _Token) -> tuple[str, ...]:
        opening = self._next()
        if opening.kind != "(":
            raise self._unexpected(opening, "'('")
        values: list[str] = []
        while True:
            token = self._next()
            if token.kind == ")" and not values:
                raise QueryError(f"'{operator.text}' at position {operator.position} needs at least one value")
            if token.kind != "ident":
                raise self._unexpected(token, "a label value")
            values.append(_check_value(token))
            token = self._next()
            if token.kind == ")":
                return tuple(values)
            if token.kind != ",":
                raise self._unexpected(token, "',' or ')'")


def parse_selector(text: str) -> Selector:
    """Parse a label selector as typed (`app=web,tier!=db`); raises `QueryError` saying what is wrong and where."""
    return _Parser(text).selector()


def format_label_selector(selector: object) -> str:
    """A `metav1.LabelSelector` (`matchLabels`, `matchExpressions`) written as selector text, "" when empty."""
    if not isinstance(selector, dict):
        return ""
    parts: list[str] = []
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, dict):
        parts.extend(f"{key}={value}" for key, value in sorted(match_labels.items()))
    expressions = selector.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else ():
        if not isinstance(expression, dict):
            continue
        key, operator = str(expression.get("key") or ""), str(expression.get("operator") or "")
        values = [str(value) for value in expression.get("values") or ()]
        if operator == "Exists":
            parts.append(key)
        elif operator == "DoesNotExist":
            parts.append(f"!{key}")
        elif operator in ("In", "NotIn"):
            parts.append(f"{key} {operator.lower()} ({','.join(values)})")
    return ",".join(parts)
