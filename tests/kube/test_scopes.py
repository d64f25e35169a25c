"""Scope picker entries, and the namespaces an Organization or Environment stands for."""

from __future__ import annotations

from console.kube.scopes import namespaces_in_scope, scope_choices


def _namespace(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}}


NAMESPACES = [
    _namespace("acme-prod", **{"catalyst.openova.io/organization": "acme", "catalyst.openova.io/environment": "prod"}),
    _namespace("acme-dev", **{"catalyst.openova.io/organization": "acme", "catalyst.openova.io/environment": "dev"}),
    _namespace("kube-system"),
]


def test_choices_list_organizations_then_environments_then_namespaces():
    groups = [choice["group"] for choice in scope_choices(NAMESPACES)]
    assert groups == sorted(groups, key=["Organizations", "Environments", "Namespaces"].index)
    assert {"value": "namespace:kube-system", "label": "kube-system", "group": "Namespaces"} in scope_choices(
        NAMESPACES
    )


def test_namespaces_of_an_organization():
    assert namespaces_in_scope(NAMESPACES, "organization", "acme") == {"acme-prod", "acme-dev"}
    assert namespaces_in_scope(NAMESPACES, "environment", "dev") == {"acme-dev"}
