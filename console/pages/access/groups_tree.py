"""The Keycloak group tree as the groups page draws it: flattened, only the expanded branches, and the checks a
group name must pass before anything is sent to Keycloak. Pure: no Reflex, no I/O."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from console.rbac.keycloak_admin import KcGroup, KcUser

__all__ = [
    "MAX_NAME_LENGTH",
    "GroupNode",
    "ancestors_of",
    "flatten",
    "group_name_problem",
    "member_row",
    "visible_rows",
]

MAX_NAME_LENGTH = 255  # Keycloak's column length for a group name


@dataclass(frozen=True, slots=True)
class GroupNode:
    """One group of the tree, with its place in it."""

    id: str
    name: str
    path: str
    parent: str  # the parent's id, "" at the top
    children: tuple[str, ...]  # the subgroups' ids, by name


def flatten(tree: Iterable[KcGroup]) -> tuple[tuple[str, ...], dict[str, GroupNode]]:
    """The top-level ids (by name) and every group by id, from `KeycloakAdmin.group_tree()`."""
    nodes: dict[str, GroupNode] = {}

    def add(group: KcGroup, parent: str) -> str:
        children = tuple(add(child, group.id) for child in sorted(group.sub_groups, key=_by_name))
        nodes[group.id] = GroupNode(group.id, group.name, group.path, parent, children)
        return group.id

    top = tuple(add(group, "") for group in sorted(tree, key=_by_name))
    return top, nodes


def _by_name(group: KcGroup) -> tuple[str, str]:
    return (group.name.casefold(), group.id)


def ancestors_of(group_id: str, nodes: Mapping[str, GroupNode]) -> list[str]:
    """The ids from the top down to `group_id`'s parent (what must be expanded to show it)."""
    chain: list[str] = []
    node = nodes.get(group_id)
    while node is not None and node.parent:
        chain.append(node.parent)
        node = nodes.get(node.parent)
    return list(reversed(chain))


def visible_rows(
    top: Iterable[str], nodes: Mapping[str, GroupNode], expanded: Collection[str], selected: str
) -> list[dict[str, str]]:
    """The tree's rows in order: each top-level group, and the subgroups of every expanded group, indented."""
    rows: list[dict[str, str]] = []

    def walk(group_id: str, depth: int) -> None:
        node = nodes[group_id]
        is_open = group_id in expanded and bool(node.children)
        rows.append(
            {
                "id": node.id,
                "name": node.name,
                "path": node.path,
                "indent": f"{depth * 18}px",
                "children": str(len(node.children)),
                "expandable": "true" if node.children else "false",
                "expanded": "true" if is_open else "false",
                "selected": "true" if group_id == selected else "false",
            }
        )
        if is_open:
            for child in node.children:
                walk(child, depth + 1)

    for group_id in top:
        walk(group_id, 0)
    return rows


def group_name_problem(name: str, siblings: Iterable[str] = ()) -> str:
    """Why `name` cannot name a group (among `siblings`' names), "" when it can."""
    plain = name.strip()
    if not plain:
        return "A group name is required."
    if "/" in plain:
        return f"A group name cannot contain “/”: {plain}"
    if len(plain) > MAX_NAME_LENGTH:
        return f"A group name has at most {MAX_NAME_LENGTH} characters ({len(plain)} given)."
    if plain in siblings:
        return f"A group named “{plain}” already exists here."
    return ""


def member_row(user: KcUser) -> dict[str, str]:
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return {
        "id": user.id,
        "username": user.username,
        "name": name or user.username,
        "email": user.email,
        "enabled": "true" if user.enabled else "false",
    }
