"""`/compliance/policy/<name>`: metadata, weight, scope, Kyverno mode, rules, failures per environment,
offending resources, and the permissive/enforcing toggle per Environment."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.layout.frame import page_shell
from console.pages.compliance.components import section, text_table
from console.pages.compliance.policy_state import CompliancePolicyState as State

ROUTE = "/compliance/policy/[policy_name]"
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _facts() -> rx.Component:
    return rx.grid(
        rx.foreach(
            State.facts,
            lambda fact: rx.vstack(
                rx.text(fact["label"], size="1", color_scheme="gray"),
                rx.text(fact["value"], size="2", weight="medium", data_testid="policy-fact"),
                gap="0",
                data_label=fact["label"],
            ),
        ),
        columns="4",
        gap="3",
        width="100%",
        data_testid="policy-facts",
    )


def _mode_cell(row: rx.Var) -> rx.Component:
    return rx.table.cell(
        rx.hstack(
            tone_badge(row["mode"], rx.cond(row["mode"] == "enforcing", "info", "muted"), data_testid="mode-badge"),
            rx.cond(
                State.may_change_modes & (row["environment_policy"] != ""),
                rx.button(
                    "Make ",
                    row["next_mode"],
                    size="1",
                    variant="soft",
                    on_click=State.ask_mode(row["environment_policy"], row["next_mode"]),
                    data_testid="mode-toggle",
                ),
            ),
            align="center",
            gap="2",
        )
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Change the policy's mode?"),
            rx.alert_dialog.description("This patches the EnvironmentPolicy as you:", size="2"),
            rx.code_block(State.pending_diff, language="diff", wrap_long_lines=True, data_testid="mode-diff"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=State.cancel_mode,
                        data_testid="mode-cancel",
                    )
                ),
                rx.alert_dialog.action(
                    rx.button("Change mode", on_click=State.confirm_mode, data_testid="mode-confirm")
                ),
                justify="end",
                gap="2",
                margin_top="12px",
            ),
            data_testid="mode-dialog",
        ),
        open=State.confirm_open,
    )


def _body() -> rx.Component:
    return rx.vstack(
        rx.text(rx.link("Compliance", href="/sre/compliance"), " / Policy", size="1", color_scheme="gray"),
        rx.heading("Policy: ", State.name, size="6", data_testid="policy-title"),
        rx.cond(
            State.problem != "",
            rx.callout(State.problem, icon="triangle-alert", color_scheme="red", data_testid="compliance-problem"),
        ),
        rx.cond(
            State.result != "",
            rx.callout(
                State.result,
                icon="info",
                color_scheme=rx.cond(State.result_tone == "ok", "green", "red"),
                data_testid="mode-result",
            ),
        ),
        rx.cond(
            State.loading,
            rx.hstack(rx.spinner(), rx.text("Loading policy…", color_scheme="gray"), data_testid="policy-loading"),
            rx.cond(
                State.found,
                rx.vstack(
                    _facts(),
                    rx.text(State.description, size="2", data_testid="policy-description"),
                    section("Rules", rx.foreach(State.rules, lambda rule: rx.code(rule, data_testid="policy-rule"))),
                    section(
                        "Mode per Environment",
                        text_table(
                            ("Environment", "EnvironmentPolicy", "Weight", "Scope", "Mode"),
                            State.environments,
                            lambda row: (
                                rx.table.cell(row["environment"], data_testid="mode-environment"),
                                rx.table.cell(row["environment_policy"]),
                                rx.table.cell(row["weight"]),
                                rx.table.cell(row["scope"]),
                                _mode_cell(row),
                            ),
                            "modes-table",
                            "mode-row",
                            "No Environment is known.",
                        ),
                    ),
                    section(
                        "Failures per environment",
                        rx.cond(
                            State.failure_rows.length() > 0,
                            rx.plotly.strict(data=State.failures, config=_PLOT_CONFIG, width="100%"),
                        ),
                        text_table(
                            ("Environment", "Failing"),
                            State.failure_rows,
                            lambda row: (rx.table.cell(row["environment"]), rx.table.cell(row["count"])),
                            "failures-table",
                            "failure-row",
                            "No failures in view.",
                        ),
                    ),
                    section(
                        "Offending resources (" + State.violation_count.to_string() + ")",
                        text_table(
                            ("Resource", "Namespace", "Application", "Message"),
                            State.offending,
                            lambda row: (
                                rx.table.cell(
                                    rx.cond(
                                        row["href"] != "", rx.link(row["resource"], href=row["href"]), row["resource"]
                                    ),
                                    data_testid="offending-resource",
                                ),
                                rx.table.cell(row["namespace"]),
                                rx.table.cell(row["application"]),
                                rx.table.cell(rx.text(row["message"], size="1")),
                            ),
                            "offending-table",
                            "offending-row",
                            "Nothing in view fails this policy.",
                        ),
                    ),
                    width="100%",
                    gap="4",
                ),
                rx.callout(
                    "No policy named “" + State.name + "” is installed or reported.",
                    icon="circle-help",
                    color_scheme="amber",
                    data_testid="policy-unknown",
                ),
            ),
        ),
        _confirm(),
        width="100%",
        gap="4",
        data_testid="policy-page",
    )


def policy_page() -> rx.Component:
    return page_shell(_body(), active="compliance-sre")
