"""The `compliance` tab: the resource's score, what to fix, and every finding about it."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.pages.compliance.components import text_table
from console.pages.compliance.summary import summary_panel
from console.pages.resource_detail.tabs.compliance_state import ResourceComplianceState as State


def compliance_tab() -> rx.Component:
    return rx.box(
        rx.cond(
            State.problem != "",
            rx.callout(State.problem, icon="lock", color_scheme="amber", data_testid="compliance-problem"),
            rx.cond(
                State.loading,
                rx.hstack(rx.spinner(), rx.text("Loading compliance…", color_scheme="gray")),
                rx.cond(
                    State.found,
                    rx.vstack(
                        rx.cond(
                            State.application_href != "",
                            rx.link(
                                "Application ",
                                State.application,
                                " compliance →",
                                href=State.application_href,
                                data_testid="compliance-application-link",
                            ),
                        ),
                        summary_panel(State, "resource"),
                        rx.heading("Findings", size="3"),
                        text_table(
                            ("Policy", "Result", "Severity", "Message"),
                            State.findings,
                            lambda row: (
                                rx.table.cell(rx.link(row["policy"], href=row["href"])),
                                rx.table.cell(tone_badge(row["result"], row["tone"])),
                                rx.table.cell(row["severity"]),
                                rx.table.cell(rx.text(row["message"], size="1")),
                            ),
                            "findings-table",
                            "finding-row",
                            "No findings.",
                        ),
                        width="100%",
                        gap="3",
                    ),
                    rx.text(
                        "No policies have evaluated this resource yet.",
                        color_scheme="gray",
                        data_testid="compliance-none",
                    ),
                ),
            ),
        ),
        on_mount=State.open,
        width="100%",
        data_testid="compliance-tab",
    )
