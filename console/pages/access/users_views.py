"""Grants as the Users pages show them: rows of text, filtered by tier and a search, and one grant in full."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from console.rbac.matrix import condition_summary
from console.rbac.scopes import Scope, ScopeError, parse_scope
from console.rbac.tiers import TIER_LABEL, TIERS

TIER_FILTERS = ("all", *(tier.name for tier in TIERS))
MAX_ROWS = 200  # a push carries at most this many rows (a Sovereign has tens of grants, not thousands)
_PREFIX = "openova.io/"


def short_scope(key: str, value: str) -> str:
    return f"{key.removeprefix(_PREFIX)}={value}"


def scope_chip(scope: Scope) -> dict[str, str]:
    """A scope as a chip: its full key and value, and the short text shown."""
    return {"key": scope.key, "value": scope.value, "text": short_scope(scope.key, scope.value)}


def scopes_of(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for entry in spec.get("scopes") or []:
        if isinstance(entry, Mapping):
            pairs.append(
                (str(entry.get("key", entry.get("labelKey", ""))), str(entry.get("value", entry.get("labelValue", ""))))
            )
    return pairs


def scope_texts(obj: Mapping[str, Any], enforced: Mapping[str, Sequence[Scope]]) -> list[tuple[str, bool]]:
    """The grant's own scopes, then those its tier enforces that it lacks (the reconciler merges them in), as
    (short text, enforced); an enforced key replaces the grant's own value for that key."""
    own = scopes_of(obj.get("spec") or {})
    added = [scope for scope in enforced.get(tier_of(obj), ()) if (scope.key, scope.value) not in own]
    replaced = {scope.key for scope in added}
    return [(short_scope(key, value), False) for key, value in own if key not in replaced] + [
        (short_scope(scope.key, scope.value), True) for scope in added
    ]


def scopes_line(obj: Mapping[str, Any], enforced: Mapping[str, Sequence[Scope]]) -> str:
    texts = scope_texts(obj, enforced)
    return ", ".join(text + (" (enforced)" if forced else "") for text, forced in texts) or "cluster-wide"


def tier_of(obj: Mapping[str, Any]) -> str:
    spec = obj.get("spec") or {}
    return str(spec.get("tier") or ((obj.get("metadata") or {}).get("labels") or {}).get(TIER_LABEL) or "")


def grant_row(obj: Mapping[str, Any], enforced: Mapping[str, Sequence[Scope]] | None = None) -> dict[str, str]:
    """One grant as a row of the Users table (`enforced`: each tier's enforced scopes)."""
    metadata, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    user = spec.get("user") or {}
    subject = str(user.get("keycloakSubject") or "")
    groups = ", ".join(str(group) for group in user.get("keycloakGroups") or ())
    email = str(user.get("email") or "")
    condition, tone = condition_summary(status)
    if metadata.get("deletionTimestamp"):
        condition, tone = "Revoking", "progressing"
    name = str(metadata.get("name") or "")
    row = {
        "name": name,
        "who": email or subject or groups or "(no user)",
        "subject": subject if email else "",
        "groups": groups if (email or subject) else "",
        "tier": tier_of(obj),
        "scopes": scopes_line(obj, enforced or {}),
        "bindings": str(len(status.get("bindings") or [])),
        "condition": condition,
        "tone": tone,
        "href": f"/users/{name}",
    }
    row["search"] = " ".join((name, email, subject, groups, row["scopes"])).lower()
    return row


def filtered_rows(
    objects: Iterable[Mapping[str, Any]],
    tier: str,
    search: str,
    enforced: Mapping[str, Sequence[Scope]] | None = None,
) -> list[dict[str, str]]:
    """The rows of `tier` ("all": every tier) whose user, name or scopes contain `search`, by user."""
    needle = search.strip().lower()
    rows = [grant_row(obj, enforced) for obj in objects]
    rows = [row for row in rows if (tier == "all" or row["tier"] == tier) and needle in row["search"]]
    return sorted(rows, key=lambda row: (row["who"], row["name"]))


def conditions_rows(status: Mapping[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "type": str(condition.get("type") or ""),
            "status": str(condition.get("status") or ""),
            "reason": str(condition.get("reason") or ""),
            "message": str(condition.get("message") or ""),
            "since": str(condition.get("lastTransitionTime") or ""),
        }
        for condition in status.get("conditions") or []
        if isinstance(condition, Mapping)
    ]


def add_scope(chips: list[dict[str, str]], key: str, value: str) -> tuple[list[dict[str, str]], str]:
    """`chips` with one more scope, or the same chips and why not (the spec's message: "unknown scope key: …",
    "scope value is required"; a key already there is refused too: scopes within one grant are ANDed)."""
    try:
        scope = parse_scope(key, value)
    except ScopeError as problem:
        return chips, str(problem)
    for chip in chips:
        if chip["key"] == scope.key:
            if chip["value"] == scope.value:
                return chips, f"{chip['text']} is already there"
            return chips, (
                f"{short_scope(scope.key, '')[:-1]} is already scoped to {chip['value']}: remove it first "
                "(scopes within one grant are ANDed)"
            )
    return [*chips, scope_chip(scope)], ""


def chip_scopes(chips: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    return [{"key": chip["key"], "value": chip["value"]} for chip in chips]
