"""A who-can answer: the people (with the subjects and grants behind each, confirmed by an access review) and
the RBAC subjects themselves."""

from __future__ import annotations

import reflex as rx

from console.pages.access.components.tables import empty_text, table_or_empty


def _confirmed(value: rx.Var[str]) -> rx.Component:
    return rx.match(
        value,
        ("yes", rx.badge(rx.icon("check", size=12), "confirmed", color_scheme="green", variant="soft")),
        ("no", rx.badge(rx.icon("x", size=12), "refused", color_scheme="red", variant="soft")),
        rx.badge("not checked", color_scheme="gray", variant="soft"),
    )


def _lines(text: rx.Var[str]) -> rx.Component:
    return rx.text(text, size="1", white_space="pre-line", font_family="monospace")


def people_table(rows: rx.Var[list[dict[str, str]]]) -> rx.Component:
    def row(person: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(
                rx.vstack(
                    rx.text(person["name"], weight="medium", size="2"),
                    rx.text(person["email"], size="1", color_scheme="gray"),
                    gap="0",
                ),
                title=person["user_name"],
            ),
            rx.table.cell(rx.text(person["via"], size="1"), data_testid="person-via"),
            rx.table.cell(_lines(person["grants"]), data_testid="person-grants"),
            rx.table.cell(_confirmed(person["confirmed"]), data_testid="person-confirmed"),
            data_testid="who-can-person",
            data_username=person["username"],
            data_confirmed=person["confirmed"],
        )

    return table_or_empty(
        ("Person", "Through", "Granted by", "Review"),
        rows,
        row,
        empty_text("No person can.", "who-can-nobody"),
        data_testid="who-can-people",
    )


def subjects_table(rows: rx.Var[list[dict[str, str]]]) -> rx.Component:
    def row(subject: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.badge(subject["kind"], variant="soft")),
            rx.table.cell(
                rx.cond(
                    subject["person"] != "",
                    rx.vstack(
                        rx.text(subject["person"], size="2", weight="medium"),
                        rx.text(subject["name"], size="1", color_scheme="gray"),
                        gap="0",
                    ),
                    rx.text(
                        rx.cond(subject["namespace"] != "", subject["namespace"] + "/", ""), subject["name"], size="2"
                    ),
                )
            ),
            rx.table.cell(_lines(subject["grants"])),
            data_testid="who-can-subject",
            data_kind=subject["kind"],
            data_name=subject["name"],
        )

    return table_or_empty(
        ("Kind", "Subject", "Granted by"),
        rows,
        row,
        empty_text("No RBAC subject can."),
        data_testid="who-can-subjects",
    )
