"""`/rbac/audit`: every audited action (grant changes, Keycloak group changes, mutating console actions), live."""

from __future__ import annotations

import reflex as rx

from console.audit.query import SINCE_CHOICES
from console.layout.frame import page_shell
from console.pages.access.audit_state import PAGE_SIZE, ROUTE, AuditState
from console.pages.access.components.access_frame import (
    access_header,
    live_badge,
    loading_line,
    problem_notice,
    tier_gated,
)
from console.pages.access.components.audit_table import audit_table, audit_toolbar
from console.pages.access.components.tables import pager_row

__all__ = ["ROUTE", "audit_page"]


def _log() -> rx.Component:
    state = AuditState
    return rx.vstack(
        audit_toolbar(
            actor=state.actor,
            action=state.action,
            result=state.result,
            since=state.since,
            actions=state.action_choices,
            since_choices=[(choice, title) for choice, title, _ in SINCE_CHOICES],
            filtered=state.filtered,
            set_actor=state.set_actor,
            set_action=state.set_action,
            set_result=state.set_result,
            set_since=state.set_since,
            clear=state.clear_filters,
            export=state.export_csv,
        ),
        problem_notice(state.problem, "audit-problem"),
        rx.cond(
            state.loading,
            loading_line("Reading the audit log…", "audit-loading"),
            rx.vstack(
                audit_table(
                    state.rows,
                    rx.cond(
                        state.filtered, "No audited action matches these filters.", "Nothing has been audited yet."
                    ),
                ),
                pager_row(state.page, state.pages, state.total, PAGE_SIZE, state.go_to_page),
                width="100%",
                gap="2",
            ),
        ),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    live = live_badge(AuditState.live, "audit-live", title="Updated " + AuditState.updated)
    return rx.vstack(
        access_header(
            "Audit log",
            beside=(rx.cond(AuditState.allowed, live),),
            description=(
                "Every grant and group change and every mutating console action: who, what, when, and how it ended."
            ),
        ),
        tier_gated(_log(), checked=AuditState.checked, allowed=AuditState.allowed, refusal=AuditState.refusal),
        width="100%",
        gap="3",
        data_testid="audit-page",
    )


def audit_page() -> rx.Component:
    return page_shell(_body(), active="access-audit")
