"""The metrics tab: current CPU (millicores) and memory, or why there are none."""

from __future__ import annotations

import reflex as rx

from console.pages.resource_detail.state import ResourceDetailState


def metrics_tab() -> rx.Component:
    rows, note = ResourceDetailState.metrics_rows, ResourceDetailState.metrics_note
    return rx.cond(
        note != "",
        rx.callout(note, icon="info", color_scheme="gray", data_testid="metrics-note"),
        rx.cond(
            rows.length() > 0,  # type: ignore[attr-defined]
            rx.table.root(
                rx.table.header(
                    rx.table.row(*(rx.table.column_header_cell(h) for h in ("CONTAINER", "CPU", "MEMORY")))
                ),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda row: rx.table.row(
                            rx.table.cell(row["name"]),
                            rx.table.cell(row["cpu"]),
                            rx.table.cell(row["memory"]),
                            data_testid="metrics-row",
                        ),
                    )
                ),
                size="1",
                data_testid="metrics-table",
            ),
            rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
        ),
    )
