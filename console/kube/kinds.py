"""The kind registry: one entry of data per kind drives list columns, rows, status tones and routes.

Adding a kind means adding an entry here (and a renderer in `console/kube/render.py`), never a branch
in a page or state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from console.kube.api import JsonObject, ResourcePath

Tone = Literal["ok", "warn", "err", "info", "muted"]
Category = Literal["compute", "network", "storage", "workload", "config", "reconciler"]


@dataclass(frozen=True, slots=True)
class Column:
    """One list column; `key` is the stable id used for sorting and cells, never the title."""

    key: str
    title: str


@dataclass(frozen=True, slots=True)
class Row:
    """One rendered list row: display cells keyed by column key, plus what sorting and colour need."""

    key: str  # namespace/name, unique within the kind
    uid: str
    cells: dict[str, str]
    sort_keys: dict[str, str | float]
    tone: Tone


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind the console lists: identity, where it lives, how its rows look."""

    id: str  # URL slug, e.g. "namespaces"
    title: str  # display name, e.g. "Namespaces"
    kind: str  # Kubernetes kind, e.g. "Namespace"
    resource: ResourcePath
    namespaced: bool
    category: Category
    columns: tuple[Column, ...]
    render: Callable[[JsonObject, datetime], Row]


class KindNotFound(KeyError):
    """No kind with that id is registered."""


def index_by_id(kinds: tuple[Kind, ...]) -> Mapping[str, Kind]:
    """Index kinds by id, refusing duplicates (a registry invariant)."""
    indexed: dict[str, Kind] = {}
    for kind in kinds:
        if kind.id in indexed:
            raise ValueError(f"kind id {kind.id!r} is registered twice")
        indexed[kind.id] = kind
    return indexed
