"""Grant scopes (rbac.md): `openova.io/<key>=<value>` pairs, ANDed within a grant; `*` matches any value."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "SCOPE_KEYS",
    "WILDCARD",
    "Scope",
    "ScopeError",
    "enforced_scopes",
    "is_cluster_wide",
    "matches",
    "merge",
    "parse_scope",
    "validate",
]

_PREFIX = "openova.io/"
SCOPE_KEYS: tuple[str, ...] = tuple(
    _PREFIX + key
    for key in (
        "provider",
        "region",
        "building-block",
        "env-type",
        "cluster",
        "managed-by",
        "sovereign",
        "organization",
        "org",
        "environment",
        "vcluster",
        "host-cluster",
        "application",
        "blueprint",
        "blueprint-version",
    )
)
# `org` is an alias: namespaces are labelled with the long form.
_ALIASES = {_PREFIX + "org": _PREFIX + "organization"}
WILDCARD = "*"
# A Kubernetes label value (what a scope is matched against).
_LABEL_VALUE = re.compile(r"(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")


class ScopeError(ValueError):
    """A scope that cannot be used; the message is the spec's, ready to show."""


@dataclass(frozen=True, slots=True, order=True)
class Scope:
    key: str
    value: str

    def __str__(self) -> str:
        return f"{self.key}={self.value}"

    def as_json(self) -> dict[str, str]:
        return {"key": self.key, "value": self.value}


def parse_scope(key: str, value: str) -> Scope:
    """A checked scope; a bare key (`application`) gets the `openova.io/` prefix, `org` becomes `organization`.

    Raises:
        ScopeError: "scope key is required", "unknown scope key: X — valid: …", "scope value is required", or
            the value is not a label value (a namespace could never carry it).
    """
    key, value = key.strip(), value.strip()
    if not key:
        raise ScopeError("scope key is required")
    full = key if "/" in key else _PREFIX + key
    if full not in SCOPE_KEYS:
        valid = ", ".join(candidate.removeprefix(_PREFIX) for candidate in SCOPE_KEYS)
        raise ScopeError(f"unknown scope key: {key} — valid: {valid}")
    if not value:
        raise ScopeError("scope value is required")
    if value != WILDCARD and not _LABEL_VALUE.fullmatch(value):
        # A namespace label can never hold it: the scope would silently reach nothing.
        raise ScopeError(
            f"scope value “{value[:40]}” is not a label value: up to 63 letters, digits, '-', '_' or '.', "
            "starting and ending with a letter or digit (or * for any)"
        )
    return Scope(_ALIASES.get(full, full), value)


def validate(pairs: Iterable[Mapping[str, object]]) -> list[Scope]:
    """Scopes from `[{"key", "value"}]` (or the legacy `{"labelKey", "labelValue"}`), sorted, duplicates dropped."""
    scopes: set[Scope] = set()
    for pair in pairs:
        key = pair.get("key", pair.get("labelKey", ""))
        value = pair.get("value", pair.get("labelValue", ""))
        scopes.add(parse_scope(str(key or ""), str(value or "")))
    return sorted(scopes)


def enforced_scopes(annotations: Mapping[str, str], annotation: str) -> list[Scope]:
    """The scopes a tier ClusterRole enforces (its JSON annotation); a malformed annotation enforces none."""
    raw = annotations.get(annotation, "")
    if not raw:
        return []
    try:
        entries = json.loads(raw)
        return validate(entry for entry in entries if isinstance(entry, dict))
    except (ValueError, TypeError):
        return []


def merge(scopes: Iterable[Scope], enforced: Iterable[Scope]) -> tuple[list[Scope], list[Scope]]:
    """`scopes` with every enforced scope present: (merged, the enforced ones that had to be added).

    An enforced key replaces a grant's own value for that key (a developer grant on env-type=prod still
    reaches only dev namespaces).
    """
    merged = {scope.key: scope for scope in scopes}
    added: list[Scope] = []
    for scope in enforced:
        if merged.get(scope.key) != scope:
            merged[scope.key] = scope
            added.append(scope)
    return sorted(merged.values()), added


def matches(labels: Mapping[str, str], scopes: Iterable[Scope]) -> bool:
    """Whether a namespace with `labels` is in every scope (`*` matches any namespace, as the seed's reconciler)."""
    return all(scope.value == WILDCARD or labels.get(scope.key) == scope.value for scope in scopes)


def is_cluster_wide(scopes: Iterable[Scope]) -> bool:
    """No scopes, or only wildcards: one ClusterRoleBinding rather than RoleBindings per namespace."""
    return all(scope.value == WILDCARD for scope in scopes)
