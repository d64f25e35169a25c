"""`/rbac/roles`: realm roles (name, description, composite, tier level); a row opens its holders; client roles."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    access_header,
    loading_line,
    panel,
    problem_callout,
    tier_gated,
)
from console.pages.access.components.roles_table import holders_table, roles_table
from console.pages.access.components.tables import pager_row
from console.pages.access.roles_state import HOLDERS_PAGE, ROUTE, RolesState

__all__ = ["ROUTE", "roles_page"]

State = RolesState


def _holders() -> rx.Component:
    return panel(
        rx.hstack(
            rx.heading("Holders of ", rx.code(State.selected_role), size="3", data_testid="holders-title"),
            rx.spacer(),
            rx.icon_button(
                rx.icon("x", size=14),
                size="1",
                variant="ghost",
                on_click=State.close_role,
                aria_label="Close",
                data_testid="holders-close",
            ),
            width="100%",
            align="center",
        ),
        rx.text(
            "People holding the role directly or through a group (a higher tier holds a lower one through its"
            " composite role).",
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            State.holder_groups.length() > 0,
            rx.hstack(
                rx.text("Through groups:", size="1", color_scheme="gray"),
                rx.foreach(
                    State.holder_groups, lambda path: rx.badge(path, variant="soft", data_testid="holder-group")
                ),
                gap="1",
                wrap="wrap",
            ),
        ),
        rx.cond(
            State.holders_problem != "",
            problem_callout(State.holders_problem, "holders-problem"),
            holders_table(State.holders),
        ),
        pager_row(State.holders_page, State.holders_pages, State.holders_total, HOLDERS_PAGE, State.go_to_holders_page),
        width="500px",
        flex_shrink="0",
        data_testid="holders-panel",
    )


def _client_roles() -> rx.Component:
    return panel(
        rx.hstack(
            rx.heading("Client roles", size="3"),
            rx.select.root(
                rx.select.trigger(placeholder="Choose a client", aria_label="Client", data_testid="client-select"),
                rx.select.content(
                    rx.foreach(
                        State.clients,
                        lambda client: rx.select.item(client["client_id"], value=client["id"]),
                    )
                ),
                value=State.client_id,
                on_change=State.choose_client,
                size="2",
            ),
            align="center",
            gap="3",
        ),
        rx.cond(
            State.client_problem != "",
            problem_callout(State.client_problem),
            rx.cond(
                State.client_id != "",
                roles_table(State.client_roles, "", None, "client-roles", "This client defines no roles."),
                rx.text("Choose a client to see the roles it defines.", color_scheme="gray", size="2"),
            ),
        ),
        width="100%",
    )


def _directory() -> rx.Component:
    return rx.vstack(
        rx.cond(
            State.problem != "",
            problem_callout(State.problem, "roles-problem"),
            rx.cond(
                State.loading,
                loading_line("Reading Keycloak's roles…", "roles-loading"),
                rx.vstack(
                    rx.hstack(
                        panel(
                            rx.heading("Realm roles", size="3"),
                            roles_table(
                                State.roles, State.selected_role, State.open_role, "realm-roles", "No realm roles."
                            ),
                            flex="1",
                            min_width="0",
                        ),
                        rx.cond(State.selected_role != "", _holders()),
                        align="start",
                        gap="4",
                        width="100%",
                    ),
                    _client_roles(),
                    width="100%",
                    gap="4",
                ),
            ),
        ),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header(
            "Keycloak roles",
            description=(
                "The realm's roles — the catalog tiers catalyst-viewer … catalyst-owner first — "
                "and each client's roles."
            ),
        ),
        tier_gated(_directory(), checked=State.checked, allowed=State.allowed, refusal=State.refusal),
        width="100%",
        gap="3",
        data_testid="roles-page",
    )


def roles_page() -> rx.Component:
    return page_shell(_body(), active="access-roles")
