"""`/rbac/roles`: the realm's roles (the catalog tiers first), the people holding one, and each client's roles.

Read-only, from Keycloak's Admin REST as the console's service account; shown to admins and owners.
"""

from __future__ import annotations

import asyncio
import math

import reflex as rx

from console.pages.access.directory_gate import DirectoryGateState
from console.pages.access.groups_state import KeycloakProblem, keycloak_admin
from console.pages.access.groups_tree import member_row
from console.rbac.keycloak_admin import KcRole, KeycloakAdminError
from console.state.session import SessionState
from console.state.timing import timed_event

ROUTE = "/rbac/roles"
HOLDERS_PAGE = 50
TIER_LEVEL = "tier-level"  # the catalog tier roles' attribute (rbac.md)


def _level(role: KcRole) -> int | None:
    values = role.attributes.get(TIER_LEVEL, ())
    return int(values[0]) if values and values[0].strip().isdigit() else None


def role_rows(roles: list[KcRole]) -> list[dict[str, str]]:
    """The table's rows: tier roles first, highest tier first, then the others by name."""

    def order(role: KcRole) -> tuple[int, int, str]:
        level = _level(role)
        return (0 if level is not None else 1, -(level or 0), role.name.casefold())

    return [
        {
            "id": role.id,
            "name": role.name,
            "description": role.description,
            "composite": "yes" if role.composite else "no",
            "tier_level": "" if (level := _level(role)) is None else str(level),
        }
        for role in sorted(roles, key=order)
    ]


class RolesState(DirectoryGateState, rx.State):
    loading: bool = True
    problem: str = ""
    roles: list[dict[str, str]] = []
    selected_role: str = ""
    holders: list[dict[str, str]] = []  # one page of the people holding the selected role
    holders_total: int = 0
    holders_page: int = 0
    holder_groups: list[str] = []  # the groups the role is mapped to
    holders_problem: str = ""
    clients: list[dict[str, str]] = []  # {"id", "client_id"}
    client_id: str = ""  # the chosen client's uuid
    client_roles: list[dict[str, str]] = []
    client_problem: str = ""

    @rx.var
    def holders_pages(self) -> int:
        return max(1, math.ceil(self.holders_total / HOLDERS_PAGE))

    @timed_event
    async def open_roles(self):
        """Page load: check the tier, then read the realm roles and the clients."""
        self.loading, self.problem, self.selected_role, self.holders, self.holders_total = True, "", "", [], 0
        person = await self._check_tier()
        if person is None:
            return SessionState.check
        if not person.may_view:
            self.roles, self.clients, self.client_roles = [], [], []
            return None
        try:
            keycloak = keycloak_admin()
            roles, clients = await asyncio.gather(keycloak.realm_roles(), keycloak.clients())
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.loading, self.problem = False, str(problem)
            return None
        self.loading = False
        self.roles = role_rows(roles)
        self.clients = [
            {"id": client.id, "client_id": client.client_id}
            for client in sorted(clients, key=lambda client: client.client_id)
        ]
        wanted = str(self.router.url.query_parameters.get("role", ""))
        if any(row["name"] == wanted for row in self.roles):
            await self._read_holders(wanted, 0)
        return None

    async def _read_holders(self, role: str, page: int) -> None:
        self.selected_role, self.holders_problem = role, ""
        try:
            keycloak = keycloak_admin()
            holders, groups = await asyncio.gather(keycloak.role_holders(role), keycloak.role_groups(role))
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.holders, self.holders_total, self.holder_groups, self.holders_problem = [], 0, [], str(problem)
            return
        self.holders_total = len(holders)
        self.holders_page = min(max(0, page), max(0, math.ceil(len(holders) / HOLDERS_PAGE) - 1))
        start = self.holders_page * HOLDERS_PAGE
        self.holders = [member_row(user) for user in holders[start : start + HOLDERS_PAGE]]
        self.holder_groups = sorted(group.path for group in groups)

    @timed_event
    async def open_role(self, role: str):
        """A row's click: the people who hold it (directly or through a group)."""
        if not self.allowed or not any(row["name"] == role for row in self.roles):
            return
        await self._read_holders(role, 0)

    @timed_event
    def close_role(self):
        self.selected_role, self.holders, self.holders_total, self.holder_groups = "", [], 0, []

    @timed_event
    async def go_to_holders_page(self, page: int):
        if self.allowed and self.selected_role and isinstance(page, int) and 0 <= page < self.holders_pages:
            await self._read_holders(self.selected_role, page)

    @timed_event
    async def choose_client(self, client_uuid: str):
        if not self.allowed or not any(client["id"] == client_uuid for client in self.clients):
            return
        self.client_id, self.client_problem = client_uuid, ""
        try:
            roles = await keycloak_admin().client_roles(client_uuid)
        except (KeycloakProblem, KeycloakAdminError) as problem:
            self.client_roles, self.client_problem = [], str(problem)
            return
        self.client_roles = role_rows(roles)
