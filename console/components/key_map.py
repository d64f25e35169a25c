"""The `?` dialog: every key the console answers to, k9s style."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

LIST_KEYS: tuple[tuple[str, str], ...] = (
    (":", "Switch kind (pods, po, deploy, svc, no, …) then Enter"),
    ("/", "Focus the filter"),
    ("j / ↓", "Move the row cursor down"),
    ("k / ↑", "Move the row cursor up"),
    ("Enter", "Open the row under the cursor"),
    ("Esc", "Clear the filter, close a dialog"),
)
DETAIL_KEYS: tuple[tuple[str, str], ...] = (
    ("d", "Overview (describe)"),
    ("e", "YAML (edit)"),
    ("l", "Logs"),
    ("s", "Shell (exec)"),
    ("Ctrl-d", "Delete (asks to confirm)"),
    ("Esc", "Back to the list"),
)
EVERYWHERE_KEYS: tuple[tuple[str, str], ...] = (("?", "Show or hide this key map"),)


def _group(title: str, keys: tuple[tuple[str, str], ...]) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.body(
                *(
                    rx.table.row(
                        rx.table.cell(rx.code(key, variant="outline", size="2"), width="96px"),
                        rx.table.cell(what),
                        data_testid="key-map-row",
                        data_key=key,
                    )
                    for key, what in keys
                )
            ),
            size="1",
            width="100%",
        ),
        width="100%",
        gap="1",
    )


def key_map(open_: rx.Var[bool], set_open: EventType) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Keyboard"),
            rx.dialog.description("k9s habits: keys work when no text field has the focus.", size="2"),
            rx.vstack(
                _group("Lists", LIST_KEYS),
                _group("Resource detail", DETAIL_KEYS),
                _group("Everywhere", EVERYWHERE_KEYS),
                gap="3",
                padding_top="3",
            ),
            rx.flex(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", data_testid="key-map-close")),
                justify="end",
                padding_top="3",
            ),
            max_width="520px",
            data_testid="key-map",
        ),
        open=open_,
        on_open_change=set_open,
    )
