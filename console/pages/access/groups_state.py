"""`/rbac/groups`: the Keycloak group tree, one group's members, and the owner's changes to both.

Reads and writes go through the console's Keycloak Admin client (its service account). Admins and owners see
the page; every change re-reads the person's tier from the session (owners only), and every attempt — done,
refused by the console, or failed in Keycloak — is recorded in the audit log.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable

import reflex as rx

from console.audit import AuditLogUnavailable, AuditNotWritable, audit_log
from console.pages.access.directory_gate import NEEDS_OWNER, DirectoryGateState, Visitor, visitor
from console.pages.access.groups_tree import (
    GroupNode,
    ancestors_of,
    flatten,
    group_name_problem,
    member_row,
    visible_rows,
)
from console.rbac import runtime as rbac_runtime
from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError
from console.state.session import SessionState
from console.state.timing import timed_event

ROUTE = "/rbac/groups"
MEMBERS_PAGE = 50
SUGGESTIONS = 8  # users offered while typing a name to add


def group_target(path: str) -> str:
    """How the audit log names a Keycloak group."""
    return f"keycloak-group:{path}"


class KeycloakProblem(Exception):
    """Keycloak administration cannot be used now; the message says why."""


def keycloak_admin() -> KeycloakAdmin:
    """The process's Keycloak Admin client.

    Raises:
        KeycloakProblem: the users & access runtime is not running, or Keycloak is not configured.
    """
    try:
        rbac = rbac_runtime.current()
    except rbac_runtime.RbacUnavailable as problem:
        raise KeycloakProblem(f"Users & access are unavailable: {problem}") from problem
    if rbac.keycloak is None:
        raise KeycloakProblem(rbac.keycloak_problem or "Keycloak administration is not configured.")
    return rbac.keycloak


class GroupsState(DirectoryGateState, rx.State):
    may_change: bool = False  # owner: changes groups (offered only; each change checks again)
    loading: bool = True
    problem: str = ""  # Keycloak cannot be read: why
    tree: list[dict[str, str]] = []  # the visible rows of the tree
    selected_id: str = ""
    selected_name: str = ""
    selected_path: str = ""
    selected_children: int = 0
    members: list[dict[str, str]] = []  # one page of the selected group's direct members
    members_total: int = 0
    members_page: int = 0
    members_loading: bool = False
    new_group_name: str = ""
    rename_to: str = ""
    member_search: str = ""
    suggestions: list[dict[str, str]] = []
    delete_open: bool = False
    result: str = ""
    result_tone: str = "muted"
    _top: tuple[str, ...] = ()
    _nodes: dict[str, GroupNode] = {}
    _expanded: set[str] = set()

    @rx.var
    def members_pages(self) -> int:
        return max(1, math.ceil(self.members_total / MEMBERS_PAGE))

    @timed_event
    async def open_groups(self):
        """Page load: check the tier, then read the tree (and a group named by `?path=`)."""
        self.loading, self.problem, self.result, self.delete_open = True, "", "", False
        person = await self._check_tier()
        if person is None:
            return SessionState.check
        self.may_change = person.may_change_groups
        if not person.may_view:
            self.tree, self.members = [], []
            return None
        wanted = str(self.router.url.query_parameters.get("path", ""))
        await self._reload(select_path=wanted or self.selected_path)
        return None

    async def _reload(self, select_path: str = "") -> None:
        """Read the whole tree again; keep (or make) the selection by path."""
        try:
            keycloak = keycloak_admin()
            tree = await keycloak.group_tree()
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.loading, self.problem = False, str(problem)
            return
        self._top, self._nodes = flatten(tree)
        self._expanded = {group_id for group_id in self._expanded if group_id in self._nodes}
        chosen = next((node for node in self._nodes.values() if node.path == select_path), None)
        self.loading, self.problem = False, ""
        await self._select(chosen.id if chosen else "")

    def _redraw(self) -> None:
        self.tree = visible_rows(self._top, self._nodes, self._expanded, self.selected_id)

    async def _select(self, group_id: str) -> None:
        node = self._nodes.get(group_id)
        self.selected_id = node.id if node else ""
        self.selected_name, self.selected_path = (node.name, node.path) if node else ("", "")
        self.selected_children = len(node.children) if node else 0
        self.rename_to, self.new_group_name, self.member_search, self.suggestions = self.selected_name, "", "", []
        self.members_page, self.delete_open = 0, False
        if node is not None:
            self._expanded |= set(ancestors_of(node.id, self._nodes))
        self._redraw()
        await self._read_members()

    async def _read_members(self) -> None:
        if not self.selected_id:
            self.members, self.members_total = [], 0
            return
        try:
            everyone = await keycloak_admin().group_members(self.selected_id)
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.members, self.members_total, self.result, self.result_tone = [], 0, str(problem), "err"
            return
        everyone.sort(key=lambda user: (user.username.casefold(), user.id))
        self.members_total = len(everyone)
        self.members_page = min(self.members_page, max(0, math.ceil(self.members_total / MEMBERS_PAGE) - 1))
        start = self.members_page * MEMBERS_PAGE
        self.members = [member_row(user) for user in everyone[start : start + MEMBERS_PAGE]]

    @timed_event
    async def select_group(self, group_id: str):
        if not self.allowed:
            return
        if group_id not in self._nodes:
            self.result, self.result_tone = "That group is no longer in Keycloak: the tree was read again.", "err"
            await self._reload(self.selected_path)
            return
        self.result = ""
        await self._select(group_id)

    @timed_event
    def toggle(self, group_id: str):
        if group_id in self._expanded:
            self._expanded.discard(group_id)
        elif group_id in self._nodes:
            self._expanded.add(group_id)
        self._redraw()

    @timed_event
    async def go_to_members_page(self, page: int):
        if self.allowed and isinstance(page, int) and 0 <= page < self.members_pages:
            self.members_page = page
            await self._read_members()

    @timed_event
    def set_new_group_name(self, value: str):
        self.new_group_name = str(value)[:300]

    @timed_event
    def set_rename_to(self, value: str):
        self.rename_to = str(value)[:300]

    @timed_event
    def set_delete_open(self, value: bool):
        self.delete_open = bool(value) and bool(self.selected_id)

    @timed_event
    async def search_members(self, value: str):
        """Search as you type: the first users whose username, email or name starts with the text."""
        self.member_search = str(value)[:100]
        text = self.member_search.strip()
        if not text or not self.selected_id or not self.may_change:
            self.suggestions = []
            return
        try:
            found = await keycloak_admin().search_users(text, 0, SUGGESTIONS + len(self.members))
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.suggestions, self.result, self.result_tone = [], str(problem), "err"
            return
        already = {member["id"] for member in self.members}
        self.suggestions = [member_row(user) for user in found if user.id not in already][:SUGGESTIONS]

    async def _owner(self, action: str, target: str, detail: str) -> Visitor | None:
        """The person, when they may change groups (owners); anyone else's attempt is refused and audited as
        denied — a forged event included: the tier comes from the session, never from the browser."""
        person = await visitor(self.router.headers.cookie)
        if person is None:
            self.result, self.result_tone = "Your session ended: sign in again to change groups.", "err"
            return None
        if person.may_change_groups:
            return person
        refusal = person.refusal(NEEDS_OWNER)
        try:
            await audit_log().record(person.actor, action, target, "denied", f"{detail}: refused by the console")
        finally:
            self._refused(person, refusal)
        return None

    async def _change(
        self,
        person: Visitor,
        action: str,
        target: str,
        detail: str,
        change: Callable[[KeycloakAdmin], Awaitable[object]],
        done: str,
    ) -> bool:
        """Make one change as the console's service account; done or failed, it is audited."""
        try:
            audit = audit_log()
            await audit.ensure_writable()
        except AuditLogUnavailable as problem:
            self.result, self.result_tone = f"Nothing was changed: {problem}", "err"
            return False
        except AuditNotWritable as problem:
            self.result, self.result_tone = problem.message, "err"
            return False
        try:
            await change(keycloak_admin())
        except (KeycloakProblem, KeycloakAdminError) as problem:
            refused = isinstance(problem, KeycloakAdminError) and problem.status in (401, 403)
            await audit.record(person.actor, action, target, "denied" if refused else "error", f"{detail}: {problem}")
            self.result, self.result_tone = str(problem), "err"
            return False
        await audit.record(person.actor, action, target, "ok", detail)
        self.result, self.result_tone = done, "ok"
        return True

    def _refused(self, person: Visitor, refusal: str) -> None:
        self.may_change, self.result, self.result_tone = False, refusal, "err"
        if not person.may_view:
            self._lose_access(person)
            self.tree, self.members = [], []

    @timed_event
    async def add_group(self):
        """A subgroup of the selected group (a top-level group when none is selected)."""
        name = self.new_group_name.strip()
        parent = self._nodes.get(self.selected_id)
        path = f"{parent.path if parent else ''}/{name}"
        person = await self._owner("keycloak-group-created", group_target(path), f"name={name}")
        if person is None:
            return
        siblings = [self._nodes[child].name for child in (parent.children if parent else self._top)]
        problem = group_name_problem(name, siblings)
        if problem:
            self.result, self.result_tone = problem, "err"
            return

        async def create(keycloak: KeycloakAdmin) -> object:
            return await keycloak.create_group(name, parent.id if parent else None)

        target = group_target(path)
        if await self._change(person, "keycloak-group-created", target, f"name={name}", create, f"Created {path}."):
            if parent is not None:
                self._expanded.add(parent.id)
            await self._reload(select_path=path)

    @timed_event
    async def rename_group(self):
        node = self._nodes.get(self.selected_id)
        name = self.rename_to.strip()
        person = await self._owner("keycloak-group-renamed", group_target(node.path if node else ""), f"→ {name}")
        if person is None:
            return
        if node is None:
            self.result, self.result_tone = "Choose a group to rename first.", "err"
            return
        siblings = [
            self._nodes[child].name
            for child in (self._nodes[node.parent].children if node.parent else self._top)
            if child != node.id
        ]
        problem = group_name_problem(name, siblings)
        if problem or name == node.name:
            self.result, self.result_tone = problem or f"{node.path} is already called “{name}”.", "err"
            return
        new_path = node.path.rpartition("/")[0] + "/" + name

        async def rename(keycloak: KeycloakAdmin) -> object:
            return await keycloak.rename_group(node.id, name)

        detail = f"{node.name} → {name}"
        target, done = group_target(node.path), f"Renamed to {name}."
        if await self._change(person, "keycloak-group-renamed", target, detail, rename, done):
            await self._reload(select_path=new_path)

    @timed_event
    async def delete_group(self):
        """After the confirm dialog: delete the selected group and its subgroups."""
        self.delete_open = False
        node = self._nodes.get(self.selected_id)
        person = await self._owner("keycloak-group-deleted", group_target(node.path if node else ""), "delete")
        if person is None:
            return
        if node is None:
            self.result, self.result_tone = "Choose a group to delete first.", "err"
            return
        parent_path = self._nodes[node.parent].path if node.parent else ""

        async def delete(keycloak: KeycloakAdmin) -> object:
            return await keycloak.delete_group(node.id)

        detail = f"with {len(node.children)} subgroup(s)" if node.children else "no subgroups"
        target, done = group_target(node.path), f"Deleted {node.path}."
        if await self._change(person, "keycloak-group-deleted", target, detail, delete, done):
            await self._reload(select_path=parent_path)

    @timed_event
    async def add_member(self, user_id: str):
        node = self._nodes.get(self.selected_id)
        target = group_target(node.path if node else "")
        person = await self._owner("keycloak-member-added", target, f"member={user_id}")
        if person is None:
            return
        user = next((row for row in self.suggestions if row["id"] == user_id), None)
        if node is None or user is None:
            self.result, self.result_tone = "Choose a group, then a person from the search results.", "err"
            return

        async def add(keycloak: KeycloakAdmin) -> object:
            return await keycloak.add_user_to_group(user_id, node.id)

        detail = f"member={user['username']} ({user_id})"
        done = f"Added {user['username']} to {node.path}."
        if await self._change(person, "keycloak-member-added", target, detail, add, done):
            self.member_search, self.suggestions = "", []
            await self._read_members()

    @timed_event
    async def remove_member(self, user_id: str):
        node = self._nodes.get(self.selected_id)
        target = group_target(node.path if node else "")
        person = await self._owner("keycloak-member-removed", target, f"member={user_id}")
        if person is None:
            return
        if node is None:
            self.result, self.result_tone = "Choose a group first.", "err"
            return
        user = next((row for row in self.members if row["id"] == user_id), None)
        username = user["username"] if user else user_id

        async def remove(keycloak: KeycloakAdmin) -> object:
            return await keycloak.remove_user_from_group(user_id, node.id)

        detail = f"member={username} ({user_id})"
        done = f"Removed {username} from {node.path}."
        if await self._change(person, "keycloak-member-removed", target, detail, remove, done):
            await self._read_members()
