"""Scopes a person can narrow every page to: a namespace, or an Organization or Environment (namespace labels)."""

from __future__ import annotations

from collections.abc import Iterable

from console.kube.api import JsonObject
from console.kube.objects import labels_of, name_of

# Which namespace labels name a namespace's Organization and Environment (first present wins; crds.md).
SCOPE_LABELS: dict[str, tuple[str, ...]] = {
    "organization": ("catalyst.openova.io/organization", "openova.io/organization"),
    "environment": ("catalyst.openova.io/environment", "openova.io/environment"),
}


def _label(namespace: JsonObject, scope_kind: str) -> str:
    labels = labels_of(namespace)
    return next((labels[key] for key in SCOPE_LABELS[scope_kind] if labels.get(key)), "")


def scope_choices(namespaces: Iterable[JsonObject]) -> list[dict[str, str]]:
    """Picker entries: every Organization and Environment found on namespaces, then every namespace."""
    namespaces = list(namespaces)
    choices: list[dict[str, str]] = []
    for scope_kind, group in (("organization", "Organizations"), ("environment", "Environments")):
        values = sorted({_label(namespace, scope_kind) for namespace in namespaces} - {""})
        choices += [{"value": f"{scope_kind}:{value}", "label": value, "group": group} for value in values]
    choices += [
        {"value": f"namespace:{name}", "label": name, "group": "Namespaces"}
        for name in sorted(name_of(namespace) for namespace in namespaces)
    ]
    return choices


def namespaces_in_scope(namespaces: Iterable[JsonObject], scope_kind: str, value: str) -> frozenset[str]:
    """The namespaces an Organization or Environment stands for."""
    return frozenset(name_of(namespace) for namespace in namespaces if _label(namespace, scope_kind) == value)
