"""`/rbac/grant`: give one tier, on some scopes, to several Keycloak users at once."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.layout.frame import page_shell
from console.pages.access.components.grant_parts import (
    ScopeEditorView,
    gate_notice,
    problem_notice,
    scope_editor,
    section,
    tier_badge,
)
from console.pages.access.grant_state import GrantState as State
from console.rbac.tiers import TIERS

ROUTE = "/rbac/grant"


def _tier_picker() -> rx.Component:
    return rx.radio_cards.root(
        *(
            rx.radio_cards.item(
                rx.vstack(
                    rx.hstack(tier_badge(tier.name), rx.text(f"level {tier.level}", size="1", color_scheme="gray")),
                    rx.text(tier.summary, size="1", color_scheme="gray"),
                    gap="1",
                    align="start",
                    width="100%",
                ),
                value=tier.name,
                align_items="start",
                data_testid=f"tier-{tier.name}",
            )
            for tier in TIERS
        ),
        value=State.tier,
        on_value_change=State.choose_tier,
        columns={"initial": "1", "sm": "3", "lg": "5"},
        gap="2",
        size="1",
        width="100%",
        data_testid="tier-picker",
    )


def _actions_preview() -> rx.Component:
    return rx.vstack(
        rx.text("What ", tier_badge(State.tier), " can do", size="2", weight="medium"),
        rx.hstack(
            rx.foreach(
                State.actions,
                lambda action: rx.badge(
                    action["action"],
                    variant=rx.cond(action["own"] == "1", "solid", "soft"),
                    color_scheme=rx.cond(action["own"] == "1", "teal", "gray"),
                    title=rx.Var.create("added by tier ") + action["tier"],
                    data_testid="tier-action",
                ),
            ),
            gap="1",
            wrap="wrap",
        ),
        rx.text("Solid: what this tier adds; the rest comes from the tiers below it.", size="1", color_scheme="gray"),
        gap="2",
        width="100%",
        data_testid="tier-actions",
    )


def _scopes() -> rx.Component:
    view = ScopeEditorView(
        chips=State.scopes,
        key=State.scope_key,
        value=State.scope_value,
        error=State.scope_error,
        set_key=State.set_scope_key,
        set_value=State.set_scope_value,
        add=State.add_scope,
        remove=State.remove_scope,
    )
    note = rx.text(
        "Scopes are ANDed within a grant; a namespace must carry every one. A tier's enforced scopes "
        "(developer: env-type=dev) are added to the grant.",
        size="1",
        color_scheme="gray",
    )
    return scope_editor(view, note)


def _picked_chip(user: rx.Var) -> rx.Component:
    return rx.badge(
        rx.icon("user", size=12),
        rx.text(user["display"]),
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            radius="full",
            on_click=State.unpick(user["id"]),
            aria_label=rx.Var.create("Remove ") + user["display"],
            data_testid="picked-user-remove",
        ),
        variant="surface",
        radius="full",
        size="2",
        data_testid="picked-user",
        data_subject=user["id"],
    )


def _result(user: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("user-plus", size=14),
        rx.vstack(
            rx.text(user["display"], size="2"),
            rx.text(user["username"], size="1", color_scheme="gray"),
            gap="0",
            align="start",
        ),
        variant="ghost",
        width="100%",
        justify="start",
        height="auto",
        padding_y="6px",
        on_click=State.pick(user["id"]),
        data_testid="user-result",
        data_subject=user["id"],
    )


def _user_picker() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.foreach(State.picked, _picked_chip),
            rx.cond(
                State.picked.length() == 0,
                rx.text("Nobody picked yet.", size="2", color_scheme="gray", data_testid="picked-none"),
            ),
            gap="2",
            wrap="wrap",
            data_testid="picked-users",
        ),
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            id="user-search",
            placeholder="Search Keycloak users by name or email",
            on_change=State.search.debounce(300),
            width="100%",
            max_width="420px",
            data_testid="user-search",
            aria_label="Search Keycloak users",
        ),
        rx.cond(
            State.results.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(State.results, _result), gap="0", width="100%"),
                width="100%",
                max_width="420px",
                padding="4px",
                data_testid="user-results",
            ),
        ),
        rx.cond(
            State.search_note != "",
            rx.text(State.search_note, size="2", color_scheme="gray", data_testid="user-search-note"),
        ),
        gap="2",
        width="100%",
    )


def _outcomes() -> rx.Component:
    return rx.cond(
        State.outcomes.length() > 0,
        section(
            "Result",
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *(rx.table.column_header_cell(t) for t in ("User", "Grant", "Outcome", "What happened"))
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        State.outcomes,
                        lambda row: rx.table.row(
                            rx.table.cell(row["who"]),
                            rx.table.cell(
                                rx.cond(row["href"] != "", rx.link(row["name"], href=row["href"]), row["name"])
                            ),
                            rx.table.cell(tone_badge(row["applied"], row["tone"]), data_testid="outcome-applied"),
                            rx.table.cell(rx.text(row["message"], size="2")),
                            data_testid="grant-outcome",
                            data_applied=row["applied"],
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            test_id="grant-outcomes",
        ),
    )


def _form() -> rx.Component:
    return rx.vstack(
        section("1. Tier", _tier_picker(), _actions_preview(), test_id="grant-tier"),
        section("2. Scopes", _scopes(), test_id="grant-scopes"),
        section("3. Users", _user_picker(), test_id="grant-users"),
        rx.cond(
            State.form_error != "",
            rx.callout(State.form_error, icon="circle-alert", color_scheme="red", data_testid="grant-error"),
        ),
        rx.hstack(
            rx.button(
                rx.icon("shield-check", size=16),
                "Apply",
                size="3",
                on_click=State.apply,
                loading=State.busy,
                disabled=State.picked.length() == 0,
                data_testid="grant-apply",
            ),
            rx.text(
                "One grant per user per tier: an existing one is updated, or left alone when nothing changes.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            gap="3",
        ),
        _outcomes(),
        width="100%",
        gap="4",
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.link(rx.text("Users & Access / Users", size="1", color_scheme="gray"), href="/users"),
            rx.heading("Grant access", size="6"),
            gap="1",
        ),
        problem_notice(State.problem, "grant-problem"),
        rx.cond(
            ~State.checked,
            rx.hstack(rx.spinner(), rx.text("Checking your tier…", color_scheme="gray"), data_testid="grant-loading"),
            rx.cond(
                State.gate != "",
                gate_notice("Needs tier-owner", State.gate, "grant-gate"),
                rx.cond(State.problem == "", _form()),
            ),
        ),
        width="100%",
        max_width="1100px",
        gap="4",
        data_testid="grant-page",
    )


def grant_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
