"""`/rbac/grant`: give one tier, on some scopes, to several Keycloak users at once."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    CHECKING_TIER,
    SECTION,
    access_header,
    gated_body,
    problem_notice,
)
from console.pages.access.components.grant_parts import (
    removable_chip,
    scope_editor,
    section,
    tier_badge,
)
from console.pages.access.components.tables import data_table
from console.pages.access.grant_state import GrantState as State
from console.pages.access.scope_editor_wiring import scope_editor_view
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
    note = rx.text(
        "Scopes are ANDed within a grant; a namespace must carry every one. A tier's enforced scopes "
        "(developer: env-type=dev) are added to the grant.",
        size="1",
        color_scheme="gray",
    )
    return scope_editor(scope_editor_view(State, State.scopes), note)


def _picked_chip(user: rx.Var) -> rx.Component:
    return removable_chip(
        rx.icon("user", size=12),
        rx.text(user["display"]),
        on_remove=State.unpick(user["id"]),
        remove_label=rx.Var.create("Remove ") + user["display"],
        test_id="picked-user",
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


def _outcome_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["who"]),
        rx.table.cell(rx.cond(row["href"] != "", rx.link(row["name"], href=row["href"]), row["name"])),
        rx.table.cell(tone_badge(row["applied"], row["tone"]), data_testid="outcome-applied"),
        rx.table.cell(rx.text(row["message"], size="2")),
        data_testid="grant-outcome",
        data_applied=row["applied"],
    )


def _outcomes() -> rx.Component:
    return rx.cond(
        State.outcomes.length() > 0,
        section(
            "Result",
            data_table(("User", "Grant", "Outcome", "What happened"), State.outcomes, _outcome_row),
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
        access_header("Grant access", crumb=f"{SECTION} / Users", crumb_href="/users"),
        problem_notice(State.problem, "grant-problem"),
        # The form has no data to wait for: only the person's tier (`checked`), and the gate is an owner's.
        gated_body(
            _form(),
            gate=State.gate,
            gate_title="Needs tier-owner",
            waiting=~State.checked,
            problem=State.problem,
            loading_text=CHECKING_TIER,
            test_id="grant",
        ),
        width="100%",
        max_width="1100px",
        gap="4",
        data_testid="grant-page",
    )


def grant_page() -> rx.Component:
    return page_shell(_body(), active="access-users")
