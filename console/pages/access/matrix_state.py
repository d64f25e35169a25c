"""`/rbac/matrix`: people × applications of effective tiers, live, with warnings; a cell opens its grants."""

from __future__ import annotations

import asyncio
import dataclasses
from urllib.parse import urlencode

import reflex as rx

from console.kube.access import visible_objects
from console.pages.access.grant_viewer import CLUSTER_ROLES, NAMESPACES, USERACCESSES, GrantViewer, tier_enforced
from console.pages.access.live_grants_state import LiveGrantsState
from console.pages.access.users_views import short_scope
from console.rbac import runtime as rbac_runtime
from console.rbac.keycloak_admin import KcUser, KeycloakAdminError
from console.rbac.matrix import ALL_APPLICATIONS, AccessMatrix, Cell, MatrixRow, build_matrix
from console.state.session import SessionState
from console.state.timing import timed_event
from console.state.wakeups import wake

KEYCLOAK_REREAD_SECONDS = 60.0  # the Keycloak user list is read again at most this often
MAX_ROWS = 300


@dataclasses.dataclass
class CellView:
    application: str
    tier: str  # "" when nothing reaches the application
    partial: bool = False
    inherited: bool = False
    title: str = ""  # the application's namespaces and the tier each gets


@dataclasses.dataclass
class RowView:
    key: str
    who: str
    detail: str  # the subject, or the groups
    cells: list[CellView] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)


def _cell_view(application: str, cell: Cell | None) -> CellView:
    if cell is None:
        return CellView(application, "", title="no grant reaches it")
    title = " · ".join(f"{ns}: {tier or 'none'}" for ns, tier in cell.namespaces) or "every namespace"
    return CellView(application, cell.tier, cell.partial, cell.inherited, title)


def _row_view(row: MatrixRow, applications: tuple[str, ...]) -> RowView:
    detail = row.subject if row.subject and row.subject != row.who else ", ".join(row.groups)
    cells = [_cell_view(application, row.cells.get(application)) for application in applications]
    return RowView(row.key, row.who, detail, cells, list(row.warnings))


def _details(row: MatrixRow) -> dict:
    """What the cell editor shows for one row (plain data, kept on the backend)."""
    return {
        "who": row.who,
        "subject": row.subject,
        "grants": {
            grant.name: {
                "name": grant.name,
                "tier": grant.tier,
                "scopes": ", ".join(short_scope(s.key, s.value) for s in grant.scopes) or "cluster-wide",
                "effective": ", ".join(short_scope(s.key, s.value) for s in grant.effective) or "cluster-wide",
                "href": f"/users/{grant.name}",
            }
            for grant in row.grants
        },
        "cells": {
            application: {"tier": cell.tier, "grants": list(cell.grants), "namespaces": list(cell.namespaces)}
            for application, cell in row.cells.items()
        },
    }


def grant_link(subject: str, tier: str, application: str) -> str:
    """The multi-grant form prefilled for this person and application (the `*` column: no scope)."""
    query = {"tier": tier or "viewer"}
    if subject:
        query["user"] = subject
    if application != ALL_APPLICATIONS:
        query["scope"] = f"openova.io/application={application}"
    return "/rbac/grant?" + urlencode(query)


async def _keycloak_users() -> tuple[list[KcUser] | None, str]:
    try:
        keycloak = rbac_runtime.current().keycloak
        if keycloak is None:
            return None, rbac_runtime.current().keycloak_problem or "Keycloak administration is not configured"
        return await keycloak.all_users(), ""
    except (rbac_runtime.RbacUnavailable, KeycloakAdminError) as problem:
        return None, f"Keycloak users could not be read ({problem}): unknown subjects are not flagged"


class MatrixState(LiveGrantsState, rx.State):
    """The grid the matrix page shows, and the cell editor's contents."""

    notice: str = ""
    applications: list[str] = []
    rows: list[RowView] = []
    warning_count: int = 0
    warning_text: str = ""
    search: str = ""
    only_warnings: bool = False
    editor_open: bool = False
    editor_who: str = ""
    editor_application: str = ""
    editor_tier: str = ""
    editor_namespaces: list[dict[str, str]] = []
    editor_grants: list[dict[str, str]] = []
    editor_link: str = ""
    _details: dict[str, dict] = {}

    @timed_event
    def open(self):
        self._restart()
        self.notice, self.editor_open = "", False
        return MatrixState.follow

    @timed_event
    def set_search(self, text: str):
        self.search = text[:200]
        wake(self.router.session.client_token)

    @timed_event
    def set_only_warnings(self, value: bool):
        self.only_warnings = bool(value)
        wake(self.router.session.client_token)

    @timed_event
    def open_cell(self, key: str, application: str):
        """The editor for one cell: the grants behind it and a way to change them."""
        details = self._details.get(key)
        if details is None:
            return
        cell = details["cells"].get(application, {"tier": "", "grants": [], "namespaces": []})
        self.editor_who, self.editor_application, self.editor_tier = details["who"], application, cell["tier"]
        self.editor_namespaces = [{"namespace": ns, "tier": tier or "none"} for ns, tier in cell["namespaces"]]
        self.editor_grants = [details["grants"][name] for name in cell["grants"] if name in details["grants"]]
        self.editor_link = grant_link(details["subject"], cell["tier"], application)
        self.editor_open = True

    @timed_event
    def set_editor_open(self, value: bool):
        self.editor_open = value

    def _show(self, matrix: AccessMatrix) -> None:
        needle = self.search.strip().lower()
        rows = [
            row
            for row in matrix.rows
            if (not needle or needle in row.who.lower() or needle in row.key.lower())
            and (row.warnings or not self.only_warnings)
        ][:MAX_ROWS]
        self.applications = list(matrix.applications)
        self.rows = [_row_view(row, matrix.applications) for row in rows]
        self._details = {row.key: _details(row) for row in rows}
        self.warning_count = sum(len(row.warnings) for row in matrix.rows)
        self.warning_text = f"{self.warning_count} warning" + ("" if self.warning_count == 1 else "s")

    @rx.event(background=True)
    async def follow(self):
        """Recompute the grid whenever grants, namespaces or the tier roles change."""
        loop = asyncio.get_running_loop()
        users: list[KcUser] | None = None
        users_note, users_at = "", None
        async for push in self._pushes([USERACCESSES, NAMESPACES, CLUSTER_ROLES]):
            if push is None:
                yield SessionState.check
                return
            grants, namespaces, roles = push.watches
            if users_at is None or loop.time() - users_at > KEYCLOAK_REREAD_SECONDS:
                users, users_note = await _keycloak_users()
                users_at = loop.time()
            matrix = await _matrix(push.viewer, grants, namespaces, roles, users)
            async with self:
                if self._generation != push.visit:
                    return
                self._show(matrix)
                self.notice, self.checked = users_note, True
                self.loading = grants.loading or namespaces.loading
                self.live_text = grants.status.describe()


async def _matrix(viewer: GrantViewer, grants, namespaces, roles, users: list[KcUser] | None) -> AccessMatrix:
    """The matrix over what this person may list (grants and namespaces, decided as the person)."""
    kube = viewer.kube
    visible_grants = await viewer.visible_grants(grants)
    visible_namespaces = await visible_objects(
        kube.reviews, viewer.api, viewer.actor, NAMESPACES, False, namespaces.objects()
    )
    return build_matrix(visible_grants, visible_namespaces, enforced=tier_enforced(roles), users=users)
