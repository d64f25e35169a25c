"""Every page of the console, as data: `console/console.py` adds them in one loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from console.layout import not_found
from console.pages.access import (
    audit_page,
    grant_page,
    groups_page,
    matrix_page,
    roles_page,
    user_page,
    users_page,
    who_can_page,
)
from console.pages.access.grant_state import GrantState
from console.pages.access.matrix_state import MatrixState
from console.pages.access.user_state import UserState
from console.pages.access.users_state import UsersState
from console.pages.cloud_graph.page import cloud_page
from console.pages.cloud_graph.state import CloudViewState
from console.pages.compliance import application_page, dashboard_page, policy_page
from console.pages.compliance.application_state import ComplianceApplicationState
from console.pages.compliance.dashboard_state import ComplianceDashboardState
from console.pages.compliance.policy_state import CompliancePolicyState
from console.pages.resource_detail import page as resource_detail
from console.pages.resource_detail.actions_state import DetailActionsState
from console.pages.resource_detail.state import ResourceDetailState
from console.pages.settings import page as settings_page
from console.pages.settings.state import SettingsState
from console.state.session import SessionState


@dataclass(frozen=True, kw_only=True)
class Route:
    path: str  # URL path as Reflex routes it ("404": every path no other page claims)
    title: str  # browser tab title
    component: Callable[[], rx.Component]
    on_load: list[Any] = field(default_factory=list)  # events run when the page opens


def _home() -> rx.Component:
    return rx.center(rx.spinner(), height="100vh")


ROUTES: tuple[Route, ...] = (
    Route(
        path="/cloud",
        title="Cloud · Sovereign Console",
        component=cloud_page,
        on_load=[SessionState.check, CloudViewState.open_cloud],  # opens only the chosen view (graph or list)
    ),
    Route(
        path=resource_detail.ROUTE,
        title="Resource · Sovereign Console",
        component=resource_detail.resource_detail_page,
        on_load=[SessionState.check, ResourceDetailState.load, DetailActionsState.load_actions],
    ),
    Route(
        path=dashboard_page.SRE_ROUTE,
        title="SRE Lead — Compliance · Sovereign Console",
        component=dashboard_page.sre_dashboard_page,
        on_load=[SessionState.check, ComplianceDashboardState.open_sre],
    ),
    Route(
        path=dashboard_page.SECURITY_ROUTE,
        title="Security Lead — Compliance · Sovereign Console",
        component=dashboard_page.security_dashboard_page,
        on_load=[SessionState.check, ComplianceDashboardState.open_security],
    ),
    Route(
        path=policy_page.ROUTE,
        title="Policy · Compliance · Sovereign Console",
        component=policy_page.policy_page,
        on_load=[SessionState.check, CompliancePolicyState.open_policy],
    ),
    Route(
        path=application_page.ROUTE,
        title="Application · Compliance · Sovereign Console",
        component=application_page.application_page,
        on_load=[SessionState.check, ComplianceApplicationState.open_application],
    ),
    # Users & Access
    Route(
        path=users_page.ROUTE,
        title="Users · Sovereign Console",
        component=users_page.users_page,
        on_load=[SessionState.check, UsersState.open],
    ),
    Route(
        path=user_page.ROUTE,
        title="Grant · Users · Sovereign Console",
        component=user_page.user_page,
        on_load=[SessionState.check, UserState.open],
    ),
    Route(
        path=grant_page.ROUTE,
        title="Grant access · Sovereign Console",
        component=grant_page.grant_page,
        on_load=[SessionState.check, GrantState.open],
    ),
    Route(
        path=matrix_page.ROUTE,
        title="Access matrix · Sovereign Console",
        component=matrix_page.matrix_page,
        on_load=[SessionState.check, MatrixState.open],
    ),
    Route(
        path=groups_page.ROUTE,
        title="Groups · Users & Access · Sovereign Console",
        component=groups_page.groups_page,
        on_load=[SessionState.check, groups_page.GroupsState.open_groups],
    ),
    Route(
        path=roles_page.ROUTE,
        title="Roles · Users & Access · Sovereign Console",
        component=roles_page.roles_page,
        on_load=[SessionState.check, roles_page.RolesState.open_roles],
    ),
    Route(
        path=who_can_page.ROUTE,
        title="Who can? · Users & Access · Sovereign Console",
        component=who_can_page.who_can_page,
        on_load=[SessionState.check, who_can_page.WhoCanState.open_who_can],
    ),
    Route(
        path=audit_page.ROUTE,
        title="Audit · Users & Access · Sovereign Console",
        component=audit_page.audit_page,
        on_load=[SessionState.check, audit_page.AuditState.open_audit],
    ),
    Route(
        path=settings_page.ROUTE,
        title="Settings · Sovereign Console",
        component=settings_page.settings_page,
        on_load=[SessionState.check, SettingsState.open_settings],
    ),
    Route(
        path="/",
        title="Sovereign Console",
        component=_home,
        on_load=[rx.redirect("/cloud", replace=True)],  # the Cloud page opens the view chosen last
    ),
    Route(
        path=not_found.ROUTE,
        title="Page not found · Sovereign Console",
        component=not_found.not_found_page,
        on_load=[SessionState.check],  # signed out, a client-side navigation here still leads to sign-in
    ),
)
