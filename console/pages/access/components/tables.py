"""The tables of the access pages: a header of titles and a row per item, what shows when there is none, and a
pager under a paged list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx
from reflex.event import EventType

from console.pages.cloud_list.components.pager import pager


def data_table(
    headers: Sequence[str | rx.Component],
    rows: rx.Var,
    row: Callable[[rx.Var], rx.Component],
    **props: Any,
) -> rx.Component:
    """One header row (a title becomes a header cell; a component, say a conditional cell, stands as it is) and
    `row(item)` per item of `rows`; size 1 and full width unless `props` say otherwise."""
    cells = (rx.table.column_header_cell(header) if isinstance(header, str) else header for header in headers)
    return rx.table.root(
        rx.table.header(rx.table.row(*cells)),
        rx.table.body(rx.foreach(rows, row)),
        **{"size": "1", "width": "100%", **props},
    )


def table_or_empty(
    headers: Sequence[str | rx.Component],
    rows: rx.Var,
    row: Callable[[rx.Var], rx.Component],
    empty: rx.Component,
    **props: Any,
) -> rx.Component:
    """`data_table`, or `empty` when there are no rows (a table of headers alone says nothing)."""
    return rx.cond(rows.length() > 0, data_table(headers, rows, row, **props), empty)  # type: ignore[attr-defined]


def person_cells(user: rx.Var, username_test_id: str, **props: Any) -> tuple[rx.Component, ...]:
    """A Keycloak user's username (bold), name and email cells, from a `member_row`; `props` style the first two."""
    return (
        rx.table.cell(rx.text(user["username"], weight="medium"), data_testid=username_test_id, **props),
        rx.table.cell(user["name"], **props),
        rx.table.cell(rx.text(user["email"], size="1", color_scheme="gray")),
    )


def empty_text(text: str | rx.Var[str], test_id: str | None = None) -> rx.Component:
    """What stands in for an empty table."""
    return rx.text(text, color_scheme="gray", size="2", data_testid=test_id)


def pager_row(
    page: rx.Var[int], pages: rx.Var[int], total: rx.Var[int], page_size: int, go_to_page: EventType
) -> rx.Component:
    """The pager, at the right under a paged list."""
    return rx.hstack(rx.spacer(), pager(page, pages, total, page_size, go_to_page), width="100%")
