"""The resource detail page's Logs tab (kinds with logs): options on the left, the live viewer below."""

from __future__ import annotations

import reflex as rx

from console.components.wrapped import log_viewer
from console.pages.resource_detail.tabs.logs_state import ALL_CONTAINERS, SINCE_CHOICES, TAIL_CHOICES, DetailLogsState


def _container_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Container", aria_label="Container", data_testid="log-container"),
        rx.select.content(
            rx.select.group(
                rx.select.label("Containers"),
                rx.foreach(DetailLogsState.containers, lambda name: rx.select.item(name, value=name)),
            ),
            rx.cond(
                DetailLogsState.init_containers.length() > 0,
                rx.select.group(
                    rx.select.label("Init containers"),
                    rx.foreach(DetailLogsState.init_containers, lambda name: rx.select.item(name, value=name)),
                ),
            ),
            rx.select.separator(),
            rx.select.item("All containers", value=ALL_CONTAINERS),
        ),
        value=DetailLogsState.container,
        on_change=DetailLogsState.set_container,
        size="1",
    )


def _switch(label: str, checked: rx.Var[bool], on_change, test_id: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(checked=checked, on_change=on_change, size="1", data_testid=test_id),
            rx.text(label, size="2"),
            align="center",
            gap="1",
        ),
    )


def _choice(label: str, choices: tuple[str, ...], value: rx.Var[str], on_change, test_id: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray"),
        # The select's root renders no element of its own: the test id goes on a wrapper.
        rx.box(
            rx.select.root(
                rx.select.trigger(aria_label=label),
                rx.select.content(*(rx.select.item(choice, value=choice) for choice in choices)),
                value=value,
                on_change=on_change,
                size="1",
            ),
            data_testid=test_id,
        ),
        align="center",
        gap="1",
    )


def _options() -> rx.Component:
    return rx.hstack(
        rx.cond(DetailLogsState.picks_container, _container_picker()),
        _switch("Follow", DetailLogsState.follow, DetailLogsState.set_follow, "log-follow"),
        _switch("Previous", DetailLogsState.previous, DetailLogsState.set_previous, "log-previous"),
        _choice("Tail", TAIL_CHOICES, DetailLogsState.tail, DetailLogsState.set_tail, "log-tail"),
        _choice("Since", SINCE_CHOICES, DetailLogsState.since, DetailLogsState.set_since, "log-since"),
        _switch("Timestamps", DetailLogsState.timestamps, DetailLogsState.set_timestamps, "log-timestamps"),
        _switch("Wrap", DetailLogsState.wrap, DetailLogsState.set_wrap, "log-wrap"),
        align="center",
        gap="4",
        wrap="wrap",
    )


def logs_tab() -> rx.Component:
    """The tab's panel; it reads the object from the URL when it mounts."""
    return rx.vstack(
        _options(),
        rx.cond(
            DetailLogsState.problem != "",
            rx.callout(DetailLogsState.problem, icon="circle-alert", color_scheme="amber", size="1"),
        ),
        log_viewer(
            src=DetailLogsState.src,
            timestamps=DetailLogsState.timestamps,
            wrap=DetailLogsState.wrap,
            show_pod=DetailLogsState.workload,
            show_container=DetailLogsState.container == ALL_CONTAINERS,
            follow=DetailLogsState.follow,
            download_name=DetailLogsState.download_name,
            height="60vh",
        ),
        on_mount=DetailLogsState.open,
        on_unmount=DetailLogsState.close,
        width="100%",
        gap="3",
        data_testid="logs-tab",
    )
