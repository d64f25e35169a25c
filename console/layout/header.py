"""The header: the Sovereign's name and FQDN pill, the scope picker, the theme toggle."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def scope_picker(scope: rx.Var[str], choices: rx.Var[list[dict[str, str]]], choose: EventType) -> rx.Component:
    """Everything, one namespace, or an Organization or Environment."""
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


def header(sovereign_name: rx.Var[str], sovereign_fqdn: rx.Var[str], *tools: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(sovereign_name, weight="bold", size="3", data_testid="sovereign-name"),
        rx.badge(
            rx.icon("globe", size=12),
            sovereign_fqdn,
            variant="outline",
            radius="full",
            color_scheme="gray",
            data_testid="sovereign-fqdn",
        ),
        rx.spacer(),
        *tools,
        rx.color_mode.button(size="1", variant="ghost", data_testid="theme-toggle", aria_label="Toggle theme"),
        align="center",
        width="100%",
        padding="10px 20px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        data_testid="header",
    )
