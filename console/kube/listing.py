"""Turn a kind's cached objects into the rows a list view shows (sorted, windowed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.kube.api import JsonObject
from console.kube.kinds import Kind, RenderContext, Row, rows_for


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    total: int


def list_page(kind: Kind, objects: Iterable[JsonObject], context: RenderContext, limit: int) -> ListPage:
    """Rows sorted by namespace then name (the default order of spec/cloud.md §3), at most `limit` of them."""
    rows = sorted(rows_for(kind, list(objects), context), key=lambda row: (row.namespace, row.name))
    return ListPage(rows=rows[:limit], total=len(rows))
