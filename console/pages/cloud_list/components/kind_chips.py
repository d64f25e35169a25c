"""The kind chips: the six primary kinds with live counts, the rest in a "More" menu."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

_CATEGORY_COLORS = {
    "compute": "blue",
    "network": "violet",
    "storage": "amber",
    "workload": "cyan",
    "config": "gray",
    "reconciler": "teal",
}


def _color(category: rx.Var[str]) -> rx.Var[str]:
    return rx.match(category, *_CATEGORY_COLORS.items(), "gray")


def _chip(chip: rx.Var[dict[str, str]], active_id: rx.Var[str], choose: EventType) -> rx.Component:
    active = chip["id"] == active_id
    return rx.button(
        chip["title"],
        rx.cond(chip["count"] != "", rx.badge(chip["count"], variant="surface", data_testid="chip-count")),
        color_scheme=_color(chip["category"]),
        variant=rx.cond(active, "solid", "soft"),
        size="1",
        radius="full",
        on_click=choose(chip["id"]),
        data_testid="kind-chip-" + chip["id"],
        aria_pressed=rx.cond(active, "true", "false"),
    )


def kind_chips(
    chips: rx.Var[list[dict[str, str]]],
    more: rx.Var[list[dict[str, str]]],
    active_id: rx.Var[str],
    choose: EventType,
) -> rx.Component:
    return rx.flex(
        rx.foreach(chips, lambda chip: _chip(chip, active_id, choose)),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    "+ More", rx.icon("chevron-down", size=14), variant="soft", size="1", data_testid="more-kinds"
                )
            ),
            rx.menu.content(
                rx.foreach(
                    more,
                    lambda kind: rx.menu.item(
                        kind["title"], on_select=choose(kind["id"]), data_testid="more-kind-" + kind["id"]
                    ),
                ),
                max_height="60vh",
                overflow_y="auto",
            ),
        ),
        gap="2",
        wrap="wrap",
        align="center",
        data_testid="kind-chips",
    )
