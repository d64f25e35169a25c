"""The detail page's action toolbar: only the actions the person may take, each result in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx


@dataclass(frozen=True, slots=True)
class ActionsView:
    """Vars and event handlers the toolbar is drawn from."""

    name: rx.Var[str]  # the object's name: typed to confirm a delete
    allowed: rx.Var  # list[str] of action names (scale, restart, delete, reconcile, suspend, resume)
    replicas: rx.Var[str]
    result: rx.Var[str]
    result_tone: rx.Var[str]
    delete_open: rx.Var[bool]
    delete_text: rx.Var[str]
    busy: rx.Var[bool]
    checked: rx.Var[bool]  # the access reviews answered (until then nothing is offered)
    set_replicas: Any
    set_delete_text: Any
    set_delete_open: Any
    scale: Any
    restart: Any
    delete: Any
    reconcile: Any
    suspend: Any
    resume: Any


def _offered(view: ActionsView, action: str, component: rx.Component) -> rx.Component:
    return rx.cond(view.allowed.contains(action), component)  # type: ignore[attr-defined]


def scale_form(view: ActionsView) -> rx.Component:
    return rx.hstack(
        rx.text("Replicas", size="2"),
        rx.input(
            value=view.replicas,
            on_change=view.set_replicas,
            width="5em",
            size="1",
            data_testid="scale-replicas",
        ),
        rx.button(
            "Scale", size="1", variant="soft", on_click=view.scale, disabled=view.busy, data_testid="action-scale"
        ),
        align="center",
        gap="2",
    )


def delete_dialog(view: ActionsView, trigger: rx.Component | None = None) -> rx.Component:
    """ "Delete <name>?": the Delete button stays disabled until the object's name is typed exactly."""
    triggers = () if trigger is None else (rx.alert_dialog.trigger(trigger),)
    return rx.alert_dialog.root(
        *triggers,
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", view.name, "?"),
            rx.alert_dialog.description(
                rx.text("Type ", rx.code(view.name), " to confirm.", data_testid="delete-hint"), size="2"
            ),
            rx.input(
                value=view.delete_text,
                on_change=view.set_delete_text,
                placeholder=view.name,
                margin_y="3",
                data_testid="delete-confirm-input",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    "Delete",
                    color_scheme="red",
                    on_click=view.delete,
                    disabled=(view.delete_text != view.name) | view.busy,
                    data_testid="delete-confirm",
                ),
                justify="end",
                gap="2",
            ),
        ),
        open=view.delete_open,
        on_open_change=view.set_delete_open,
    )


def _delete(view: ActionsView) -> rx.Component:
    return delete_dialog(
        view, rx.button("Delete", size="1", variant="soft", color_scheme="red", data_testid="action-delete")
    )


def action_result(view: ActionsView, testid: str = "action-result") -> rx.Component:
    """The last action's outcome in plain words: green when done, red with the API server's message."""
    return rx.cond(
        view.result != "",
        rx.callout(
            view.result,
            icon=rx.cond(view.result_tone == "ok", "circle-check", "circle-alert"),
            color_scheme=rx.cond(view.result_tone == "ok", "green", "red"),
            size="1",
            data_testid=testid,
            data_tone=view.result_tone,
        ),
    )


def detail_actions(view: ActionsView) -> rx.Component:
    button = {"size": "1", "variant": "soft", "disabled": view.busy}
    return rx.vstack(
        rx.hstack(
            _offered(view, "scale", scale_form(view)),
            _offered(
                view, "restart", rx.button("Restart", on_click=view.restart, data_testid="action-restart", **button)
            ),
            _offered(
                view,
                "reconcile",
                rx.button("Reconcile now", on_click=view.reconcile, data_testid="action-reconcile", **button),
            ),
            _offered(
                view, "suspend", rx.button("Suspend", on_click=view.suspend, data_testid="action-suspend", **button)
            ),
            _offered(view, "resume", rx.button("Resume", on_click=view.resume, data_testid="action-resume", **button)),
            _offered(view, "delete", _delete(view)),
            gap="3",
            align="center",
            wrap="wrap",
            data_testid="detail-actions",
            data_checked=rx.cond(view.checked, "true", "false"),
        ),
        action_result(view),
        width="100%",
        gap="2",
    )
