"""The reconcile tab of a Flux object: its reconcile state, Ready condition, revisions, and
Reconcile now / Suspend / Resume (the toolbar's own actions, so run as the person and audited), plus its Events."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.pages.resource_detail.actions_state import DetailActionsState
from console.pages.resource_detail.state import ResourceDetailState
from console.pages.resource_detail.tabs.events import events_table

_FACTS = (
    ("Ready", "ready_status"),
    ("Reason", "ready_reason"),
    ("Message", "ready_message"),
    ("Reconcile requested at", "requested_at"),
    ("Last handled reconcile at", "last_handled_at"),
    ("Last applied revision", "applied_revision"),
    ("Last attempted revision", "attempted_revision"),
    ("Suspended", "suspended"),
)


def _fact(label: str, key: str) -> rx.Component:
    value = ResourceDetailState.reconcile[key]
    return rx.data_list.item(
        rx.data_list.label(label),
        rx.data_list.value(
            rx.cond(value != "", rx.text(value), rx.text("—", color_scheme="gray")),
            data_testid=f"reconcile-{key.replace('_', '-')}",
        ),
        data_testid="reconcile-fact",
        data_label=label,
    )


def _buttons() -> rx.Component:
    actions = DetailActionsState
    suspended = ResourceDetailState.reconcile["suspended"] == "true"
    button = {"size": "2", "variant": "soft", "disabled": actions.busy}
    return rx.hstack(
        rx.cond(
            actions.can_reconcile,
            rx.button(
                rx.icon("refresh-cw", size=14),
                "Reconcile now",
                on_click=actions.reconcile,
                data_testid="reconcile-now",
                **button,
            ),
        ),
        rx.cond(
            actions.allowed.contains("suspend") & ~suspended,  # type: ignore[attr-defined]
            rx.button("Suspend", on_click=actions.suspend, data_testid="reconcile-suspend", **button),
        ),
        rx.cond(
            actions.allowed.contains("resume") & suspended,  # type: ignore[attr-defined]
            rx.button("Resume", on_click=actions.resume, data_testid="reconcile-resume", **button),
        ),
        gap="2",
        align="center",
        data_testid="reconcile-actions",
        data_checked=rx.cond(actions.checked, "true", "false"),
    )


def reconcile_tab() -> rx.Component:
    facts = ResourceDetailState.reconcile
    return rx.vstack(
        rx.hstack(
            rx.text("State", weight="bold", size="2"),
            tone_badge(facts["state"], facts["tone"], size="2", data_testid="reconcile-state"),
            rx.spacer(),
            _buttons(),
            align="center",
            gap="3",
            width="100%",
        ),
        rx.data_list.root(*(_fact(label, key) for label, key in _FACTS), size="2", data_testid="reconcile-facts"),
        rx.heading("Events", size="3", padding_top="2"),
        events_table(ResourceDetailState.events, ResourceDetailState.events_loaded),
        width="100%",
        gap="3",
        data_testid="reconcile-tab",
    )
