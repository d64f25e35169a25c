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


def _more_entry(entry: rx.Var[dict[str, str]], active_id: rx.Var[str], choose: EventType) -> rx.Component:
    return rx.fragment(
        rx.cond(
            entry["heading"] != "",
            rx.text(
                entry["heading"],
                size="1",
                weight="bold",
                color_scheme="gray",
                padding_top="6px",
                data_testid="more-section",
            ),
        ),
        rx.popover.close(
            rx.button(
                entry["title"],
                variant=rx.cond(entry["id"] == active_id, "soft", "ghost"),
                color_scheme=_color(entry["category"]),
                size="1",
                width="100%",
                justify="start",
                on_click=choose(entry["id"]),
                data_testid="more-kind-" + entry["id"],
            )
        ),
    )


def kind_chips(
    chips: rx.Var[list[dict[str, str]]],
    more: rx.Var[list[dict[str, str]]],
    active_id: rx.Var[str],
    choose: EventType,
    search: rx.Var[str],
    set_search: EventType,
) -> rx.Component:
    """`more`: the More menu's entries as shown (already narrowed by `search`), each with its `heading`."""
    return rx.flex(
        rx.foreach(chips, lambda chip: _chip(chip, active_id, choose)),
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    "+ More", rx.icon("chevron-down", size=14), variant="soft", size="1", data_testid="more-kinds"
                )
            ),
            rx.popover.content(
                rx.vstack(
                    rx.input(
                        value=search,
                        on_change=set_search,
                        placeholder="Search kinds…",
                        size="1",
                        width="100%",
                        auto_focus=True,
                        data_testid="more-search",
                    ),
                    rx.vstack(
                        rx.foreach(more, lambda entry: _more_entry(entry, active_id, choose)),
                        rx.cond(
                            more.length() == 0,
                            rx.text("No kind matches.", size="1", color_scheme="gray", data_testid="more-none"),
                        ),
                        gap="0",
                        width="100%",
                        max_height="55vh",
                        overflow_y="auto",
                    ),
                    gap="2",
                    width="280px",
                ),
                data_testid="more-menu",
            ),
        ),
        gap="2",
        wrap="wrap",
        align="center",
        data_testid="kind-chips",
    )
