"""A verb × resource matrix of what one person may do (rows: resources with at least one verb allowed)."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from console.pages.access.components.tables import data_table, empty_text


def _cell(value: rx.Var[str]) -> rx.Component:
    return rx.cond(
        value == "yes",
        rx.icon("check", size=14, color=rx.color("green", 10), aria_label="allowed"),
        rx.cond(
            value != "",
            rx.text(value, size="1", color_scheme="amber"),
            rx.text("·", color_scheme="gray", aria_label="not allowed"),
        ),
    )


def rules_matrix_table(rows: rx.Var[list[dict[str, str]]], verbs: Sequence[str], test_id: str) -> rx.Component:
    def row(entry: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.row_header_cell(rx.code(entry["resource"], variant="ghost")),
            *(rx.table.cell(_cell(entry[verb]), data_verb=verb) for verb in verbs),
            data_testid=f"{test_id}-row",
            data_resource=entry["resource"],
        )

    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            data_table(("Resource", *verbs), rows, row, data_testid=test_id),
            max_height="420px",
            overflow_y="auto",
            width="100%",
            tab_index=0,  # a scrolling region is reachable by keyboard (arrow keys scroll it once focused)
            role="region",
            aria_label="Allowed verbs by resource",
        ),
        empty_text("Nothing is allowed here.", f"{test_id}-empty"),
    )
