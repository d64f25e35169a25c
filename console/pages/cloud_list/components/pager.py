"""Paging controls: where this page sits in the matched rows, previous and next."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def pager(
    page: rx.Var[int],
    pages: rx.Var[int],
    matched: rx.Var[int],
    page_size: int,
    go_to_page: EventType,
) -> rx.Component:
    first = page * page_size + 1
    last = rx.cond((page + 1) * page_size < matched, (page + 1) * page_size, matched)
    return rx.hstack(
        rx.text(
            rx.cond(matched > 0, first.to_string() + "–" + last.to_string() + " of " + matched.to_string(), "0 rows"),
            size="2",
            color_scheme="gray",
            data_testid="pager-range",
        ),
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            on_click=go_to_page(page - 1),
            disabled=page <= 0,
            variant="soft",
            size="1",
            aria_label="Previous page",
            data_testid="page-prev",
        ),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            on_click=go_to_page(page + 1),
            disabled=page + 1 >= pages,
            variant="soft",
            size="1",
            aria_label="Next page",
            data_testid="page-next",
        ),
        align="center",
        gap="2",
        data_testid="pager",
    )
