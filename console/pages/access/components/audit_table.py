"""The audit page's stateless pieces: the filter bar and the table of records (one page)."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx
from reflex.event import EventType

from console.components.tone_badge import tone_badge
from console.pages.access.components.tables import empty_text, table_or_empty

ALL = "all"  # the selects' "no filter" value


def _select(
    value: rx.Var[str],
    options: Sequence[tuple[str, str]] | rx.Var[list[str]],
    on_change: EventType,
    label: str,
    test_id: str,
    width: str = "170px",
) -> rx.Component:
    items = (
        [rx.select.item(title, value=option) for option, title in options]
        if isinstance(options, Sequence)
        else [rx.select.item("Any action", value=ALL), rx.foreach(options, lambda o: rx.select.item(o, value=o))]
    )
    return rx.select.root(
        rx.select.trigger(aria_label=label, data_testid=test_id, width=width),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        size="2",
    )


def audit_toolbar(
    *,
    actor: rx.Var[str],
    action: rx.Var[str],
    result: rx.Var[str],
    since: rx.Var[str],
    actions: rx.Var[list[str]],
    since_choices: Sequence[tuple[str, str]],
    filtered: rx.Var[bool],
    set_actor: EventType,
    set_action: EventType,
    set_result: EventType,
    set_since: EventType,
    clear: EventType,
    export: EventType,
) -> rx.Component:
    results = [(ALL, "Any result"), ("ok", "ok"), ("denied", "denied"), ("error", "error")]
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("user-search", size=14)),
            placeholder="Actor: name, email or oidc:…",
            value=actor,
            on_change=set_actor.debounce(300),
            width="260px",
            aria_label="Actor",
            data_testid="audit-actor",
        ),
        _select(action, actions, set_action, "Action", "audit-action", width="230px"),
        _select(result, results, set_result, "Result", "audit-result", width="140px"),
        _select(since, since_choices, set_since, "Since", "audit-since"),
        rx.cond(
            filtered,
            rx.button("Clear", variant="ghost", size="2", on_click=clear, data_testid="audit-clear"),
        ),
        rx.spacer(),
        rx.button(rx.icon("download", size=14), "CSV", variant="soft", on_click=export, data_testid="audit-csv"),
        gap="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["time"], size="1", font_family="monospace"), white_space="nowrap"),
        rx.table.cell(rx.text(row["actor"], size="2", title=row["actor_raw"]), data_testid="audit-actor-cell"),
        rx.table.cell(rx.code(row["action"], variant="ghost"), data_testid="audit-action-cell"),
        rx.table.cell(tone_badge(row["result"], row["tone"], data_testid="audit-result-badge")),
        rx.table.cell(rx.text(row["target"], size="2", word_break="break-all"), data_testid="audit-target-cell"),
        rx.table.cell(rx.text(row["detail"], size="1", color_scheme="gray", word_break="break-word")),
        background=rx.cond(row["fresh"] == "true", rx.color("amber", 3), "transparent"),
        data_testid="audit-row",
        data_id=row["id"],
        data_fresh=row["fresh"],
    )


def audit_table(rows: rx.Var[list[dict[str, str]]], empty: rx.Var[str]) -> rx.Component:
    headers = ("Time (UTC)", "Actor", "Action", "Result", "Target", "Detail")
    return table_or_empty(headers, rows, _row, empty_text(empty, "audit-empty"), data_testid="audit-table")
