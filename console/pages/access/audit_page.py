"""`/rbac/audit`: every audited action (grant changes, Keycloak group changes, mutating console actions), live."""

from __future__ import annotations

import reflex as rx

from console.audit.query import SINCE_CHOICES
from console.layout.frame import page_shell
from console.pages.access.audit_state import PAGE_SIZE, ROUTE, AuditState
from console.pages.access.components.audit_table import audit_table, audit_toolbar
from console.pages.access.directory_gate import needs_tier_notice
from console.pages.cloud_list.components.pager import pager

__all__ = ["ROUTE", "audit_page"]


def _live() -> rx.Component:
    return rx.badge(
        rx.cond(AuditState.live == "live", "live", AuditState.live),
        color_scheme=rx.cond(AuditState.live == "live", "green", "amber"),
        variant="soft",
        title="Updated " + AuditState.updated,
        data_testid="audit-live",
    )


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
        rx.cond(
            state.problem != "",
            rx.callout(state.problem, icon="triangle-alert", color_scheme="red", data_testid="audit-problem"),
        ),
        rx.cond(
            state.loading,
            rx.hstack(
                rx.spinner(), rx.text("Reading the audit log…", color_scheme="gray"), data_testid="audit-loading"
            ),
            rx.vstack(
                audit_table(
                    state.rows,
                    rx.cond(
                        state.filtered, "No audited action matches these filters.", "Nothing has been audited yet."
                    ),
                ),
                rx.hstack(
                    rx.spacer(),
                    pager(state.page, state.pages, state.total, PAGE_SIZE, state.go_to_page),
                    width="100%",
                ),
                width="100%",
                gap="2",
            ),
        ),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Audit log", size="6"),
            rx.cond(AuditState.allowed, _live()),
            align="center",
            gap="3",
        ),
        rx.text(
            "Every grant and group change and every mutating console action: who, what, when, and how it ended.",
            color_scheme="gray",
            size="2",
        ),
        rx.cond(
            AuditState.checked,
            rx.cond(AuditState.allowed, _log(), needs_tier_notice(AuditState.refusal)),
            rx.hstack(rx.spinner(), rx.text("Checking your tier…", color_scheme="gray")),
        ),
        width="100%",
        gap="3",
        data_testid="audit-page",
    )


def audit_page() -> rx.Component:
    return page_shell(_body(), active="access-audit")
