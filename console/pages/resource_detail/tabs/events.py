"""The events tab: newest first; Warning amber, Normal dim."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.pages.resource_detail.state import ResourceDetailState

_HEADER = ("TYPE", "REASON", "MESSAGE", "COUNT", "LAST SEEN")


def events_table(events: rx.Var, loaded: rx.Var[bool]) -> rx.Component:
    """Newest first, or a spinner until the first list arrives (the Reconcile tab shows it too)."""
    return rx.cond(
        ~loaded,
        rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
        rx.cond(
            events.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in _HEADER))),
                rx.table.body(
                    rx.foreach(
                        events,
                        lambda event: rx.table.row(
                            rx.table.cell(tone_badge(event["type"], event["tone"])),
                            rx.table.cell(event["reason"], data_testid="event-reason"),
                            rx.table.cell(event["message"]),
                            rx.table.cell(event["count"]),
                            rx.table.cell(event["last_seen"]),
                            data_testid="event-row",
                            data_tone=event["tone"],
                            opacity=rx.cond(event["tone"] == "muted", "0.8", "1"),
                        ),
                    )
                ),
                size="1",
                width="100%",
                data_testid="events-table",
            ),
            rx.text("No events for this resource.", color_scheme="gray", data_testid="events-empty"),
        ),
    )


def events_tab() -> rx.Component:
    return events_table(ResourceDetailState.events, ResourceDetailState.events_loaded)
