"""The server's own printed form of objects: the `meta.k8s.io/v1 Table` that `kubectl get` prints.

For resources the registry has no renderer for, the console shows what the API server prints, as kubectl
does: the columns are the Table's `columnDefinitions` of priority 0, the cells come with each row. Asking
for `includeObject=Object` makes every row (and every watch event) carry the full object too, so one watch
per resource keeps both the objects (detail page, access filtering) and their printed cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.kube.api import JsonObject

TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"
INCLUDE_OBJECT = {"includeObject": "Object"}


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column the server prints for a resource (`kubectl get`'s header)."""

    name: str  # as the server spells it, e.g. "Completions"
    type: str  # OpenAPI type: string, integer, number, boolean, date
    format: str  # "name" for the NAME column, "date" …
    priority: int  # 0: printed by default; higher: only with `-o wide`


def column_definitions(table: JsonObject) -> list[TableColumn]:
    """The Table's column definitions, in the server's order (empty when the document has none)."""
    return [
        TableColumn(
            name=str(definition.get("name") or ""),
            type=str(definition.get("type") or "string"),
            format=str(definition.get("format") or ""),
            priority=int(definition.get("priority") or 0),
        )
        for definition in table.get("columnDefinitions") or ()
        if isinstance(definition, dict) and definition.get("name")
    ]


def is_table(document: object) -> bool:
    return isinstance(document, dict) and document.get("kind") == "Table"


def printed_rows(table: JsonObject, columns: list[TableColumn]) -> list[tuple[JsonObject, dict[str, Any]]]:
    """Each row's object and its cells by column name.

    Raises `ValueError` for a row without its object (the request must ask for `includeObject=Object`).
    """
    rows = []
    for row in table.get("rows") or ():
        if not isinstance(row, dict) or not isinstance(row.get("object"), dict):
            raise ValueError("a Table row came without its object")
        listed = row.get("cells")
        cells = listed if isinstance(listed, list) else []
        rows.append((row["object"], {column.name: cell for column, cell in zip(columns, cells, strict=False)}))
    return rows


def cell_text(value: Any) -> str:
    """A cell as `kubectl get` prints it: `<none>` for a missing value, numbers and booleans as text."""
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return str(value)


__all__ = [
    "INCLUDE_OBJECT",
    "TABLE_ACCEPT",
    "TableColumn",
    "cell_text",
    "column_definitions",
    "is_table",
    "printed_rows",
]
