"""The tree tab: an object's owners (up its ownerReferences) and children (owned, or selected by a Service)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from console.kube.api import JsonObject
from console.kube.kinds import Kind, RenderContext, detail_href
from console.kube.objects import labels_of, metadata_of, name_of, namespace_of, uid_of
from console.kube.registry import KINDS

MAX_DEPTH = 6  # owner chains and child levels deeper than this are cut (and cycles end there too)


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One line of the tree: an owner (depth < 0), the object itself (0) or a child (depth > 0)."""

    depth: int
    kind: str  # Kubernetes kind, e.g. "ReplicaSet"
    namespace: str
    name: str
    status: str  # the kind's STATUS cell, "" when unknown
    tone: str
    href: str  # the detail page, "" when the console has no page for the kind

    def as_dict(self) -> dict[str, str]:
        return {
            "depth": str(self.depth),
            "relation": "owner" if self.depth < 0 else "self" if self.depth == 0 else "child",
            "indent": f"{abs(self.depth) * 20}px",
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "status": self.status,
            "tone": self.tone,
            "href": self.href,
        }


def _group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def kind_id_for(kind: str, api_version: str, kinds: Mapping[str, Kind] = KINDS) -> str:
    """The console's kind id for a Kubernetes kind ("" if none): the plain list, not a projection of it."""
    group = _group_of(api_version)
    matches = [k for k in kinds.values() if k.kind == kind and k.resource is not None and k.resource.group == group]
    plain = [k for k in matches if not k.projected] or matches
    return plain[0].id if plain else ""


def with_kind(obj: JsonObject, kind: Kind) -> JsonObject:
    """The object with its `kind`/`apiVersion` (list items from the API server carry neither)."""
    if obj.get("kind") and obj.get("apiVersion"):
        return obj
    resource = kind.resource
    version = "" if resource is None else f"{resource.group}/{resource.version}".lstrip("/")
    return {**obj, "kind": kind.kind, "apiVersion": version}


def owner_chain(obj: JsonObject, by_uid: Mapping[str, JsonObject]) -> list[JsonObject]:
    """The owners of `obj`, nearest first, following the controller reference (else the first one).

    An owner the console cannot see ends the chain as a stub holding only what the reference says.
    """
    chain: list[JsonObject] = []
    seen = {uid_of(obj)}
    current = obj
    while len(chain) < MAX_DEPTH:
        references = [r for r in metadata_of(current).get("ownerReferences") or [] if isinstance(r, dict)]
        if not references:
            break
        reference = next((r for r in references if r.get("controller")), references[0])
        uid = str(reference.get("uid") or "")
        if uid in seen:
            break
        seen.add(uid)
        owner = by_uid.get(uid)
        if owner is None:
            chain.append(
                {
                    "apiVersion": reference.get("apiVersion", ""),
                    "kind": reference.get("kind", ""),
                    "metadata": {"name": reference.get("name", ""), "namespace": namespace_of(current), "uid": uid},
                }
            )
            break
        chain.append(owner)
        current = owner
    return chain


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def children_of(obj: JsonObject, objects: Iterable[JsonObject]) -> list[tuple[int, JsonObject]]:
    """(depth, child) depth-first: objects that own-reference `obj`, their children, and a Service's Pods."""
    everything = list(objects)
    owned: dict[str, list[JsonObject]] = {}
    for candidate in everything:
        for reference in metadata_of(candidate).get("ownerReferences") or []:
            if isinstance(reference, dict) and reference.get("uid"):
                owned.setdefault(str(reference["uid"]), []).append(candidate)
    found: list[tuple[int, JsonObject]] = []
    seen = {uid_of(obj)}

    def walk(parent: JsonObject, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for child in sorted(owned.get(uid_of(parent), []), key=name_of):
            if uid_of(child) in seen:
                continue
            seen.add(uid_of(child))
            found.append((depth, child))
            walk(child, depth + 1)

    walk(obj, 1)
    if obj.get("kind") == "Service":
        selector = (obj.get("spec") or {}).get("selector") or {}
        for pod in sorted(everything, key=name_of):
            if (
                pod.get("kind") == "Pod"
                and namespace_of(pod) == namespace_of(obj)
                and uid_of(pod) not in seen
                and selects(selector, labels_of(pod))
            ):
                seen.add(uid_of(pod))
                found.append((1, pod))
    return found


def status_of(obj: JsonObject, now: datetime, kinds: Mapping[str, Kind] = KINDS) -> tuple[str, str]:
    """(STATUS cell, tone) from the kind's own list renderer; ("", "muted") when it has none."""
    kind_id = kind_id_for(str(obj.get("kind") or ""), str(obj.get("apiVersion") or ""), kinds)
    if not kind_id or not obj.get("spec") and not obj.get("status"):
        return "", "muted"
    try:
        row = kinds[kind_id].render(obj, RenderContext(now=now, cluster_id=""))
    except Exception:  # a stub or an odd object must not break the tab
        return "", "muted"
    return row.cells.get("status", ""), row.tone


def tree(obj: JsonObject, related: Iterable[JsonObject], now: datetime) -> list[TreeNode]:
    """Owners (top first, negative depth), the object itself, then its children."""
    everything = list(related)
    by_uid = {uid_of(o): o for o in everything if uid_of(o)}
    owners = owner_chain(obj, by_uid)
    lines = [(-(index + 1), owner) for index, owner in enumerate(owners)][::-1]
    lines.append((0, obj))
    lines.extend(children_of(obj, everything))
    nodes = []
    for depth, item in lines:
        kind = str(item.get("kind") or "")
        kind_id = kind_id_for(kind, str(item.get("apiVersion") or ""))
        status, tone = status_of(item, now)
        href = detail_href(kind_id, namespace_of(item), name_of(item)) if kind_id else ""
        nodes.append(TreeNode(depth, kind, namespace_of(item), name_of(item), status, tone, href))
    return nodes


__all__ = [
    "TreeNode",
    "children_of",
    "detail_href",
    "kind_id_for",
    "owner_chain",
    "selects",
    "status_of",
    "tree",
    "with_kind",
]
