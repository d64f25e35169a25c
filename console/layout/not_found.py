"""The page for a path the console does not have: inside the frame, with the path asked for and a way back."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.layout.sidebar import CLOUD_HREF

ROUTE = "404"  # Reflex's route for every path no page claims


def not_found_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Page not found", size="6", data_testid="not-found-title"),
            rx.text(
                "The console has no page at ",
                rx.code(rx.State.router.url.path, data_testid="not-found-path"),
                ".",
                color_scheme="gray",
            ),
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=16), rx.text("Back to Cloud"), align="center", gap="1"),
                href=CLOUD_HREF,
                data_testid="not-found-back",
            ),
            align="start",
            gap="3",
            data_testid="not-found",
        ),
        active="",
    )
