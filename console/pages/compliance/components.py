"""Stateless pieces the compliance pages share: the score pill, category pills, tables of text rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx

from console.components.tone_badge import tone_badge


def score_pill(
    text: rx.Var[str], colour: rx.Var[str], test_id: str = "compliance-score", size: str = "64px"
) -> rx.Component:
    """The big number: "NN%" on its score colour, or "—" on grey (no score is never 0 and never 100)."""
    return rx.center(
        rx.text(text, weight="bold", size="7", color="white", data_testid=test_id),
        width=size,
        height=size,
        min_width=size,
        border_radius="14px",
        background=colour,
        aria_label=rx.Var.create("Compliance score ") + text,
    )


def category_pills(categories: rx.Var[list[dict[str, str]]]) -> rx.Component:
    return rx.hstack(
        rx.foreach(
            categories,
            lambda pill: rx.hstack(
                rx.box(width="10px", height="10px", border_radius="50%", background=pill["colour"]),
                rx.text(pill["label"], size="2", weight="medium"),
                rx.text(pill["text"], size="2", data_testid="category-score"),
                align="center",
                gap="2",
                padding="4px 10px",
                border=f"1px solid {rx.color('gray', 6)}",
                border_radius="999px",
                data_testid=rx.Var.create("category-") + pill["id"],
                title=pill["detail"],
            ),
        ),
        gap="2",
        wrap="wrap",
    )


def legend(low: str, high: str, gradient: str) -> rx.Component:
    return rx.hstack(
        rx.text(low, size="1", color_scheme="gray"),
        rx.box(width="120px", height="8px", border_radius="4px", background=gradient),
        rx.text(high, size="1", color_scheme="gray"),
        rx.box(width="10px", height="10px", border_radius="2px", background="rgba(125,125,125,0.45)"),
        rx.text("no score", size="1", color_scheme="gray"),
        align="center",
        gap="2",
        data_testid="compliance-legend",
    )


def text_table(
    headers: Sequence[str],
    rows: rx.Var[list[dict[str, str]]],
    cells: Callable[[rx.Var], Sequence[rx.Component]],
    test_id: str,
    row_test_id: str,
    empty: str,
    max_height: str = "",
) -> rx.Component:
    """A table of text rows; with `max_height`, it scrolls inside the page (every row stays readable)."""
    table = rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in headers))),
        rx.table.body(rx.foreach(rows, lambda row: rx.table.row(*cells(row), data_testid=row_test_id))),
        size="1",
        width="100%",
        data_testid=test_id,
    )
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.box(
            table,
            max_height=max_height,
            overflow_y="auto",
            width="100%",
            tab_index=0,  # a scrolling region is reachable by keyboard
            role="region",
            aria_label=", ".join(headers),
        )
        if max_height
        else table,
        rx.text(empty, color_scheme="gray", size="2", data_testid=f"{test_id}-empty"),
    )


def score_cell(row: rx.Var, key: str = "score") -> rx.Component:
    return rx.table.cell(
        rx.hstack(
            rx.box(width="10px", height="10px", border_radius="2px", background=row["colour"]),
            rx.text(row[key]),
            align="center",
            gap="2",
        )
    )


def result_pill(result: rx.Var[str], tone: rx.Var[str]) -> rx.Component:
    return tone_badge(result, tone, data_testid="result-pill")


def section(title: str, *children: rx.Component, test_id: str = "") -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3"),
        *children,
        width="100%",
        align="start",
        gap="2",
        padding="14px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        data_testid=test_id or None,
    )
