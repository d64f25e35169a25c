"""The list toolbar: free-text filter, label selector, per-kind choice filters, and a query error line."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

FILTER_HELP = "Filter: text, /regex/, ! to invert"


def _kind_filter(
    entry: rx.Var[dict[str, str]], options: rx.Var[dict[str, list[str]]], set_kind_filter: EventType
) -> rx.Component:
    return rx.hstack(
        rx.text(entry["title"], size="1", weight="bold", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(placeholder="All", data_testid="kind-filter-" + entry["column"]),
            rx.select.content(
                rx.select.item("All", value="all"),
                rx.foreach(options[entry["column"]], lambda option: rx.select.item(option, value=option)),
            ),
            value=rx.cond(entry["value"] != "", entry["value"], "all"),
            on_change=lambda value: set_kind_filter(entry["column"], value),
            size="1",
        ),
        align="center",
        gap="1",
    )


def list_toolbar(
    *,
    filter_text: rx.Var[str],
    label_selector: rx.Var[str],
    query_error: rx.Var[str],
    kind_filters: rx.Var[list[dict[str, str]]],
    kind_filter_options: rx.Var[dict[str, list[str]]],
    set_filter_text: EventType,
    set_label_selector: EventType,
    set_kind_filter: EventType,
) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder=FILTER_HELP,
                default_value=filter_text,
                on_change=set_filter_text.debounce(250),
                size="2",
                width="320px",
                id="list-filter",
                data_testid="filter-input",
                aria_label="Filter rows",
            ),
            rx.input(
                rx.input.slot(rx.icon("tag", size=14)),
                placeholder="Labels: app=web,tier!=db",
                default_value=label_selector,
                on_change=set_label_selector.debounce(400),
                size="2",
                width="280px",
                data_testid="label-selector-input",
                aria_label="Label selector",
            ),
            rx.foreach(kind_filters, lambda entry: _kind_filter(entry, kind_filter_options, set_kind_filter)),
            gap="3",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            query_error != "",
            rx.text(query_error, color_scheme="red", size="2", data_testid="query-error", role="alert"),
        ),
        gap="1",
        width="100%",
    )
