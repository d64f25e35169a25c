"""A group's members: a page of them with Remove, and "add a member" (search as you type, then Add)."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def members_table(members: rx.Var[list[dict[str, str]]], may_change: rx.Var[bool], remove: EventType) -> rx.Component:
    def row(member: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(member["username"], weight="medium"), data_testid="member-username"),
            rx.table.cell(member["name"]),
            rx.table.cell(rx.text(member["email"], size="1", color_scheme="gray")),
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

    return rx.cond(
        members.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            rx.table.header(
                rx.table.row(*(rx.table.column_header_cell(title) for title in ("Username", "Name", "Email", "")))
            ),
            rx.table.body(rx.foreach(members, row)),
            size="1",
            width="100%",
            data_testid="members-table",
        ),
        rx.text("No direct members.", color_scheme="gray", size="2", data_testid="members-empty"),
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
