"""Label and field selectors: parsing, per-kind selectable fields and matching."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FieldSelector",
    "LabelSelector",
    "Requirement",
    "SelectorError",
    "selectable_fields",
    "parse_field_selector",
    "parse_label_selector",
]

_KEY_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_KEY_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


class SelectorError(ValueError):
    """A selector that cannot be parsed or names a field the kind cannot select on."""


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str  # one of "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator == "=":
            return present and value == self.values[0]
        if self.operator == "!=":
            return not present or value != self.values[0]
        if self.operator == "in":
            return present and value in self.values
        if self.operator == "notin":
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        return not present


@dataclass(frozen=True, slots=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, obj: Mapping[str, Any]) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return all(requirement.matches(labels) for requirement in self.requirements)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif text.startswith(("==", "!="), index):
            tokens.append(text[index : index + 2])
            index += 2
        elif char in "(),=!":
            tokens.append(char)
            index += 1
        else:
            end = index
            while end < len(text) and not text[end].isspace() and text[end] not in "(),=!":
                end += 1
            tokens.append(text[index:end])
            index = end
    return tokens


def _check_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    if not _KEY_NAME.match(name) or (prefix and (len(prefix) > 253 or not _KEY_PREFIX.match(prefix))):
        raise SelectorError(
            f'unable to parse requirement: invalid label key "{key}": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        )


def _check_value(value: str) -> None:
    if len(value) > 63 or not _VALUE.match(value):
        raise SelectorError(
            f'unable to parse requirement: invalid label value: "{value}": a valid label must be an empty '
            "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character"
        )


def _is_word(token: str) -> bool:
    return token not in {"(", ")", ",", "=", "==", "!=", "!"}


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse `a=b,c!=d,e in (f,g),h notin (i),j,!k` into a selector.

    Raises:
        SelectorError: with the apimachinery-style message on malformed input.
    """
    tokens = _tokens(text or "")
    requirements: list[Requirement] = []
    position = 0

    def take() -> str:
        nonlocal position
        token = tokens[position] if position < len(tokens) else ""
        position += 1
        return token

    def peek() -> str:
        return tokens[position] if position < len(tokens) else ""

    while position < len(tokens):
        token = take()
        if token == "!":
            key = take()
            if not key or not _is_word(key):
                raise SelectorError(f"unable to parse requirement: found '{key}', expected: identifier")
            _check_key(key)
            requirements.append(Requirement(key, "!"))
        elif _is_word(token):
            _check_key(token)
            operator = peek()
            if operator in ("", ","):
                requirements.append(Requirement(token, "exists"))
            elif operator in ("=", "==", "!="):
                take()
                value = peek() if _is_word(peek()) and peek() else ""
                if value:
                    take()
                _check_value(value)
                requirements.append(Requirement(token, "!=" if operator == "!=" else "=", (value,)))
            elif operator in ("in", "notin"):
                take()
                if take() != "(":
                    raise SelectorError("unable to parse requirement: found '', expected: '('")
                values: list[str] = []
                while True:
                    item = take()
                    if item == ")":
                        break
                    if item == ",":
                        continue
                    if not item or not _is_word(item):
                        raise SelectorError(f"unable to parse requirement: found '{item}', expected: ',', ')'")
                    _check_value(item)
                    values.append(item)
                if not values:
                    raise SelectorError(
                        "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty"
                    )
                requirements.append(Requirement(token, operator, tuple(sorted(set(values)))))
            else:
                raise SelectorError(
                    f"unable to parse requirement: found '{operator}', expected: in, notin, =, ==, !=, gt, lt"
                )
        else:
            raise SelectorError(f"unable to parse requirement: found '{token}', expected: !, identifier")
        following = take() if position < len(tokens) else ","
        if following != ",":
            raise SelectorError(f"found '{following}', expected: ',' or 'end of string'")
    return LabelSelector(tuple(requirements))


def _path(*keys: str, kind: Callable[[Any], str] = lambda value: "" if value is None else str(value)):
    def get(obj: Mapping[str, Any]) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        return kind(value)

    return get


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _integer(value: Any) -> str:
    return str(int(value or 0))


def _pod_ips(value: Any) -> str:
    return ",".join(entry.get("ip", "") for entry in value or [])


_POD_FIELDS = {
    "spec.nodeName": _path("spec", "nodeName"),
    "spec.restartPolicy": _path("spec", "restartPolicy"),
    "spec.schedulerName": _path("spec", "schedulerName"),
    "spec.serviceAccountName": _path("spec", "serviceAccountName"),
    "spec.hostNetwork": _path("spec", "hostNetwork", kind=_boolean),
    "status.phase": _path("status", "phase"),
    "status.podIP": _path("status", "podIP"),
    "status.podIPs": _path("status", "podIPs", kind=_pod_ips),
    "status.nominatedNodeName": _path("status", "nominatedNodeName"),
}
_EVENT_FIELDS = {
    **{
        f"involvedObject.{field}": _path("involvedObject", field)
        for field in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
    },
    "reason": _path("reason"),
    "reportingComponent": _path("reportingComponent"),
    "source": _path("source", "component"),
    "type": _path("type"),
}
# Events read through events.k8s.io/v1 are stored in core form; `regarding` is `involvedObject` there.
_EVENTS_V1_FIELDS = {
    **{name.replace("involvedObject.", "regarding."): getter for name, getter in _EVENT_FIELDS.items()},
    "reportingController": _path("reportingComponent"),
    "deprecatedSource": _path("source", "component"),
}

# Kinds whose registry has its own field-label conversion; they report unknown fields differently.
_CONVERTED_FIELDS: dict[tuple[str, str], dict[str, Callable[[Mapping[str, Any]], str]]] = {
    ("", "pods"): _POD_FIELDS,
    ("", "events"): _EVENT_FIELDS,
    ("events.k8s.io", "events"): _EVENTS_V1_FIELDS,
    ("", "secrets"): {"type": _path("type")},
    ("", "namespaces"): {"status.phase": _path("status", "phase")},
    ("", "nodes"): {"spec.unschedulable": _path("spec", "unschedulable", kind=_boolean)},
    ("apps", "replicasets"): {"status.replicas": _path("status", "replicas", kind=_integer)},
    ("", "replicationcontrollers"): {"status.replicas": _path("status", "replicas", kind=_integer)},
    ("batch", "jobs"): {"status.successful": _path("status", "successful", kind=_integer)},
}
_COMMON_FIELDS = {"metadata.name": _path("metadata", "name"), "metadata.namespace": _path("metadata", "namespace")}


def selectable_fields(group: str, plural: str) -> dict[str, Callable[[Mapping[str, Any]], str]]:
    """Field name → getter (string value) for the fields a kind can be selected on."""
    return {**_COMMON_FIELDS, **_CONVERTED_FIELDS.get((group, plural), {})}


@dataclass(frozen=True, slots=True)
class FieldTerm:
    field: str
    negated: bool
    value: str


@dataclass(frozen=True, slots=True)
class FieldSelector:
    terms: tuple[FieldTerm, ...] = ()
    getters: tuple[Callable[[Mapping[str, Any]], str], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms

    def matches(self, obj: Mapping[str, Any]) -> bool:
        for term, getter in zip(self.terms, self.getters, strict=True):
            if (getter(obj) == term.value) == term.negated:
                return False
        return True


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def parse_field_selector(text: str | None, group: str, plural: str) -> FieldSelector:
    """Parse `a=b,c!=d` and bind each field to the kind's getter.

    Raises:
        SelectorError: malformed term, or a field the kind does not support (the message is the part after
            `Unable to find ...:` in the real server's error).
    """
    if not text:
        return FieldSelector()
    fields = selectable_fields(group, plural)
    terms: list[FieldTerm] = []
    getters = []
    for part in _split_unescaped(text, ","):
        if not part:
            continue
        for operator in ("!=", "==", "="):
            field, found, value = part.partition(operator)
            if found:
                negated = operator == "!="
                break
        else:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        field = field.strip()
        if field not in fields:
            if (group, plural) in _CONVERTED_FIELDS:
                raise SelectorError(f"field label not supported: {field}")
            raise SelectorError(f'"{field}" is not a known field selector: only "metadata.name", "metadata.namespace"')
        terms.append(FieldTerm(field, negated, value))
        getters.append(fields[field])
    return FieldSelector(tuple(terms), tuple(getters))
