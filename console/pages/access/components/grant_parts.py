"""Stateless pieces of the grant pages: tier and condition badges, a titled card, the scope chips editor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.event import EventType

from console.components.tone_badge import tone_badge
from console.rbac.scopes import SCOPE_KEYS

_TIER_COLOURS = {"viewer": "gray", "developer": "blue", "operator": "cyan", "admin": "orange", "owner": "purple"}
_CONDITION_TONES = {"ok": "ok", "error": "err", "progressing": "warn"}
SCOPE_KEY_CHOICES = tuple(key.removeprefix("openova.io/") for key in SCOPE_KEYS)


def tier_badge(tier: rx.Var[str] | str, **props: Any) -> rx.Component:
    """A tier's name on its colour (the same colour on every grant page)."""
    colour = rx.match(tier, *_TIER_COLOURS.items(), "gray")
    return rx.badge(tier, color_scheme=colour, variant="soft", radius="full", data_tier=tier, **props)


def condition_badge(text: rx.Var[str], tone: rx.Var[str], **props: Any) -> rx.Component:
    """A grant's reconcile state: Reconciled (green), Pending (amber), the failing condition (red)."""
    return tone_badge(text, rx.match(tone, *_CONDITION_TONES.items(), "muted"), **props)


def section(title: str, *children: rx.Component, test_id: str, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, gap="3", width="100%"),
        width="100%",
        data_testid=test_id,
        **props,
    )


def removable_chip(
    *label: rx.Component, on_remove: EventType, remove_label: rx.Var[str], test_id: str, **props: Any
) -> rx.Component:
    """A rounded chip (a scope, a picked person) with an ✕ that removes it; the ✕ is `<test_id>-remove`."""
    return rx.badge(
        *label,
        rx.icon_button(
            rx.icon("x", size=12),
            size="1",
            variant="ghost",
            radius="full",
            on_click=on_remove,
            aria_label=remove_label,
            data_testid=f"{test_id}-remove",
        ),
        variant="surface",
        radius="full",
        size="2",
        data_testid=test_id,
        **props,
    )


@dataclass(frozen=True, slots=True)
class ScopeEditorView:
    """Vars and handlers the scope chips editor is drawn from."""

    chips: rx.Var  # list[dict]: key, value, text
    key: rx.Var[str]  # the key select's value (short form: "application")
    value: rx.Var[str]
    error: rx.Var[str]
    set_key: Any
    set_value: Any
    add: Any
    remove: Any  # takes the chip's full key


def scope_editor(view: ScopeEditorView, note: rx.Component | None = None) -> rx.Component:
    """Scope chips (removable) and a key select + value input that adds one, its refusal shown inline."""
    chip = lambda scope: removable_chip(  # noqa: E731
        rx.text(scope["text"]),
        on_remove=view.remove(scope["key"]),
        remove_label=rx.Var.create("Remove scope ") + scope["text"],
        test_id="scope-chip",
        data_scope=scope["text"],
    )
    return rx.vstack(
        rx.hstack(
            rx.foreach(view.chips, chip),
            rx.cond(
                view.chips.length() == 0,  # type: ignore[attr-defined]
                rx.text(
                    "No scopes: the whole cluster (a tier's enforced scopes still apply).",
                    size="2",
                    color_scheme="gray",
                    data_testid="scope-none",
                ),
            ),
            gap="2",
            wrap="wrap",
            align="center",
            data_testid="scope-chips",
        ),
        rx.form(
            rx.hstack(
                rx.select.root(
                    rx.select.trigger(
                        placeholder="scope key", aria_label="Scope key", min_width="170px", data_testid="scope-key"
                    ),
                    rx.select.content(
                        *(rx.select.item(key, value=key, data_testid=f"scope-key-{key}") for key in SCOPE_KEY_CHOICES)
                    ),
                    value=view.key,
                    on_change=view.set_key,
                ),
                rx.text("=", color_scheme="gray"),
                rx.input(
                    value=view.value,
                    on_change=view.set_value,
                    placeholder="value (* for any)",
                    width="200px",
                    data_testid="scope-value",
                    aria_label="Scope value",
                ),
                rx.button(
                    rx.icon("plus", size=14), "Add scope", type="submit", variant="soft", data_testid="scope-add"
                ),
                gap="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=lambda _: view.add(),
            reset_on_submit=False,
        ),
        rx.cond(
            view.error != "",
            rx.text(view.error, size="2", color_scheme="red", role="alert", data_testid="scope-error"),
        ),
        note if note is not None else rx.fragment(),
        gap="2",
        width="100%",
        align="start",
    )
