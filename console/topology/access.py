"""Which graph nodes a person may see: the lists' access filter, applied per node type.

Each type's nodes pass through `kube.access.visible_items` exactly as that kind's list does, so the graph's
count per type equals the list's count for the same person. The answers come from the process's shared
AccessReviews (SelfSubjectAccessReviews made as the person, cached ≤ 60 s).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from console.kube.access import AccessReviews, visible_items
from console.kube.api import KubeApi
from console.kube.kinds import Kind
from console.topology.model import SCOPE_TYPE, GraphNode, GraphReader

__all__ = ["PersonVisibility", "person_visibility"]


@dataclass(frozen=True, slots=True)
class PersonVisibility:
    """Per node type: every node (`everywhere`), or only those in `namespaces` (for Namespace nodes: by name)."""

    everywhere: frozenset[str]  # type ids the person may list cluster-wide
    namespaces: Mapping[str, frozenset[str]]  # other type ids → the namespaces (or namespace names) they may list

    def sees(self, node: GraphNode) -> bool:
        if node.type in self.everywhere:
            return True
        allowed = self.namespaces.get(node.type)
        if allowed is None:
            return False
        return (node.namespace or node.name) in allowed

    def signature(self) -> tuple:
        """Equal for two people who see exactly the same (their views can be shared)."""
        return (self.everywhere, tuple(sorted((t, tuple(sorted(ns))) for t, ns in self.namespaces.items())))


async def person_visibility(
    graph: GraphReader, kinds: Mapping[str, Kind], reviews: AccessReviews, api: KubeApi, person: str
) -> PersonVisibility:
    """What `person` (their Kubernetes user; `api` acts as them) may see of the graph's nodes now."""
    by_type: dict[str, list[GraphNode]] = defaultdict(list)
    for node in graph.nodes.values():
        by_type[node.type].append(node)
    everywhere = {SCOPE_TYPE}  # the connected cluster itself: one node, no namespace, no data
    namespaces: dict[str, frozenset[str]] = {}

    async def decide(type_id: str, nodes: list[GraphNode]) -> None:
        kind = kinds.get(type_id)
        if kind is None or kind.resource is None:
            return
        visible = await visible_items(
            reviews,
            api,
            person,
            kind.resource,
            kind.namespaced,
            nodes,
            lambda node: node.name,
            lambda node: node.namespace,
        )
        if len(visible) == len(nodes) and not kind.namespaced and kind.resource.plural != "namespaces":
            everywhere.add(type_id)
        elif len(visible) == len(nodes) and kind.namespaced:
            # Everything now cached is visible; that may still be per namespace: keep it per namespace, so a
            # namespace created later is not shown before it is reviewed.
            namespaces[type_id] = frozenset(node.namespace for node in visible)
        else:
            namespaces[type_id] = frozenset(node.namespace or node.name for node in visible)

    await asyncio.gather(*(decide(type_id, nodes) for type_id, nodes in by_type.items() if type_id != SCOPE_TYPE))
    return PersonVisibility(frozenset(everywhere), namespaces)
