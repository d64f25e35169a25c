"""Role tables: the realm's roles (a row opens its holders) and a client's roles."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

from console.pages.access.components.tables import empty_text, person_cells, table_or_empty


def _tier_cell(row: rx.Var) -> rx.Component:
    return rx.table.cell(
        rx.cond(row["tier_level"] != "", rx.badge(row["tier_level"], variant="soft", color_scheme="blue"), "—"),
        data_testid="role-tier-level",
    )


def roles_table(
    rows: rx.Var[list[dict[str, str]]],
    selected: rx.Var[str],
    open_role: EventType | None,
    test_id: str,
    empty: str,
) -> rx.Component:
    """`open_role`: what a row's click does (None: rows do nothing)."""

    def row(role: rx.Var) -> rx.Component:
        clickable = (
            {"on_click": open_role(role["name"]), "cursor": "pointer", "_hover": {"background": rx.color("gray", 3)}}
            if open_role is not None
            else {}
        )
        return rx.table.row(
            rx.table.cell(rx.text(role["name"], weight="medium"), data_testid="role-name"),
            rx.table.cell(rx.text(role["description"], size="1", color_scheme="gray")),
            rx.table.cell(role["composite"], data_testid="role-composite"),
            _tier_cell(role),
            background=rx.cond(role["name"] == selected, rx.color("accent", 3), "transparent"),
            data_testid=f"{test_id}-row",
            data_role=role["name"],
            **clickable,
        )

    return table_or_empty(
        ("Name", "Description", "Composite", "Tier level"),
        rows,
        row,
        empty_text(empty, f"{test_id}-empty"),
        data_testid=test_id,
    )


def holders_table(rows: rx.Var[list[dict[str, str]]]) -> rx.Component:
    def row(user: rx.Var) -> rx.Component:
        return rx.table.row(
            *person_cells(user, "holder-username", white_space="nowrap"),
            data_testid="holder-row",
            data_username=user["username"],
        )

    return table_or_empty(
        ("Username", "Name", "Email"),
        rows,
        row,
        empty_text("No one holds this role directly or through a group."),
        data_testid="holders-table",
    )
