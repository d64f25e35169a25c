"""The sandbox's seeded world (seed 1, fixed clock) as plain objects, for renderer tests of CRD kinds."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from sovereign_sandbox.world.sovereign import build_world

from console.kube.api import JsonObject
from console.kube.kinds import Kind, RenderContext, Row, rows_for

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
CONTEXT = RenderContext(now=NOW, cluster_id="sovereign-omantel.openova.cloud")


@cache
def _world() -> tuple[JsonObject, ...]:
    return tuple(build_world(seed=1, now=NOW))


def objects_of(kind: Kind) -> list[JsonObject]:
    """The seeded objects a kind's resource serves (matched by API group and Kubernetes kind)."""
    assert kind.resource is not None
    group = kind.resource.group
    return [
        obj
        for obj in _world()
        if obj.get("kind") == kind.kind and str(obj.get("apiVersion", "")).rpartition("/")[0] == group
    ]


def rows_of(kind: Kind) -> dict[str, Row]:
    """The kind's rows of the seeded world, keyed by `namespace/name`."""
    return {row.key: row for row in rows_for(kind, objects_of(kind), CONTEXT)}


def assert_rows_fill_columns(kind: Kind, rows: list[Row]) -> None:
    """Every row has a cell and a sort key for every column of its kind, and a valid tone."""
    keys = {column.key for column in kind.columns}
    for row in rows:
        assert keys <= set(row.cells), (kind.id, keys - set(row.cells))
        assert keys <= set(row.sort_keys), (kind.id, keys - set(row.sort_keys))
        assert row.tone in ("ok", "warn", "err", "info", "muted")
        assert set(row.cell_tones) <= set(row.cells)
