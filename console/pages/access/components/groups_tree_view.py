"""The group tree: one row per visible group, indented, with expand/collapse and selection."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def _row(row: rx.Var, toggle: EventType, select: EventType) -> rx.Component:
    expandable = row["expandable"] == "true"
    return rx.hstack(
        rx.box(width=row["indent"], flex_shrink="0"),
        rx.center(
            rx.cond(
                expandable,
                rx.icon_button(
                    rx.cond(
                        row["expanded"] == "true", rx.icon("chevron-down", size=14), rx.icon("chevron-right", size=14)
                    ),
                    size="1",
                    variant="ghost",
                    margin="0",
                    on_click=toggle(row["id"]),
                    aria_label=rx.cond(row["expanded"] == "true", "Collapse ", "Expand ") + row["path"],
                    data_testid="group-toggle",
                ),
            ),
            width="24px",
            flex_shrink="0",
        ),
        rx.button(
            rx.icon(rx.cond(expandable, "folder-tree", "users"), size=14),
            rx.text(row["name"], size="2", weight=rx.cond(row["selected"] == "true", "bold", "regular")),
            rx.cond(expandable, rx.text(row["children"], size="1", color_scheme="gray")),
            variant=rx.cond(row["selected"] == "true", "soft", "ghost"),
            size="1",
            margin="0",
            on_click=select(row["id"]),
            justify="start",
            data_testid="group-select",
        ),
        align="center",
        gap="1",
        width="100%",
        data_testid="group-row",
        data_path=row["path"],
        data_expanded=row["expanded"],
        data_selected=row["selected"],
    )


def group_tree(rows: rx.Var[list[dict[str, str]]], toggle: EventType, select: EventType) -> rx.Component:
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.vstack(
            rx.foreach(rows, lambda row: _row(row, toggle, select)),
            gap="1",
            width="100%",
            data_testid="group-tree",
        ),
        rx.text("The realm has no groups yet.", color_scheme="gray", size="2", data_testid="group-tree-empty"),
    )
