"""Turn a kind's cached objects into the rows a list view shows (sorted, windowed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from console.kube.api import JsonObject
from console.kube.kinds import Kind, Row
from console.kube.objects import name_of, namespace_of


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Row]
    total: int


def list_page(kind: Kind, objects: Iterable[JsonObject], now: datetime, limit: int) -> ListPage:
    """Rows sorted by namespace then name (the default order of spec/cloud.md §3), at most `limit` of them."""
    ordered = sorted(objects, key=lambda obj: (namespace_of(obj), name_of(obj)))
    return ListPage(rows=[kind.render(obj, now) for obj in ordered[:limit]], total=len(ordered))
