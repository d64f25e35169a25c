"""`KeyboardShortcuts`: k9s-style keys from `assets/keyboard.jsx`.

It listens on the document, leaves keys typed into inputs, editors and terminals alone (except Esc), moves a
row cursor on lists (`aria-selected` on `[data-testid=resource-row]`) and clicks the detail page's own tab
links and buttons. What needs the server comes back as `on_command`: "help" or "kind:<id>".
"""

from __future__ import annotations

import reflex as rx

_SOURCE = rx.asset("keyboard.jsx")


def _command(command: rx.Var[str]) -> tuple[rx.Var[str]]:
    return (command,)


class KeyboardShortcuts(rx.Component):
    """Renders only the `:` kind switcher and a short status message when they are showing."""

    library = _SOURCE.importable_path
    tag = "KeyboardShortcuts"

    mode: rx.Var[str]  # "list" | "detail"
    aliases: rx.Var[dict[str, str]]  # every kind id and short name → the kind id the `:` switcher opens

    on_command: rx.EventHandler[_command]


keyboard = KeyboardShortcuts.create
