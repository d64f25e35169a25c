"""The registered kinds. Issue-by-issue this grows to every kind of spec/cloud.md §2."""

from __future__ import annotations

from collections.abc import Mapping

from console.kube.api import ResourcePath
from console.kube.kinds import Column, Kind, KindNotFound, index_by_id
from console.kube.render import render_namespace

NAMESPACES = Kind(
    id="namespaces",
    title="Namespaces",
    kind="Namespace",
    resource=ResourcePath(group="", version="v1", plural="namespaces"),
    namespaced=False,
    category="config",
    columns=(
        Column("name", "NAME"),
        Column("status", "STATUS"),
        Column("age", "AGE"),
        Column("labels", "LABELS"),
    ),
    render=render_namespace,
)

KINDS: Mapping[str, Kind] = index_by_id((NAMESPACES,))
DEFAULT_KIND_ID = NAMESPACES.id


def kind_for(kind_id: str) -> Kind:
    """The registered kind with this id; raises `KindNotFound`."""
    try:
        return KINDS[kind_id]
    except KeyError:
        raise KindNotFound(kind_id) from None
