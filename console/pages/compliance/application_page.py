"""`/compliance/application/<environment>/<application>`: the application compliance view."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.compliance.application_state import ComplianceApplicationState as State
from console.pages.compliance.components import section, text_table
from console.pages.compliance.summary import summary_panel

ROUTE = "/compliance/application/[application_environment]/[application_name]"


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(rx.link("Compliance", href="/sre/compliance"), " / Application", size="1", color_scheme="gray"),
        rx.hstack(
            rx.heading("Application: ", State.application, size="6", data_testid="application-title"),
            rx.cond(
                State.environment != "",
                rx.badge(State.environment, variant="soft", data_testid="application-environment"),
            ),
            align="center",
            gap="2",
        ),
        rx.cond(
            State.problem != "",
            rx.callout(State.problem, icon="triangle-alert", color_scheme="red", data_testid="compliance-problem"),
        ),
        rx.cond(
            State.loading,
            rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray"), data_testid="application-loading"),
            rx.vstack(
                summary_panel(State, "application"),
                section(
                    "Failing results",
                    text_table(
                        ("Resource", "Namespace", "Policy", "Weight", "Message"),
                        State.violations,
                        lambda row: (
                            rx.table.cell(
                                rx.cond(row["href"] != "", rx.link(row["resource"], href=row["href"]), row["resource"])
                            ),
                            rx.table.cell(row["namespace"]),
                            rx.table.cell(rx.link(row["policy"], href=row["policy_href"])),
                            rx.table.cell(row["weight"]),
                            rx.table.cell(rx.text(row["message"], size="1")),
                        ),
                        "application-violations",
                        "violation-row",
                        "Nothing fails in this application.",
                    ),
                ),
                width="100%",
                gap="4",
            ),
        ),
        width="100%",
        gap="4",
        data_testid="application-page",
    )


def application_page() -> rx.Component:
    return page_shell(_body(), active="compliance-sre")
