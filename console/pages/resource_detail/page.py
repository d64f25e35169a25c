"""The resource detail page: header, action toolbar, the tabs that apply to the kind, the active tab.

Which tabs a kind offers is domain data (`console.kube.detail_tabs`); this page maps each tab id to what
the tab draws.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from console.components.key_map import key_map
from console.components.object_actions import ActionsView, detail_actions
from console.components.wrapped.keyboard import keyboard
from console.kube.detail_tabs import TAB_RULES
from console.kube.registry import KINDS
from console.layout.frame import page_shell
from console.pages.access.who_can_views import exec_question_href
from console.pages.resource_detail.actions_state import DetailActionsState
from console.pages.resource_detail.state import ResourceDetailState
from console.pages.resource_detail.tabs.compliance import compliance_tab
from console.pages.resource_detail.tabs.events import events_tab
from console.pages.resource_detail.tabs.logs import logs_tab
from console.pages.resource_detail.tabs.metrics import metrics_tab
from console.pages.resource_detail.tabs.overview import overview_tab
from console.pages.resource_detail.tabs.reconcile import reconcile_tab
from console.pages.resource_detail.tabs.shell import shell_tab
from console.pages.resource_detail.tabs.tree import tree_tab
from console.pages.resource_detail.tabs.yaml import yaml_tab
from console.state.keyboard import STATIC_ALIASES, KeyboardState
from console.state.session import SessionState

ROUTE = "/cloud/resource/[resource_kind]/[resource_namespace]/[resource_name]/[tab]"

# Tab id (`console.kube.detail_tabs.TAB_RULES`) → the tab's body, which reads its own state.
TAB_BODIES: dict[str, Callable[[], rx.Component]] = {
    "overview": overview_tab,
    "yaml": yaml_tab,
    "logs": logs_tab,
    "exec": shell_tab,
    "events": events_tab,
    "tree": tree_tab,
    "metrics": metrics_tab,
    "reconcile": reconcile_tab,
    "compliance": compliance_tab,
}

# Kinds whose objects offer a shell (the registry's EXEC capability) → "who can exec into it?", less where.
WHO_CAN_EXEC = tuple((kind.id, href) for kind in KINDS.values() if (href := exec_question_href(kind)))

ACTIONS = ActionsView(
    name=ResourceDetailState.object_name,
    allowed=DetailActionsState.allowed,
    replicas=DetailActionsState.replicas,
    result=DetailActionsState.result,
    result_tone=DetailActionsState.result_tone,
    delete_open=DetailActionsState.delete_open,
    delete_text=DetailActionsState.delete_text,
    busy=DetailActionsState.busy,
    checked=DetailActionsState.checked,
    set_replicas=DetailActionsState.set_replicas,
    set_delete_text=DetailActionsState.set_delete_text,
    set_delete_open=DetailActionsState.set_delete_open,
    scale=DetailActionsState.scale,
    restart=DetailActionsState.restart,
    delete=DetailActionsState.delete,
    reconcile=DetailActionsState.reconcile,
    suspend=DetailActionsState.suspend,
    resume=DetailActionsState.resume,
)


def _header() -> rx.Component:
    state = ResourceDetailState
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), rx.text(state.kind_title), align="center", gap="1"),
            href=state.list_href,
            data_testid="detail-kind-link",
        ),
        rx.text("/", color_scheme="gray"),
        rx.heading(state.object_name, size="5", data_testid="detail-name"),
        rx.cond(state.namespace != "", rx.badge(state.namespace, variant="soft", data_testid="detail-namespace")),
        rx.spacer(),
        _who_can_exec_link(),
        rx.cond(state.graph_href != "", _graph_links()),
        rx.badge(
            state.live_state,
            color_scheme=rx.match(state.live_state, ("live", "green"), ("error", "red"), "amber"),
            variant="soft",
            data_testid="detail-live",
        ),
        align="center",
        gap="2",
        width="100%",
    )


def _who_can_exec_link() -> rx.Component:
    """For admins and owners, on objects that offer a shell: who may open one (the who-can page, prefilled)."""
    state = ResourceDetailState
    question = rx.match(state.kind_id, *WHO_CAN_EXEC, "").to(str)
    directory_reader = (SessionState.tier == "admin") | (SessionState.tier == "owner")
    return rx.cond(
        (question != "") & directory_reader,
        rx.button(
            rx.link(
                rx.icon("user-search", size=14),
                "Who can exec?",
                href=question + "&namespace=" + state.namespace + "&name=" + state.object_name,
                data_testid="detail-who-can-exec",
            ),
            as_child=True,
            size="1",
            variant="soft",
            color_scheme="gray",
        ),
    )


def _graph_links() -> rx.Component:
    """The architecture graph focused on this object: its neighbourhood, or what breaks if it breaks."""
    state = ResourceDetailState
    return rx.hstack(
        rx.button(
            rx.link(rx.icon("share-2", size=14), "Graph", href=state.graph_href, data_testid="detail-graph-link"),
            as_child=True,
            size="1",
            variant="soft",
        ),
        rx.button(
            rx.link(
                rx.icon("triangle-alert", size=14),
                "What breaks?",
                href=state.breaks_href,
                data_testid="detail-breaks-link",
            ),
            as_child=True,
            size="1",
            variant="soft",
            color_scheme="red",
        ),
        gap="2",
    )


def _tab_strip() -> rx.Component:
    return rx.hstack(
        rx.foreach(
            ResourceDetailState.tabs,
            lambda tab: rx.link(
                tab["title"],
                href=tab["href"],
                padding_x="3",
                padding_y="1",
                size="2",
                weight=rx.cond(tab["id"] == ResourceDetailState.tab, "bold", "regular"),
                border_bottom=rx.cond(tab["id"] == ResourceDetailState.tab, "2px solid var(--accent-9)", "none"),
                data_testid=f"detail-tab-{tab['id']}",
                data_active=rx.cond(tab["id"] == ResourceDetailState.tab, "true", "false"),
            ),
        ),
        gap="1",
        width="100%",
        border_bottom="1px solid var(--gray-a5)",
        data_testid="detail-tabs",
    )


def _problem() -> rx.Component:
    return rx.vstack(
        rx.callout(
            ResourceDetailState.problem, icon="circle-alert", color_scheme="amber", data_testid="detail-problem"
        ),
        rx.link(
            "Back to ", ResourceDetailState.kind_title, href=ResourceDetailState.list_href, data_testid="back-to-list"
        ),
        gap="2",
    )


def _active_tab() -> rx.Component:
    return rx.box(
        rx.match(ResourceDetailState.tab, *((rule.id, TAB_BODIES[rule.id]()) for rule in TAB_RULES), rx.fragment()),
        width="100%",
        data_testid="detail-tab-panel",
        data_tab=ResourceDetailState.tab,
    )


def resource_detail_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            _header(),
            rx.cond(
                ResourceDetailState.loading,
                rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
                rx.cond(
                    ResourceDetailState.problem != "",
                    rx.vstack(_problem(), detail_actions(ACTIONS), gap="3", width="100%"),
                    rx.vstack(detail_actions(ACTIONS), _tab_strip(), _active_tab(), gap="3", width="100%"),
                ),
            ),
            keyboard(mode="detail", aliases=STATIC_ALIASES, on_command=KeyboardState.command),
            key_map(KeyboardState.key_map_open, KeyboardState.set_key_map_open),
            width="100%",
            gap="3",
        ),
        active="cloud",
    )
