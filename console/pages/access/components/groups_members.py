"""A group's members: a page of them with Remove, and "add a member" (search as you type, then Add)."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

from console.pages.access.components.tables import empty_text, person_cells, table_or_empty


def members_table(members: rx.Var[list[dict[str, str]]], may_change: rx.Var[bool], remove: EventType) -> rx.Component:
    def row(member: rx.Var) -> rx.Component:
        return rx.table.row(
            *person_cells(member, "member-username"),
            rx.table.cell(
                rx.cond(
                    may_change,
                    rx.button(
                        rx.icon("user-minus", size=14),
                        "Remove",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        on_click=remove(member["id"]),
                        data_testid="member-remove",
                    ),
                )
            ),
            data_testid="member-row",
            data_username=member["username"],
        )

    return table_or_empty(
        ("Username", "Name", "Email", ""),
        members,
        row,
        empty_text("No direct members.", "members-empty"),
        data_testid="members-table",
    )


def add_member(
    search: rx.Var[str], suggestions: rx.Var[list[dict[str, str]]], on_search: EventType, add: EventType
) -> rx.Component:
    def suggestion(user: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.text(user["username"], weight="medium", size="2"),
            rx.text(user["name"], size="2"),
            rx.text(user["email"], size="1", color_scheme="gray"),
            rx.spacer(),
            rx.button(
                rx.icon("user-plus", size=14),
                "Add",
                size="1",
                on_click=add(user["id"]),
                data_testid="suggestion-add",
            ),
            align="center",
            gap="2",
            width="100%",
            data_testid="member-suggestion",
            data_username=user["username"],
        )

    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("user-search", size=14)),
            placeholder="Add a member: type a username, email or name",
            value=search,
            on_change=on_search.debounce(250),
            width="100%",
            aria_label="Search people to add",
            data_testid="member-search",
        ),
        rx.cond(
            suggestions.length() > 0,  # type: ignore[attr-defined]
            rx.vstack(rx.foreach(suggestions, suggestion), width="100%", gap="1", data_testid="member-suggestions"),
            rx.cond(
                search.strip() != "",  # type: ignore[attr-defined]
                rx.text("No one else matches.", size="1", color_scheme="gray", data_testid="no-suggestions"),
            ),
        ),
        width="100%",
        gap="2",
    )
