"""The resource detail page's YAML tab: a CodeMirror editor, diff, server dry-run and server-side apply."""

from __future__ import annotations

import reflex as rx

from console.components.wrapped.codemirror import yaml_editor
from console.pages.resource_detail.state import ResourceDetailState
from console.pages.resource_detail.tabs.yaml_state import YamlTabState

_CHANGE_COLOURS = {"changed": "var(--amber-a3)", "added": "var(--green-a3)", "removed": "var(--red-a3)"}


def _header() -> rx.Component:
    state = YamlTabState
    return rx.hstack(
        rx.badge(
            "managed-by: ",
            state.managed_by,
            color_scheme=rx.cond(state.managed_by == "flux", "amber", "gray"),
            variant="soft",
            data_testid="yaml-managed-by",
        ),
        rx.text(
            rx.cond(state.unsaved, "• unsaved changes", "• no unsaved edits"),
            size="2",
            color_scheme=rx.cond(state.unsaved, "amber", "gray"),
            data_testid="yaml-unsaved",
        ),
        rx.cond(
            ~state.can_edit,
            rx.badge("read-only", color_scheme="gray", variant="outline", data_testid="yaml-read-only"),
        ),
        rx.spacer(),
        rx.button(
            rx.cond(state.diff_open, "Hide diff", "Show diff"),
            variant="soft",
            size="1",
            on_click=state.toggle_diff,
            data_testid="yaml-show-diff",
        ),
        rx.cond(
            state.can_edit,
            rx.hstack(
                rx.button(
                    "Validate (dry-run)",
                    variant="soft",
                    size="1",
                    loading=state.busy,
                    on_click=state.validate,
                    data_testid="yaml-validate",
                ),
                rx.button("Apply", size="1", loading=state.busy, on_click=state.apply, data_testid="yaml-apply"),
                gap="2",
            ),
        ),
        rx.button("Reload", variant="ghost", size="1", on_click=state.reload, data_testid="yaml-reload"),
        align="center",
        gap="2",
        width="100%",
    )


def _flux_warning() -> rx.Component:
    return rx.cond(
        YamlTabState.managed_by == "flux",
        rx.callout(
            "Flux manages this object: it will revert a direct edit at its next reconcile. "
            "Change the source in Git instead.",
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            data_testid="yaml-flux-warning",
        ),
    )


def _outcome() -> rx.Component:
    state = YamlTabState
    return rx.cond(
        state.result != "",
        rx.callout.root(
            rx.callout.icon(rx.icon(rx.cond(state.result_tone == "ok", "circle-check", "circle-alert"))),
            rx.vstack(
                rx.callout.text(state.result, data_testid="yaml-result"),
                rx.cond(
                    state.error_line > 0,
                    rx.text(
                        "Line ",
                        state.error_line,
                        ", column ",
                        state.error_column,
                        size="1",
                        data_testid="yaml-error-at",
                        data_line=state.error_line,
                        data_column=state.error_column,
                    ),
                ),
                rx.cond(
                    state.conflicts.length() > 0,
                    rx.vstack(
                        rx.foreach(
                            state.conflicts,
                            lambda c: rx.text(
                                rx.code(c["manager"]),
                                " owns ",
                                rx.code(c["field"]),
                                size="1",
                                data_testid="yaml-conflict",
                            ),
                        ),
                        rx.cond(
                            state.can_force,
                            rx.button(
                                "Force apply",
                                color_scheme="red",
                                size="1",
                                loading=state.busy,
                                on_click=state.force_apply,
                                data_testid="yaml-force-apply",
                            ),
                        ),
                        gap="1",
                    ),
                ),
                rx.cond(
                    state.stale,
                    rx.hstack(
                        rx.button(
                            "Reload", size="1", variant="soft", on_click=state.reload, data_testid="yaml-stale-reload"
                        ),
                        rx.button(
                            "Diff against live",
                            size="1",
                            variant="soft",
                            on_click=state.diff_against_live,
                            data_testid="yaml-stale-diff",
                        ),
                        gap="2",
                    ),
                ),
                gap="1",
            ),
            color_scheme=rx.cond(state.result_tone == "ok", "green", "red"),
            size="1",
            width="100%",
            data_testid="yaml-outcome",
            data_tone=state.result_tone,
        ),
    )


def _cell(text: rx.Var, line: rx.Var, change: rx.Var, side: str) -> list[rx.Component]:
    background = rx.match(change, *_CHANGE_COLOURS.items(), "transparent")
    return [
        rx.table.cell(
            line, color="var(--gray-9)", text_align="right", width="3em", padding_y="0", background=background
        ),
        rx.table.cell(
            rx.el.pre(text, margin="0", white_space="pre-wrap"),
            font_family="var(--code-font-family, monospace)",
            font_size="12px",
            padding_y="0",
            background=background,
            data_testid=f"yaml-diff-{side}",
        ),
    ]


def _diff() -> rx.Component:
    state = YamlTabState
    return rx.cond(
        state.diff_open,
        rx.vstack(
            rx.text(state.diff_title, weight="bold", size="2"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("", width="3em"),
                        rx.table.column_header_cell("Current"),
                        rx.table.column_header_cell("", width="3em"),
                        rx.table.column_header_cell("Proposed"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        state.diff_rows,
                        lambda row: rx.table.row(
                            *_cell(row["left"], row["left_line"], row["change"], "left"),
                            *_cell(row["right"], row["right_line"], row["change"], "right"),
                            data_testid="yaml-diff-row",
                            data_change=row["change"],
                        ),
                    )
                ),
                size="1",
                width="100%",
                data_testid="yaml-diff",
            ),
            width="100%",
            gap="1",
        ),
    )


def yaml_tab() -> rx.Component:
    """The tab's panel; it reads the object as the person when it mounts (again for another object)."""
    state = YamlTabState
    return rx.box(
        rx.cond(
            state.problem != "",
            rx.callout(state.problem, icon="circle-alert", color_scheme="amber", size="1", data_testid="yaml-problem"),
            rx.cond(
                state.loaded,
                rx.vstack(
                    _header(),
                    _flux_warning(),
                    _outcome(),
                    rx.box(
                        yaml_editor(
                            value=state.loaded_yaml,
                            revision=state.revision,
                            editable=state.can_edit,
                            on_change=state.set_draft,
                        ),
                        width="100%",
                        border="1px solid var(--gray-a5)",
                        border_radius="var(--radius-2)",
                        overflow="hidden",
                        data_testid="yaml-editor",
                        data_editable=rx.cond(state.can_edit, "true", "false"),
                    ),
                    _diff(),
                    width="100%",
                    gap="2",
                ),
                rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
            ),
        ),
        on_mount=state.open,
        key=ResourceDetailState.namespace + "/" + ResourceDetailState.object_name,
        width="100%",
        data_testid="yaml-tab",
    )
