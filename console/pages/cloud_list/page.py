"""`/cloud?view=list&kind=<id>`: the live list of one kind, with chips, toolbar, sortable columns and pages.

The Cloud page (`console/pages/cloud_graph/page.py`) frames it and shows it or the graph.
"""

from __future__ import annotations

import reflex as rx

from console.components.key_map import key_map
from console.components.object_actions import ActionsView
from console.components.wrapped.keyboard import keyboard
from console.pages.cloud_list.components.kind_chips import kind_chips
from console.pages.cloud_list.components.list_toolbar import list_toolbar
from console.pages.cloud_list.components.pager import pager
from console.pages.cloud_list.components.resource_table import resource_table
from console.pages.cloud_list.components.row_menu import row_action_dialogs, row_action_result, row_menu
from console.pages.cloud_list.row_actions_state import RowActionsState
from console.pages.cloud_list.state import PAGE_SIZE, CloudListState
from console.state.keyboard import KeyboardState

ROW_ACTIONS = ActionsView(
    name=RowActionsState.name,
    allowed=RowActionsState.allowed,
    replicas=RowActionsState.replicas,
    result=RowActionsState.result,
    result_tone=RowActionsState.result_tone,
    delete_open=RowActionsState.delete_open,
    delete_text=RowActionsState.delete_text,
    busy=RowActionsState.busy,
    checked=RowActionsState.checked,
    set_replicas=RowActionsState.set_replicas,
    set_delete_text=RowActionsState.set_delete_text,
    set_delete_open=RowActionsState.set_delete_open,
    scale=RowActionsState.scale,
    restart=RowActionsState.restart,
    delete=RowActionsState.delete,
    reconcile=RowActionsState.reconcile,
    suspend=RowActionsState.suspend,
    resume=RowActionsState.resume,
)


def _live_indicator() -> rx.Component:
    """How fresh the rows are; nothing at all when nothing is watched (an unknown kind)."""
    return rx.cond(CloudListState.live_state != "none", _live_badge())


def _live_badge() -> rx.Component:
    return rx.badge(
        rx.match(
            CloudListState.live_state,
            ("live", rx.icon("radio", size=12)),
            ("error", rx.icon("circle-alert", size=12)),
            rx.spinner(size="1"),
        ),
        CloudListState.live_status,
        color_scheme=rx.match(CloudListState.live_state, ("live", "green"), ("error", "red"), "amber"),
        variant="soft",
        data_testid="live-status",
        data_state=CloudListState.live_state,
    )


def _table() -> rx.Component:
    return rx.vstack(
        rx.box(
            resource_table(
                CloudListState.columns,
                CloudListState.rows,
                CloudListState.sort_key,
                CloudListState.descending,
                CloudListState.sort_by,
                row_actions=lambda row: row_menu(
                    ROW_ACTIONS,
                    RowActionsState.menu_key,
                    row,
                    RowActionsState.open_menu,
                    RowActionsState.set_scale_open,
                ),
                show_actions=CloudListState.row_actions,
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.hstack(
            rx.spacer(),
            pager(
                CloudListState.page, CloudListState.pages, CloudListState.matched, PAGE_SIZE, CloudListState.go_to_page
            ),
            width="100%",
        ),
        width="100%",
        gap="2",
    )


def _body() -> rx.Component:
    return rx.vstack(
        row_action_result(ROW_ACTIONS),
        row_action_dialogs(ROW_ACTIONS, RowActionsState.scale_open, RowActionsState.set_scale_open),
        _rows(),
        width="100%",
        gap="2",
    )


def _rows() -> rx.Component:
    return rx.cond(
        CloudListState.error != "",
        rx.callout(CloudListState.error, icon="triangle-alert", color_scheme="red", data_testid="list-error"),
        rx.cond(
            CloudListState.loading,
            rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray"), data_testid="list-loading"),
            rx.cond(
                CloudListState.notice != "",
                rx.callout(
                    CloudListState.notice,
                    icon=rx.cond(CloudListState.notice_tone == "warn", "lock", "info"),
                    color_scheme=rx.cond(CloudListState.notice_tone == "warn", "amber", "gray"),
                    data_testid="list-notice",
                ),
                rx.cond(
                    CloudListState.matched == 0,
                    rx.text("No rows match the filter.", color_scheme="gray", data_testid="list-no-match"),
                    _table(),
                ),
            ),
        ),
    )


def list_view(view_toggle: rx.Component) -> rx.Component:
    """The list view of `/cloud` (its page frame and the Graph | List toggle come from the Cloud page)."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Cloud", size="6", as_="h1"),
            view_toggle,
            rx.text("·", color_scheme="gray"),
            rx.heading(CloudListState.kind_title, size="5", weight="regular", data_testid="kind-title"),
            rx.badge(CloudListState.total, variant="surface", data_testid="row-count"),
            rx.spacer(),
            _live_indicator(),
            align="center",
            width="100%",
        ),
        kind_chips(
            CloudListState.chips,
            CloudListState.more_kinds,
            CloudListState.kind_id,
            CloudListState.switch_kind,
            CloudListState.more_search,
            CloudListState.set_more_search,
        ),
        list_toolbar(
            filter_text=CloudListState.filter_text,
            label_selector=CloudListState.label_selector,
            query_error=CloudListState.query_error,
            kind_filters=CloudListState.kind_filter_columns,
            kind_filter_options=CloudListState.kind_filter_options,
            set_filter_text=CloudListState.set_filter_text,
            set_label_selector=CloudListState.set_label_selector,
            set_kind_filter=CloudListState.set_kind_filter,
        ),
        _body(),
        keyboard(mode="list", aliases=CloudListState.kind_aliases, on_command=CloudListState.keyboard_command),
        key_map(KeyboardState.key_map_open, KeyboardState.set_key_map_open),
        width="100%",
        gap="3",
        data_testid="cloud-list",
    )
