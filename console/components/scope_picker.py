"""The header's scope picker: everything, one namespace, or an Organization or Environment."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def scope_picker(scope: rx.Var[str], choices: rx.Var[list[dict[str, str]]], choose: EventType) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="All namespaces", data_testid="scope-picker", aria_label="Scope"),
        rx.select.content(
            rx.select.item("All namespaces", value="all"),
            rx.foreach(
                choices,
                lambda choice: rx.select.item(
                    rx.text(
                        rx.match(
                            choice["group"], ("Organizations", "Organization: "), ("Environments", "Environment: "), ""
                        ),
                        choice["label"],
                    ),
                    value=choice["value"],
                    data_testid="scope-" + choice["value"],
                ),
            ),
        ),
        value=rx.cond(scope != "", scope, "all"),
        on_change=choose,
        size="1",
    )
