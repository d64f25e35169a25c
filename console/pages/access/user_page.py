"""`/users/<name>`: one grant — who, tier, scopes, status conditions, bindings — and the owner's edit."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    SECTION,
    access_header,
    gated_body,
    problem_notice,
    result_notice,
)
from console.pages.access.components.grant_parts import (
    condition_badge,
    scope_editor,
    section,
    tier_badge,
)
from console.pages.access.components.tables import empty_text, table_or_empty
from console.pages.access.scope_editor_wiring import scope_editor_view
from console.pages.access.user_state import TIER_NAMES
from console.pages.access.user_state import UserState as State

ROUTE = "/users/[grant_name]"


def _field(label: str, value: rx.Component | rx.Var | str, test_id: str) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(value, data_testid=test_id),
    )


def _spec() -> rx.Component:
    return section(
        "Grant",
        rx.data_list.root(
            _field("User", State.who, "grant-who"),
            _field("Keycloak subject", rx.code(State.subject, variant="ghost"), "grant-subject"),
            _field("Groups", rx.cond(State.groups != "", State.groups, "—"), "grant-groups"),
            _field("Tier", rx.hstack(tier_badge(State.tier), rx.code(State.tier_role, variant="ghost")), "grant-tier"),
            _field(
                "Scopes",
                rx.cond(
                    State.scopes.length() > 0,
                    rx.hstack(
                        rx.foreach(
                            State.scopes,
                            lambda scope: rx.badge(
                                scope["text"],
                                rx.cond(scope["enforced"] == "1", rx.text("enforced", size="1", color_scheme="gray")),
                                variant=rx.cond(scope["enforced"] == "1", "outline", "surface"),
                                title=rx.cond(
                                    scope["enforced"] == "1",
                                    "enforced by the tier's ClusterRole: the reconciler adds it",
                                    "",
                                ),
                            ),
                        ),
                        gap="1",
                        wrap="wrap",
                    ),
                    rx.text("cluster-wide"),
                ),
                "grant-scopes",
            ),
            _field("Sovereign", State.sovereign_ref, "grant-sovereign"),
            _field("Created", State.created, "grant-created"),
            size="2",
        ),
        test_id="grant-spec",
    )


def _condition_row(condition: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(condition["type"]),
        rx.table.cell(
            rx.badge(
                condition["status"],
                color_scheme=rx.match(condition["status"], ("True", "green"), ("False", "red"), "amber"),
                variant="soft",
            )
        ),
        rx.table.cell(condition["reason"]),
        rx.table.cell(rx.text(condition["message"], size="2")),
        rx.table.cell(rx.text(condition["since"], size="1", color_scheme="gray"), white_space="nowrap"),
        data_testid="grant-condition-row",
    )


def _conditions() -> rx.Component:
    return section(
        "Status conditions",
        table_or_empty(
            ("Type", "Status", "Reason", "Message", "Since"),
            State.conditions,
            _condition_row,
            empty_text("The reconciler has not reported on this grant yet."),
        ),
        test_id="grant-conditions",
    )


def _binding_row(binding: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(binding["kind"]),
        rx.table.cell(binding["namespace"]),
        rx.table.cell(rx.cond(binding["href"] != "", rx.link(binding["name"], href=binding["href"]), binding["name"])),
        data_testid="grant-binding-row",
    )


def _bindings() -> rx.Component:
    return section(
        "Bindings",
        table_or_empty(
            ("Kind", "Namespace", "Name"),
            State.bindings,
            _binding_row,
            empty_text("No bindings yet (none reconciled, or no namespace matches)."),
        ),
        test_id="grant-bindings",
    )


def _edit() -> rx.Component:
    return section(
        "Edit",
        rx.hstack(
            rx.text("Tier", size="2", weight="medium", min_width="60px"),
            rx.segmented_control.root(
                *(rx.segmented_control.item(name, value=name, data_testid=f"edit-tier-{name}") for name in TIER_NAMES),
                value=State.edit_tier,
                on_change=State.set_edit_tier,
                data_testid="edit-tier",
            ),
            align="center",
            gap="3",
            wrap="wrap",
        ),
        scope_editor(scope_editor_view(State, State.edit_scopes)),
        rx.hstack(
            rx.button("Save", on_click=State.save, loading=State.busy, disabled=~State.dirty, data_testid="grant-save"),
            rx.button("Discard", variant="soft", color_scheme="gray", on_click=State.discard, disabled=~State.dirty),
            gap="2",
        ),
        result_notice(State.result, State.result_tone, "grant-save-result", size="1"),
        test_id="grant-edit",
    )


def _grant() -> rx.Component:
    return rx.cond(
        State.missing != "",
        rx.callout(State.missing, icon="info", color_scheme="gray", data_testid="grant-missing"),
        rx.vstack(
            _spec(),
            _conditions(),
            _bindings(),
            rx.cond(State.can_write, _edit()),
            width="100%",
            gap="4",
        ),
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header(
            State.name,
            crumb=f"{SECTION} / Users",
            crumb_href="/users",
            beside=(
                rx.cond(State.tier != "", tier_badge(State.tier)),
                rx.cond(State.condition != "", condition_badge(State.condition, State.condition_tone)),
            ),
            title_test_id="grant-title",
        ),
        problem_notice(State.problem, "grant-page-problem"),
        gated_body(
            _grant(),
            gate=State.gate,
            waiting=State.loading | ~State.checked,
            problem=State.problem,
            loading_text="Loading the grant…",
            test_id="user",
        ),
        width="100%",
        gap="4",
        data_testid="user-page",
    )


def user_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
