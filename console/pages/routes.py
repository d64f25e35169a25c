"""Every page of the console, as data: `console/console.py` adds them in one loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from console.layout import not_found
from console.pages.cloud_graph.page import cloud_page
from console.pages.cloud_graph.state import CloudViewState
from console.pages.compliance import application_page, dashboard_page, policy_page
from console.pages.compliance.application_state import ComplianceApplicationState
from console.pages.compliance.dashboard_state import ComplianceDashboardState
from console.pages.compliance.policy_state import CompliancePolicyState
from console.pages.resource_detail import page as resource_detail
from console.pages.resource_detail.actions_state import DetailActionsState
from console.pages.resource_detail.state import ResourceDetailState
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
