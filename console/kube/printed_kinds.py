"""Generic kinds for every served resource the registry does not know, with the columns the server prints.

A Job, a Role or a PriorityClass gets the list `kubectl get` shows: the server's Table columns of priority
0 (`tables.py`), the cells it printed for each object, kept live by the resource's one watch in Table form
(`KindWatch.print_tables`). NAME, NAMESPACE and AGE are the console's common columns (AGE moves with the
clock; the printed one is as old as the last change); a printed Status column becomes the toned STATUS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from console.kube.api import JsonObject, KubeApi
from console.kube.api_resources import ApiResource
from console.kube.kinds import Category, Column, Kind, RenderContext, Row
from console.kube.rows import STATUS, columns_in_order, object_row
from console.kube.tables import TABLE_ACCEPT, TableColumn, cell_text, column_definitions
from console.kube.tones import tone_for_status

__all__ = ["CellsOf", "category_of", "kind_title", "printed_columns", "printed_kind", "table_columns"]

CellsOf = Callable[[JsonObject], dict[str, Any] | None]  # an object's printed cells by column name
_COMMON = {"name", "namespace", "age"}  # printed columns the console's own common columns replace
_NUMERIC_TYPES = ("integer", "number")

# API groups by what their resources are about: the chip colour and the More menu's section.
_CATEGORIES: dict[str, Category] = {
    "apps": "workload",
    "batch": "workload",
    "autoscaling": "workload",
    "policy": "workload",
    "scheduling.k8s.io": "workload",
    "networking.k8s.io": "network",
    "discovery.k8s.io": "network",
    "gateway.networking.k8s.io": "network",
    "storage.k8s.io": "storage",
    "rbac.authorization.k8s.io": "access",
    "certificates.k8s.io": "access",
}
_CORE_CATEGORIES: dict[str, Category] = {
    "serviceaccounts": "access",
    "persistentvolumeclaims": "storage",
    "persistentvolumes": "storage",
    "endpoints": "network",
    "services": "network",
    "pods": "workload",
    "podtemplates": "workload",
    "replicationcontrollers": "workload",
    "nodes": "compute",
}


def category_of(resource: ApiResource) -> Category:
    """Where a resource sits: by its API group, core resources one by one; cluster machinery otherwise."""
    if not resource.path.group:
        return _CORE_CATEGORIES.get(resource.path.plural, "config")
    return _CATEGORIES.get(resource.path.group, "cluster")


def kind_title(kind: str, plural: str) -> str:
    """`PodDisruptionBudget` → "Pod Disruption Budgets" (the plural from the resource's own plural)."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", kind) or [plural]
    singular = " ".join(words)
    if plural.lower().startswith(kind.lower()) and len(plural) > len(kind):
        return singular + plural[len(kind) :]  # "es", "s"
    if kind.endswith("y") and plural.lower().endswith("ies"):
        return singular[:-1] + "ies"
    return singular + "s" if not singular.endswith("s") else singular


async def table_columns(api: KubeApi, resource: ApiResource) -> list[TableColumn]:
    """The columns the server prints for a resource (one `?limit=1` Table request)."""
    table = await api.get(resource.path.collection(), {"limit": 1}, accept=TABLE_ACCEPT)
    return column_definitions(table)


def _column_key(name: str, taken: set[str]) -> str:
    base = "p_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "column")
    key, suffix = base, 2
    while key in taken:
        key, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(key)
    return key


def printed_columns(definitions: list[TableColumn]) -> list[tuple[Column, TableColumn]]:
    """The list's own columns for the printed ones (priority 0, in the server's order, common ones left out)."""
    taken: set[str] = set()
    chosen = []
    for definition in definitions:
        lowered = definition.name.lower()
        if definition.priority != 0 or lowered in _COMMON or definition.format == "name":
            continue
        if lowered == "status" and "status" not in taken:
            taken.add("status")
            chosen.append((STATUS, definition))
            continue
        numeric = definition.type in _NUMERIC_TYPES
        column = Column(_column_key(definition.name, taken), definition.name.upper(), numeric=numeric)
        chosen.append((column, definition))
    return chosen


def printed_kind(
    resource: ApiResource,
    definitions: list[TableColumn],
    cells_of: CellsOf,
    *,
    kind_id: str,
    short_names: Collection[str] = (),
) -> Kind:
    """A Kind whose rows are what the server printed for each object (`cells_of` looks them up)."""
    chosen = printed_columns(definitions)

    def render(obj: JsonObject, context: RenderContext) -> Row:
        printed = cells_of(obj) or {}
        cells: dict[str, str] = {}
        sort_keys: dict[str, str | float] = {}
        status = ""
        for column, definition in chosen:
            value = printed.get(definition.name)
            text = cell_text(value) if definition.name in printed else ""
            if column is STATUS:
                status = text
                continue
            cells[column.key] = text
            if column.numeric:
                sort_keys[column.key] = float(value) if isinstance(value, int | float) else 0.0
        tone = tone_for_status(status) if status else "muted"
        return object_row(obj, context, status=status, tone=tone, cells=cells, sort_keys=sort_keys)

    return Kind(
        id=kind_id,
        title=kind_title(resource.kind, resource.path.plural),
        kind=resource.kind,
        resource=resource.path,
        category=category_of(resource),
        columns=columns_in_order(*(column for column, _ in chosen), namespaced=resource.namespaced),
        render=render,
        short_names=tuple(short_names),
    )
