"""The list table of a kind: columns as data, one cell renderer per column display, sortable headers."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.event import EventType

from console.components.tone_badge import tone_badge, tone_color

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


def _name_cell(row: rx.Var[dict[str, str]], value: rx.Var[str]) -> rx.Component:
    text = rx.text(value, weight="medium", white_space="nowrap", data_testid="cell-name")
    return rx.cond(
        row.contains("href"),
        rx.link(text, href=row["href"], underline="hover", data_testid="row-link"),
        text,
    )


def _link_cell(row: rx.Var[dict[str, str]], key: rx.Var[str], value: rx.Var[str]) -> rx.Component:
    """A cell that names another object: a link to it when the row carries one (`href:<key>`)."""
    text = rx.text(value, white_space="nowrap")
    return rx.cond(
        row.contains("href:" + key),
        rx.link(text, href=row["href:" + key], underline="hover", data_testid="cell-link"),
        text,
    )


def _cell(row: rx.Var[dict[str, str]], column: rx.Var[dict[str, str]]) -> rx.Component:
    key = column["key"]
    value = row[key]
    return rx.table.cell(
        rx.match(
            column["display"],
            ("name", _name_cell(row, value)),
            ("status", tone_badge(value, row["tone"], data_testid="cell-status")),
            ("labels", _labels_cell(value)),
            ("link", _link_cell(row, key, value)),
            (
                "count",
                rx.text(
                    value,
                    color_scheme=tone_color(row["tone:" + key]),
                    weight=rx.cond(row.contains("tone:" + key), "bold", "regular"),
                    data_tone=row["tone:" + key],
                ),
            ),
            rx.text(value, color_scheme="gray", white_space="nowrap"),
        ),
        data_column=key,
    )


def _header(
    column: rx.Var[dict[str, str]], sort_key: rx.Var[str], descending: rx.Var[bool], sort_by: EventType
) -> rx.Component:
    key = column["key"]
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(column["title"]),
            rx.cond(
                sort_key == key,
                rx.cond(descending, rx.icon("arrow-down", size=12), rx.icon("arrow-up", size=12)),
            ),
            align="center",
            gap="1",
            cursor="pointer",
            on_click=sort_by(key),
        ),
        data_column=key,
        data_testid="sort-" + key,
        aria_sort=rx.cond(sort_key == key, rx.cond(descending, "descending", "ascending"), "none"),
        white_space="nowrap",
    )


def resource_table(
    columns: rx.Var[list[dict[str, str]]],
    rows: rx.Var[list[dict[str, str]]],
    sort_key: rx.Var[str],
    descending: rx.Var[bool],
    sort_by: EventType,
    row_actions: Callable[[rx.Var[dict[str, str]]], rx.Component] | None = None,
    show_actions: rx.Var[bool] | bool = False,
) -> rx.Component:
    """`row_actions(row)`, when given and `show_actions` holds, fills a last, untitled cell of each row."""

    def actions_cell(row: rx.Var[dict[str, str]]) -> rx.Component:
        if row_actions is None:
            return rx.fragment()
        return rx.cond(
            show_actions,
            rx.table.cell(row_actions(row), data_column="actions", width="1%", padding_y="0", vertical_align="middle"),
        )

    actions_header = (
        rx.fragment()
        if row_actions is None
        else rx.cond(show_actions, rx.table.column_header_cell("", data_column="actions", aria_label="Actions"))
    )
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.foreach(columns, lambda column: _header(column, sort_key, descending, sort_by)), actions_header
            )
        ),
        rx.table.body(
            rx.foreach(
                rows,
                lambda row: rx.table.row(
                    rx.foreach(columns, lambda column: _cell(row, column)),
                    actions_cell(row),
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
