"""`/users/<name>`: one grant — who, tier, scopes, status conditions, bindings — and the owner's edit."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.grant_parts import (
    ScopeEditorView,
    condition_badge,
    gate_notice,
    problem_notice,
    scope_editor,
    section,
    tier_badge,
)
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


def _conditions() -> rx.Component:
    return section(
        "Status conditions",
        rx.cond(
            State.conditions.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(rx.table.column_header_cell(t) for t in ("Type", "Status", "Reason", "Message", "Since"))
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        State.conditions,
                        lambda c: rx.table.row(
                            rx.table.cell(c["type"]),
                            rx.table.cell(
                                rx.badge(
                                    c["status"],
                                    color_scheme=rx.match(c["status"], ("True", "green"), ("False", "red"), "amber"),
                                    variant="soft",
                                )
                            ),
                            rx.table.cell(c["reason"]),
                            rx.table.cell(rx.text(c["message"], size="2")),
                            rx.table.cell(rx.text(c["since"], size="1", color_scheme="gray"), white_space="nowrap"),
                            data_testid="grant-condition-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            rx.text("The reconciler has not reported on this grant yet.", size="2", color_scheme="gray"),
        ),
        test_id="grant-conditions",
    )


def _bindings() -> rx.Component:
    return section(
        "Bindings",
        rx.cond(
            State.bindings.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(t) for t in ("Kind", "Namespace", "Name")))),
                rx.table.body(
                    rx.foreach(
                        State.bindings,
                        lambda b: rx.table.row(
                            rx.table.cell(b["kind"]),
                            rx.table.cell(b["namespace"]),
                            rx.table.cell(rx.cond(b["href"] != "", rx.link(b["name"], href=b["href"]), b["name"])),
                            data_testid="grant-binding-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            rx.text("No bindings yet (none reconciled, or no namespace matches).", size="2", color_scheme="gray"),
        ),
        test_id="grant-bindings",
    )


def _edit() -> rx.Component:
    scopes = ScopeEditorView(
        chips=State.edit_scopes,
        key=State.scope_key,
        value=State.scope_value,
        error=State.scope_error,
        set_key=State.set_scope_key,
        set_value=State.set_scope_value,
        add=State.add_scope,
        remove=State.remove_scope,
    )
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
        scope_editor(scopes),
        rx.hstack(
            rx.button("Save", on_click=State.save, loading=State.busy, disabled=~State.dirty, data_testid="grant-save"),
            rx.button("Discard", variant="soft", color_scheme="gray", on_click=State.discard, disabled=~State.dirty),
            gap="2",
        ),
        rx.cond(
            State.result != "",
            rx.callout(
                State.result,
                icon=rx.cond(State.result_tone == "ok", "circle-check", "circle-alert"),
                color_scheme=rx.cond(State.result_tone == "ok", "green", "red"),
                size="1",
                data_testid="grant-save-result",
            ),
        ),
        test_id="grant-edit",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.link(rx.text("Users & Access / Users", size="1", color_scheme="gray"), href="/users"),
            rx.hstack(
                rx.heading(State.name, size="6", data_testid="grant-title"),
                rx.cond(State.tier != "", tier_badge(State.tier)),
                rx.cond(State.condition != "", condition_badge(State.condition, State.condition_tone)),
                align="center",
                gap="3",
            ),
            gap="1",
        ),
        problem_notice(State.problem, "grant-page-problem"),
        rx.cond(
            State.gate != "",
            gate_notice("Needs tier-admin to see grants", State.gate, "user-gate"),
            rx.cond(
                State.loading | ~State.checked | (State.problem != ""),
                rx.cond(
                    State.problem == "",
                    rx.hstack(
                        rx.spinner(), rx.text("Loading the grant…", color_scheme="gray"), data_testid="user-loading"
                    ),
                ),
                rx.cond(
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
                ),
            ),
        ),
        width="100%",
        gap="4",
        data_testid="user-page",
    )


def user_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
