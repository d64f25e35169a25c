"""`/sre/compliance` and `/sec/compliance`: the SRE Lead and Security Lead compliance dashboards."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.compliance.charts import RESILIENCE, SECURITY, Palette
from console.pages.compliance.components import category_pills, legend, score_cell, score_pill, section, text_table
from console.pages.compliance.dashboard_state import ComplianceDashboardState as State
from console.pages.compliance.history_views import COMPARE_CHOICES

SRE_ROUTE = "/sre/compliance"
SECURITY_ROUTE = "/sec/compliance"
_PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]}


def _gradient(palette: Palette) -> str:
    stops = (palette.low, palette.middle, palette.high)
    return "linear-gradient(90deg, " + ", ".join("rgb({},{},{})".format(*stop) for stop in stops) + ")"


def _chips(label: str, current: rx.Var[str], choices: rx.Var[list[str]], choose, test_id: str) -> rx.Component:
    def chip(value: rx.Var[str], text: rx.Var[str] | str) -> rx.Component:
        return rx.button(
            text,
            size="1",
            radius="full",
            variant=rx.cond(current == value, "solid", "soft"),
            on_click=choose(rx.cond(value == "", "all", value)),
            data_testid=rx.Var.create(f"{test_id}-") + rx.cond(value == "", "all", value),
            aria_pressed=rx.cond(current == value, "true", "false"),
        )

    return rx.hstack(
        rx.text(label, size="1", color_scheme="gray", min_width="90px"),
        chip(rx.Var.create(""), "All"),
        rx.foreach(choices, lambda value: chip(value, value)),
        gap="1",
        wrap="wrap",
        align="center",
    )


def _header(security: bool) -> rx.Component:
    return rx.vstack(
        rx.text(
            "Compliance / " + ("Security" if security else "SRE"),
            size="1",
            color_scheme="gray",
            data_testid="breadcrumb",
        ),
        rx.hstack(
            rx.heading(State.title, size="6", data_testid="compliance-title"),
            rx.spacer(),
            rx.badge(
                State.live_text,
                variant="soft",
                color_scheme=rx.cond(State.live_text.contains("…"), "amber", "green"),
                data_testid="compliance-live",
            ),
            width="100%",
            align="center",
        ),
        width="100%",
        gap="1",
    )


def _hero(palette: Palette) -> rx.Component:
    return rx.hstack(
        score_pill(State.score_text, State.score_colour),
        rx.vstack(
            rx.text(State.score_caption, size="2", data_testid="compliance-caption"),
            rx.text(State.coverage_text, size="2", color_scheme="gray", data_testid="compliance-coverage"),
            category_pills(State.categories),
            gap="2",
            align="start",
        ),
        rx.spacer(),
        legend(palette.legend_low, palette.legend_high, _gradient(palette)),
        width="100%",
        align="center",
        gap="4",
    )


def _applications() -> rx.Component:
    return section(
        "Applications",
        rx.cond(
            State.applications.length() > 0,
            rx.plotly.strict(
                data=State.treemap, config=_PLOT_CONFIG, on_click=State.open_tile, width="100%", data_testid="treemap"
            ),
        ),
        text_table(
            ("Application", "Environment", "Organization", "Score", "Weight passing", "Violations"),
            State.applications,
            lambda row: (
                rx.table.cell(rx.link(row["application"], href=row["href"], data_testid="application-link")),
                rx.table.cell(row["environment"]),
                rx.table.cell(row["organization"]),
                score_cell(row),
                rx.table.cell(row["weight"]),
                rx.table.cell(row["violations"]),
            ),
            "applications-table",
            "application-row",
            "No application has a score yet.",
            max_height="360px",
        ),
        rx.text(State.applications_note, size="1", color_scheme="gray", data_testid="applications-note"),
        test_id="applications",
    )


def _namespaces() -> rx.Component:
    return section(
        "Namespaces",
        text_table(
            ("Namespace", "Pass", "Warn", "Fail", "Skip", "Error", "Score"),
            State.namespace_rows,
            lambda row: (
                rx.table.cell(row["namespace"], data_testid="namespace-name"),
                rx.table.cell(row["pass"]),
                rx.table.cell(row["warn"]),
                rx.table.cell(row["fail"]),
                rx.table.cell(row["skip"]),
                rx.table.cell(row["error"]),
                score_cell(row),
            ),
            "namespace-summary",
            "namespace-row",
            "No namespace has reports yet.",
            max_height="420px",
        ),
        rx.text(State.namespaces_note, size="1", color_scheme="gray", data_testid="namespaces-note"),
        test_id="namespaces",
    )


def _trend(security: bool) -> rx.Component:
    return section(
        "Score over time" + (" (all policies)" if security else ""),
        rx.cond(
            State.trend_empty,
            rx.text(
                "No history yet: a sample is stored every 5 minutes and on every change.",
                size="2",
                color_scheme="gray",
                data_testid="trend-empty",
            ),
            rx.plotly.strict(data=State.trend, config=_PLOT_CONFIG, width="100%", data_testid="trend"),
        ),
        rx.hstack(
            rx.text("Why did it move? Compare with", size="2"),
            rx.select.root(
                rx.select.trigger(aria_label="Compare with", data_testid="compare-select"),
                rx.select.content(*(rx.select.item(label, value=value) for value, label in COMPARE_CHOICES)),
                value=State.compare,
                on_change=State.set_compare,
                size="1",
            ),
            align="center",
            gap="2",
        ),
        rx.text(State.why_text, size="2", weight="medium", data_testid="score-why"),
        text_table(
            ("Policy", "Resource", "Namespace", "Change", "Weight", "Points"),
            State.why_rows,
            lambda row: (
                rx.table.cell(row["policy"]),
                rx.table.cell(row["resource"]),
                rx.table.cell(row["namespace"]),
                rx.table.cell(row["change"]),
                rx.table.cell(row["weight"]),
                rx.table.cell(row["points"]),
            ),
            "why-table",
            "why-row",
            "",
        ),
        test_id="trend-section",
    )


def _sort_header(title: str, key: str) -> rx.Component:
    return rx.table.column_header_cell(
        rx.button(
            title,
            rx.cond(State.sort_key == key, rx.cond(State.descending, "↓", "↑"), ""),
            variant="ghost",
            size="1",
            on_click=State.sort_by(key),
            data_testid=f"sort-{key}",
        )
    )


def _violations() -> rx.Component:
    return section(
        "Violations",
        rx.hstack(
            rx.text(State.violation_count.to_string() + " failing results", size="2", data_testid="violation-count"),
            rx.spacer(),
            rx.button(
                rx.icon("download", size=14),
                "CSV",
                size="1",
                variant="soft",
                on_click=State.download_csv,
                data_testid="violations-csv",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            State.violations.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        _sort_header("Resource", "resource"),
                        _sort_header("Namespace", "namespace"),
                        _sort_header("Policy", "policy"),
                        _sort_header("Severity", "severity"),
                        _sort_header("Weight", "weight"),
                        _sort_header("Application", "application"),
                        rx.table.column_header_cell("Message"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        State.violations,
                        lambda row: rx.table.row(
                            rx.table.cell(
                                rx.cond(row["href"] != "", rx.link(row["resource"], href=row["href"]), row["resource"]),
                                data_testid="violation-resource",
                            ),
                            rx.table.cell(row["namespace"]),
                            rx.table.cell(
                                rx.link(row["policy"], href=row["policy_href"]), data_testid="violation-policy"
                            ),
                            rx.table.cell(row["severity"]),
                            rx.table.cell(row["weight"]),
                            rx.table.cell(row["application"]),
                            rx.table.cell(rx.text(row["message"], size="1")),
                            data_testid="violation-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
                data_testid="violations-table",
            ),
            rx.text("No violations in view.", size="2", color_scheme="gray", data_testid="violations-empty"),
        ),
        rx.hstack(
            rx.button(
                "Previous",
                size="1",
                variant="soft",
                disabled=State.page <= 0,
                on_click=State.go_to_page(State.page - 1),
                data_testid="violations-prev",
            ),
            rx.text(
                "Page ",
                (State.page + 1).to_string(),
                " of ",
                State.pages.to_string(),
                size="1",
                data_testid="violations-page",
            ),
            rx.button(
                "Next",
                size="1",
                variant="soft",
                disabled=State.page >= State.pages - 1,
                on_click=State.go_to_page(State.page + 1),
                data_testid="violations-next",
            ),
            align="center",
            gap="2",
        ),
        test_id="violations",
    )


def _body(security: bool) -> rx.Component:
    palette = SECURITY if security else RESILIENCE
    return rx.vstack(
        _header(security),
        rx.cond(
            State.problem != "",
            rx.callout(State.problem, icon="triangle-alert", color_scheme="red", data_testid="compliance-problem"),
        ),
        rx.cond(
            State.notice != "",
            rx.callout(State.notice, icon="info", color_scheme="amber", data_testid="compliance-notice"),
        ),
        rx.cond(
            State.loading & (State.problem == ""),
            rx.hstack(
                rx.spinner(),
                rx.text("Loading compliance scorecard…", color_scheme="gray"),
                data_testid="compliance-loading",
            ),
            rx.vstack(
                _chips(
                    "Organization", State.organization, State.organizations, State.choose_organization, "filter-org"
                ),
                _chips("Environment", State.environment, State.environments, State.choose_environment, "filter-env"),
                _hero(palette),
                _applications(),
                _trend(security),
                _namespaces(),
                _violations(),
                width="100%",
                gap="4",
            ),
        ),
        width="100%",
        gap="4",
        data_testid="compliance-dashboard",
        data_variant=State.variant,
    )


def sre_dashboard_page() -> rx.Component:
    return page_shell(_body(security=False), active="compliance-sre")


def security_dashboard_page() -> rx.Component:
    return page_shell(_body(security=True), active="compliance-sec")
