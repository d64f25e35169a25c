"""The resource detail page's Shell tab (kinds with exec): container picker, "Open shell", and the xterm.js terminal."""

from __future__ import annotations

import reflex as rx

from console.components.wrapped.terminal import exec_terminal
from console.pages.resource_detail.tabs.shell_state import NO_ACCESS, DetailExecState


def _container_picker() -> rx.Component:
    return rx.hstack(
        rx.text("Container", size="2", color_scheme="gray"),
        rx.box(  # the select's root renders no element of its own: the test id goes on a wrapper
            rx.select(
                DetailExecState.containers,
                value=DetailExecState.container,
                on_change=DetailExecState.set_container,
                size="1",
            ),
            data_testid="exec-container",
        ),
        align="center",
        gap="1",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.cond(DetailExecState.picks_container, _container_picker()),
        rx.button(
            rx.icon("square-terminal", size=14),
            rx.cond(DetailExecState.session > 0, "New shell", "Open shell"),
            on_click=DetailExecState.open_shell,
            size="1",
            data_testid="exec-open",
        ),
        rx.cond(
            DetailExecState.state != "",
            rx.badge(DetailExecState.state, variant="outline", size="1", data_testid="exec-state"),
        ),
        align="center",
        gap="3",
        wrap="wrap",
    )


def shell_tab() -> rx.Component:
    """The tab's panel; it reads the pod from the URL when it mounts."""
    return rx.vstack(
        rx.cond(
            DetailExecState.problem != "",
            rx.callout(DetailExecState.problem, icon="circle-alert", color_scheme="amber", size="1"),
        ),
        rx.cond(
            DetailExecState.can_exec,
            rx.vstack(
                _toolbar(),
                rx.cond(
                    DetailExecState.session > 0,
                    exec_terminal(
                        src=DetailExecState.src,
                        height="60vh",
                        on_state=DetailExecState.terminal_state,
                        on_exit=DetailExecState.exited,
                    ),
                    rx.text(
                        "Opens a shell in the container (bash when the image has it, sh otherwise).",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                width="100%",
                gap="3",
            ),
            rx.cond(
                DetailExecState.checked,
                rx.text(NO_ACCESS, size="2", color_scheme="gray", data_testid="exec-no-access"),
                rx.text("Checking access…", size="2", color_scheme="gray"),
            ),
        ),
        on_mount=DetailExecState.open,
        on_unmount=DetailExecState.close,
        width="100%",
        gap="3",
        data_testid="exec-tab",
    )
