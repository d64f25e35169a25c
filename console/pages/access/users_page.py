"""`/users`: every UserAccess grant — who, tier, scopes, bindings, reconcile state — with owners' revoke."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    SECTION,
    access_header,
    gated_body,
    live_badge,
    problem_notice,
    result_notice,
)
from console.pages.access.components.grant_parts import condition_badge, tier_badge
from console.pages.access.components.tables import table_or_empty
from console.pages.access.users_state import UsersState as State
from console.pages.access.users_views import TIER_FILTERS

ROUTE = "/users"


def _tier_chips() -> rx.Component:
    return rx.hstack(
        *(
            rx.button(
                "All" if tier == "all" else tier,
                size="1",
                radius="full",
                variant=rx.cond(State.tier == tier, "solid", "soft"),
                on_click=State.set_tier(tier),
                aria_pressed=rx.cond(State.tier == tier, "true", "false"),
                data_testid=f"tier-filter-{tier}",
            )
            for tier in TIER_FILTERS
        ),
        gap="1",
        wrap="wrap",
        align="center",
        data_testid="tier-filter",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        _tier_chips(),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search user, grant or scope",
            value=State.search,
            on_change=State.set_search.debounce(200),
            width="260px",
            size="2",
            data_testid="users-search",
        ),
        rx.spacer(),
        rx.cond(
            State.can_write,
            rx.link(
                rx.button(rx.icon("plus", size=14), "New", data_testid="users-new"),
                href="/rbac/grant",
            ),
        ),
        width="100%",
        align="center",
        gap="3",
        wrap="wrap",
    )


def _user_cell(row: rx.Var) -> rx.Component:
    return rx.table.cell(
        rx.vstack(
            rx.link(row["who"], href=row["href"], weight="medium", data_testid="grant-user"),
            rx.cond(
                row["subject"] != "", rx.text(row["subject"], size="1", color_scheme="gray", font_family="monospace")
            ),
            rx.cond(row["groups"] != "", rx.text("groups: ", row["groups"], size="1", color_scheme="gray")),
            gap="0",
            align="start",
        )
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        _user_cell(row),
        rx.table.cell(rx.text(row["name"], size="2", font_family="monospace"), data_testid="grant-name"),
        rx.table.cell(tier_badge(row["tier"]), data_testid="grant-tier"),
        rx.table.cell(rx.text(row["scopes"], size="2"), data_testid="grant-scopes"),
        rx.table.cell(row["bindings"], data_testid="grant-bindings"),
        rx.table.cell(condition_badge(row["condition"], row["tone"]), data_testid="grant-condition"),
        rx.cond(
            State.can_write,
            rx.table.cell(
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=State.ask_delete(row["name"], row["who"]),
                    aria_label=rx.Var.create("Revoke ") + row["name"],
                    title="Revoke",
                    data_testid="grant-delete",
                )
            ),
        ),
        data_testid="grant-row",
        data_name=row["name"],
        align="center",
    )


def _table() -> rx.Component:
    headers = ("User", "Grant", "Tier", "Scopes", "Bindings", "Condition")
    return table_or_empty(
        (*headers, rx.cond(State.can_write, rx.table.column_header_cell(""))),
        State.rows,
        _row,
        rx.callout(
            rx.cond(State.total > 0, "No grant matches this filter.", "No grants yet."),
            icon="info",
            color_scheme="gray",
            data_testid="grants-empty",
        ),
        size="2",
        variant="surface",
        data_testid="grants-table",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Revoke ", State.delete_name, "?"),
            rx.alert_dialog.description(
                State.delete_who,
                " loses what this grant gives (its bindings are removed with it).",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Revoke",
                    color_scheme="red",
                    on_click=State.delete,
                    loading=State.busy,
                    data_testid="grant-delete-confirm",
                ),
                justify="end",
                gap="2",
                margin_top="4",
            ),
            data_testid="grant-delete-dialog",
        ),
        open=State.delete_open,
        on_open_change=State.set_delete_open,
    )


def _grants() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        result_notice(State.result, State.result_tone, "users-result", size="1"),
        _table(),
        rx.text(State.note, size="1", color_scheme="gray"),
        rx.cond(
            ~State.can_write,
            rx.text(
                "Read-only: only a tier-owner grants and revokes access.",
                size="1",
                color_scheme="gray",
                data_testid="users-read-only",
            ),
        ),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header("Users", crumb=SECTION, end=rx.cond(State.gate == "", live_badge(State.live_text, "users-live"))),
        problem_notice(State.problem, "users-problem"),
        gated_body(
            _grants(),
            gate=State.gate,
            waiting=State.loading | ~State.checked,
            problem=State.problem,
            loading_text="Loading grants…",
            test_id="users",
        ),
        _delete_dialog(),
        width="100%",
        gap="4",
        data_testid="users-page",
    )


def users_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
