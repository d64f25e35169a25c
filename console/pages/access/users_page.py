"""`/users`: every UserAccess grant — who, tier, scopes, bindings, reconcile state — with owners' revoke."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.grant_parts import condition_badge, gate_notice, problem_notice, tier_badge
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
    return rx.cond(
        State.rows.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *(rx.table.column_header_cell(title) for title in headers),
                    rx.cond(State.can_write, rx.table.column_header_cell("")),
                )
            ),
            rx.table.body(rx.foreach(State.rows, _row)),
            size="2",
            width="100%",
            variant="surface",
            data_testid="grants-table",
        ),
        rx.callout(
            rx.cond(State.total > 0, "No grant matches this filter.", "No grants yet."),
            icon="info",
            color_scheme="gray",
            data_testid="grants-empty",
        ),
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


def _body() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text("Users & Access", size="1", color_scheme="gray"),
                rx.heading("Users", size="6"),
                gap="1",
            ),
            rx.spacer(),
            rx.cond(
                State.gate == "",
                rx.badge(
                    State.live_text,
                    variant="soft",
                    color_scheme=rx.cond(State.live_text == "live", "green", "amber"),
                    data_testid="users-live",
                ),
            ),
            width="100%",
            align="center",
        ),
        problem_notice(State.problem, "users-problem"),
        rx.cond(
            State.gate != "",
            gate_notice("Needs tier-admin to see grants", State.gate, "users-gate"),
            rx.cond(
                State.loading | ~State.checked | (State.problem != ""),
                rx.cond(
                    State.problem == "",
                    rx.hstack(
                        rx.spinner(), rx.text("Loading grants…", color_scheme="gray"), data_testid="users-loading"
                    ),
                ),
                rx.vstack(
                    _toolbar(),
                    rx.cond(
                        State.result != "",
                        rx.callout(
                            State.result,
                            icon=rx.cond(State.result_tone == "ok", "circle-check", "circle-alert"),
                            color_scheme=rx.cond(State.result_tone == "ok", "green", "red"),
                            size="1",
                            data_testid="users-result",
                        ),
                    ),
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
                ),
            ),
        ),
        _delete_dialog(),
        width="100%",
        gap="4",
        data_testid="users-page",
    )


def users_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
