"""A list row's ⋯ menu: the detail page's actions on that row's object, with the same dialogs and messages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from console.components.object_actions import ActionsView, action_result, delete_dialog, scale_form

# (action, menu label, test id); scale and delete open a dialog, the others act at once.
_ITEMS = (
    ("scale", "Scale…", "row-action-scale"),
    ("restart", "Restart", "row-action-restart"),
    ("reconcile", "Reconcile now", "row-action-reconcile"),
    ("suspend", "Suspend", "row-action-suspend"),
    ("resume", "Resume", "row-action-resume"),
    ("delete", "Delete…", "row-action-delete"),
)


def _on_select(view: ActionsView, action: str, open_scale: Any) -> Any:
    return {
        "scale": open_scale(True),
        "restart": view.restart,
        "reconcile": view.reconcile,
        "suspend": view.suspend,
        "resume": view.resume,
        "delete": view.set_delete_open(True),
    }[action]


def row_menu(
    view: ActionsView, menu_key: rx.Var[str], row: rx.Var[dict[str, str]], open_menu: Any, open_scale: Any
) -> rx.Component:
    """The trigger and the menu; `open_menu(key, namespace, name, replicas, is_open)` asks what to offer."""
    here = menu_key == row["key"]
    answered = here & view.checked
    items = [
        rx.cond(
            answered & view.allowed.contains(action),  # type: ignore[attr-defined]
            rx.dropdown_menu.item(
                label,
                on_select=_on_select(view, action, open_scale),
                color_scheme="red" if action == "delete" else "gray",
                data_testid=testid,
            ),
        )
        for action, label, testid in _ITEMS
    ]
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.text("⋯", size="3", weight="bold"),
                variant="ghost",
                size="1",
                color_scheme="gray",
                aria_label="Actions",
                data_testid="row-actions",
            )
        ),
        rx.dropdown_menu.content(
            rx.cond(
                answered,
                rx.fragment(),
                rx.dropdown_menu.item("Checking access…", disabled=True, data_testid="row-actions-checking"),
            ),
            *items,
            rx.cond(
                answered & (view.allowed.length() == 0),  # type: ignore[attr-defined]
                rx.dropdown_menu.item("No actions available to you", disabled=True, data_testid="row-actions-none"),
            ),
            align="end",
            data_testid="row-actions-menu",
            data_checked=rx.cond(answered, "true", "false"),
        ),
        modal=False,  # a dialog opens from it; a modal menu would leave the page inert behind the dialog
        on_open_change=lambda is_open: open_menu(
            row["key"], row["act:namespace"], row["act:name"], row["act:replicas"], is_open
        ),
    )


def row_action_dialogs(view: ActionsView, scale_open: rx.Var[bool], set_scale_open: Any) -> rx.Component:
    """One scale dialog and one delete dialog for the page, about the object whose menu was used."""
    return rx.fragment(
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title("Scale ", view.name),
                rx.vstack(
                    scale_form(view),
                    rx.cond(view.result_tone == "err", action_result(view, "row-scale-error")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                        justify="end",
                        width="100%",
                    ),
                    gap="3",
                ),
                max_width="420px",
                data_testid="row-scale-dialog",
            ),
            open=scale_open,
            on_open_change=set_scale_open,
        ),
        delete_dialog(view),
    )


def row_action_result(view: ActionsView) -> rx.Component:
    """The last row action's outcome, on a line above the table."""
    return action_result(view, "row-action-result")
