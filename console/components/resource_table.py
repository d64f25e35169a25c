"""The list table of a kind: columns as data, one generic cell renderer per column key."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge

# Namespaces of a Sovereign carry a dozen labels; a row shows a few and a count, the tooltip shows all.
_LABELS_SHOWN = 3


def _labels_cell(labels: rx.Var[str]) -> rx.Component:
    every = labels.split("\n")
    return rx.cond(
        labels == "",
        rx.text("—", color_scheme="gray"),
        rx.tooltip(
            rx.flex(
                rx.foreach(
                    every[:_LABELS_SHOWN],
                    lambda label: rx.code(
                        label, size="1", variant="soft", color_scheme="gray", data_testid="label-chip"
                    ),
                ),
                rx.cond(
                    every.length() > _LABELS_SHOWN,
                    rx.badge(
                        "+",
                        (every.length() - _LABELS_SHOWN).to_string(),
                        variant="outline",
                        color_scheme="gray",
                        data_testid="labels-more",
                    ),
                ),
                wrap="wrap",
                gap="1",
                max_width="640px",
            ),
            content=labels,
        ),
    )


def _cell(row: rx.Var[dict[str, str]], column: rx.Var[dict[str, str]]) -> rx.Component:
    key = column["key"]
    value = row[key]
    return rx.table.cell(
        rx.match(
            key,
            ("name", rx.text(value, weight="medium", white_space="nowrap", data_testid="cell-name")),
            ("status", tone_badge(value, row["tone"], data_testid="cell-status")),
            ("labels", _labels_cell(value)),
            rx.text(value, color_scheme="gray", white_space="nowrap"),
        ),
        data_column=key,
    )


def resource_table(columns: rx.Var[list[dict[str, str]]], rows: rx.Var[list[dict[str, str]]]) -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.foreach(
                    columns,
                    lambda column: rx.table.column_header_cell(column["title"], data_column=column["key"]),
                )
            )
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda row: rx.table.row(
                    rx.foreach(columns, lambda column: _cell(row, column)),
                    data_testid="resource-row",
                    data_key=row["key"],
                    key=row["key"],
                ),
            )
        ),
        variant="surface",
        size="1",
        width="100%",
        data_testid="resource-table",
    )
