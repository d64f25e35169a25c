"""The registry: every kind of spec/cloud.md §2, indexed by id (CRDs found by discovery come on top)."""

from __future__ import annotations

from collections.abc import Mapping

from console.kube.kinds import Kind, KindNotFound, index_by_id, object_link
from console.kube.kinds_catalog import (
    absent,
    catalyst,
    cluster_events,
    core,
    flux,
    network,
    platform,
    policy,
    projected,
    storage,
    workloads,
)

KINDS: Mapping[str, Kind] = index_by_id(
    (
        *projected.KINDS,
        *core.KINDS,
        cluster_events.events_kind(lambda: KINDS),  # OBJECT links to the registry's kinds
        *workloads.KINDS,
        *network.KINDS,
        *storage.KINDS,
        *flux.KINDS,
        *policy.KINDS,
        *platform.KINDS,
        *catalyst.KINDS,
        *absent.KINDS,
    )
)
DEFAULT_KIND_ID = "namespaces"
NAMESPACES = KINDS["namespaces"]


def kind_for(kind_id: str) -> Kind:
    """The registered kind with this id; raises `KindNotFound`."""
    try:
        return KINDS[kind_id]
    except KeyError:
        raise KindNotFound(kind_id) from None


def object_href(kind: str, api_version: str, namespace: str, name: str) -> str:
    """The detail page of an object of a registered kind ("" for none); without an apiVersion, the one
    registered kind of that name."""
    return object_link(KINDS, kind, api_version or None, namespace, name)
