"""`/rbac/matrix`: who has which tier on which application, what looks wrong, and a cell editor."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    SECTION,
    access_header,
    gated_body,
    live_badge,
    problem_notice,
)
from console.pages.access.components.grant_parts import tier_badge
from console.pages.access.matrix_state import CellView, RowView
from console.pages.access.matrix_state import MatrixState as State

ROUTE = "/rbac/matrix"


def _header_cell(application: rx.Var[str]) -> rx.Component:
    return rx.table.column_header_cell(
        rx.cond(application == "*", rx.text("All (*)", title="cluster-wide grants"), application),
        white_space="nowrap",
    )


def _cell(row: RowView, cell: CellView) -> rx.Component:
    return rx.table.cell(
        rx.button(
            rx.cond(
                cell.tier != "",
                rx.hstack(
                    # Inherited (from a wider grant): outlined dashed, not faded, so its text keeps its contrast.
                    rx.box(
                        tier_badge(cell.tier),
                        outline=rx.cond(cell.inherited, "1px dashed var(--gray-a9)", "none"),
                        outline_offset="1px",
                        border_radius="9999px",
                        data_inherited=rx.cond(cell.inherited, "true", "false"),
                    ),
                    # The leading space keeps "developer partly" apart in the text its spoken name starts with.
                    rx.cond(cell.partial, rx.text(" partly", size="1", color_scheme="gray")),
                    gap="1",
                    align="center",
                ),
                rx.text("—", color_scheme="gray"),
            ),
            variant="ghost",
            size="1",
            on_click=State.open_cell(row.key, cell.application),
            title=cell.title,
            # Starts with what the cell shows (its tier), as a spoken name must (WCAG 2.5.3).
            aria_label=rx.cond(cell.tier != "", cell.tier + rx.cond(cell.partial, " partly", "") + ": ", "")
            + "grants of "
            + row.who
            + " for "
            + cell.application,
            data_testid="matrix-cell",
            data_application=cell.application,
            data_tier=cell.tier,
        ),
        white_space="nowrap",
    )


def _user_cell(row: RowView) -> rx.Component:
    return rx.table.row_header_cell(
        rx.vstack(
            rx.text(row.who, weight="medium", size="2", data_testid="matrix-who"),
            rx.cond(
                row.detail != "",
                rx.text(row.detail, size="1", color_scheme="gray", font_family="monospace", white_space="nowrap"),
            ),
            rx.foreach(
                row.warnings,
                lambda warning: rx.hstack(
                    rx.icon("triangle-alert", size=12, color=rx.color("amber", 10), flex_shrink="0"),
                    rx.text(warning, size="1", color=rx.color("amber", 11)),
                    gap="1",
                    align="center",
                    data_testid="matrix-warning",
                ),
            ),
            gap="1",
            align="start",
            min_width="280px",
            max_width="380px",
        ),
        position="sticky",
        left="0",
        background=rx.color("gray", 1),
        z_index="1",
    )


def _grid() -> rx.Component:
    return rx.cond(
        State.rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(
                            "User", position="sticky", left="0", background=rx.color("gray", 1)
                        ),
                        rx.foreach(State.applications, _header_cell),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        State.rows,
                        lambda row: rx.table.row(
                            _user_cell(row),
                            rx.foreach(row.cells, lambda cell: _cell(row, cell)),
                            data_testid="matrix-row",
                            data_key=row.key,
                            align="center",
                        ),
                    )
                ),
                size="1",
                variant="surface",
                data_testid="matrix-table",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.callout("No one matches.", icon="info", color_scheme="gray", data_testid="matrix-empty"),
    )


def _editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                State.editor_who, " · ", rx.cond(State.editor_application == "*", "All (*)", State.editor_application)
            ),
            rx.dialog.description(
                rx.cond(
                    State.editor_tier != "",
                    rx.hstack(rx.text("Effective tier", size="2"), tier_badge(State.editor_tier), align="center"),
                    rx.text("No grant reaches this application.", size="2"),
                ),
            ),
            rx.vstack(
                rx.cond(
                    State.editor_namespaces.length() > 0,
                    rx.vstack(
                        rx.text("Namespaces", size="2", weight="medium"),
                        rx.foreach(
                            State.editor_namespaces,
                            lambda ns: rx.hstack(
                                rx.code(ns["namespace"], variant="ghost"),
                                rx.cond(
                                    ns["tier"] != "none",
                                    tier_badge(ns["tier"]),
                                    rx.text("none", size="1", color_scheme="gray"),
                                ),
                                align="center",
                                gap="2",
                            ),
                        ),
                        gap="1",
                    ),
                ),
                rx.cond(
                    State.editor_grants.length() > 0,
                    rx.vstack(
                        rx.text("Grants behind it", size="2", weight="medium"),
                        rx.foreach(
                            State.editor_grants,
                            lambda grant: rx.card(
                                rx.hstack(
                                    rx.link(grant["name"], href=grant["href"], weight="medium"),
                                    tier_badge(grant["tier"]),
                                    align="center",
                                    gap="2",
                                ),
                                rx.text("scopes: ", grant["scopes"], size="1", color_scheme="gray"),
                                rx.text("reaches: ", grant["effective"], size="1", color_scheme="gray"),
                                width="100%",
                                data_testid="matrix-editor-grant",
                            ),
                        ),
                        gap="2",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray")),
                    rx.link(
                        rx.button(
                            rx.icon("external-link", size=14), "Open in multi-grant", data_testid="matrix-open-grant"
                        ),
                        href=State.editor_link,
                    ),
                    justify="end",
                    gap="2",
                    width="100%",
                ),
                gap="3",
                margin_top="3",
                width="100%",
            ),
            max_width="560px",
            data_testid="matrix-editor",
        ),
        open=State.editor_open,
        on_open_change=State.set_editor_open,
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            placeholder="Search people",
            value=State.search,
            on_change=State.set_search.debounce(200),
            width="240px",
            data_testid="matrix-search",
        ),
        rx.hstack(
            rx.switch(
                checked=State.only_warnings,
                on_change=State.set_only_warnings,
                id="matrix-only-warnings",
                data_testid="matrix-only-warnings",
            ),
            rx.el.label("Only people with warnings", html_for="matrix-only-warnings", font_size="14px"),
            align="center",
            gap="2",
        ),
        rx.spacer(),
        rx.text(State.warning_text, size="2", color_scheme="gray", data_testid="matrix-warning-count"),
        width="100%",
        align="center",
        gap="4",
        wrap="wrap",
    )


def _matrix() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        rx.text(
            "Each cell: the highest tier any grant gives in the application's namespaces (dashed: from a "
            "cluster-wide grant; partly: some of its namespaces get less). Click a cell for its grants.",
            size="1",
            color_scheme="gray",
        ),
        _grid(),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header(
            "Access matrix", crumb=SECTION, end=rx.cond(State.gate == "", live_badge(State.live_text, "matrix-live"))
        ),
        problem_notice(State.problem, "matrix-problem"),
        rx.cond(
            State.notice != "",
            rx.callout(State.notice, icon="info", color_scheme="amber", size="1", data_testid="matrix-notice"),
        ),
        gated_body(
            _matrix(),
            gate=State.gate,
            waiting=State.loading | ~State.checked,
            problem=State.problem,
            loading_text="Loading the matrix…",
            test_id="matrix",
        ),
        _editor(),
        width="100%",
        gap="4",
        data_testid="matrix-page",
    )


def matrix_page() -> rx.Component:
    return page_shell(_body(), active="access-matrix")
