"""`/cloud?view=list&kind=<id>`: the live list of one kind."""

from __future__ import annotations

import reflex as rx

from console.components.resource_table import resource_table
from console.components.shell import PersonView, SessionView, shell
from console.state.cloud_list import CloudListState
from console.state.session import POPUP_SIGN_IN_SCRIPT, SessionState
from console.state.shell import ShellState

PERSON = PersonView(
    display_name=SessionState.display_name,
    email=SessionState.email,
    tier=SessionState.tier,
    initials=SessionState.initials,
)
SESSION = SessionView(
    checked=SessionState.checked,
    has_access=SessionState.has_access,
    embedded=SessionState.embedded,
    popup_sign_in=SessionState.popup_sign_in,
    popup_script=POPUP_SIGN_IN_SCRIPT,
)


def _live_indicator() -> rx.Component:
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


def _body() -> rx.Component:
    return rx.cond(
        CloudListState.error != "",
        rx.callout(CloudListState.error, icon="triangle-alert", color_scheme="red", data_testid="list-error"),
        rx.cond(
            CloudListState.loading,
            rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray"), data_testid="list-loading"),
            rx.cond(
                CloudListState.total == 0,
                rx.text("No ", CloudListState.kind_title.lower(), " on this cluster.", data_testid="list-empty"),
                resource_table(CloudListState.columns, CloudListState.rows),
            ),
        ),
    )


def cloud_page() -> rx.Component:
    return shell(
        rx.vstack(
            rx.hstack(
                rx.heading("Cloud", size="6"),
                rx.text("·", color_scheme="gray"),
                rx.heading(CloudListState.kind_title, size="5", weight="regular", data_testid="kind-title"),
                rx.badge(CloudListState.total, variant="surface", data_testid="row-count"),
                rx.spacer(),
                _live_indicator(),
                align="center",
                width="100%",
            ),
            _body(),
            width="100%",
            gap="4",
            data_testid="cloud-list",
        ),
        active="cloud",
        sovereign_name=ShellState.sovereign_name,
        sovereign_fqdn=ShellState.sovereign_fqdn,
        person=PERSON,
        session=SESSION,
    )
