"""`/cloud`: the Cloud page, Graph | List. `?view=graph` draws the architecture graph, `?view=list` a kind's list.

The graph's options (lens, grouping, node types, focus) live in the URL; the graph component reads its data
from its own socket. The list is `console/pages/cloud_list/`.
"""

from __future__ import annotations

import reflex as rx

from console.components.wrapped.graph_view import graph_view
from console.layout.frame import page_shell
from console.pages.cloud_graph.links import DIRECTION_TITLES, GROUP_TITLES
from console.pages.cloud_graph.state import CloudGraphState, CloudViewState
from console.pages.cloud_list.page import list_view
from console.topology.lenses import LENSES
from console.topology.wire import MAX_HOPS, MIN_HOPS

_FAMILY_LENSES = [lens for lens in LENSES if lens.families is not None and len(lens.families) == 1]
_DOMAIN_LENSES = [lens for lens in LENSES if lens not in _FAMILY_LENSES]


def view_toggle() -> rx.Component:
    return rx.segmented_control.root(
        rx.segmented_control.item("Graph", value="graph", data_testid="cloud-view-graph"),
        rx.segmented_control.item("List", value="list", data_testid="cloud-view-list"),
        value=CloudViewState.view,
        on_change=CloudViewState.choose,
        size="1",
        aria_label="View",
        data_testid="cloud-view-toggle",
    )


def _lens_menu() -> rx.Component:
    def items(lenses):
        return [rx.select.item(lens.title, value=lens.id, data_testid=f"lens-{lens.id}") for lens in lenses]

    return rx.hstack(
        rx.text("Lens", size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(data_testid="graph-lens", aria_label="Lens"),
            rx.select.content(
                rx.select.group(rx.select.label("Domain"), *items(_DOMAIN_LENSES)),
                rx.select.separator(),
                rx.select.group(rx.select.label("API family"), *items(_FAMILY_LENSES)),
            ),
            value=CloudGraphState.lens,
            on_change=CloudGraphState.set_lens,
            size="1",
        ),
        align="center",
        gap="1",
    )


def _group_menu() -> rx.Component:
    return rx.hstack(
        rx.text("Group by", size="2", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(data_testid="graph-group", aria_label="Group by"),
            rx.select.content(
                *[
                    rx.select.item(title, value=group, data_testid=f"group-{group}")
                    for group, title in GROUP_TITLES.items()
                ]
            ),
            value=CloudGraphState.group,
            on_change=CloudGraphState.set_group,
            size="1",
        ),
        align="center",
        gap="1",
    )


def _focus_bar() -> rx.Component:
    state = CloudGraphState
    return rx.hstack(
        rx.icon("crosshair", size=16),
        rx.text(
            "Focused on ",
            rx.text.strong(state.focus_name, data_testid="graph-focus-name"),
            rx.text.span(" (", state.focus_where, ")", color_scheme="gray"),
            ": ",
            rx.match(
                state.direction,
                ("depends", "what it depends on"),
                ("dependents", "what depends on it (what breaks if it breaks)"),
                "depends on / depended on by",
            ),
            ", ",
            state.hops,
            rx.cond(state.hops == 1, " hop", " hops"),
            size="2",
        ),
        rx.spacer(),
        rx.hstack(
            rx.select(
                [str(hops) for hops in range(MIN_HOPS, MAX_HOPS + 1)],
                value=state.hops.to_string(),
                on_change=state.set_hops,
                size="1",
                aria_label="Hops",
                data_testid="graph-hops",
            ),
            rx.segmented_control.root(
                *[
                    rx.segmented_control.item(title, value=direction, data_testid=f"graph-direction-{direction}")
                    for direction, title in DIRECTION_TITLES.items()
                ],
                value=state.direction,
                on_change=state.set_direction,
                size="1",
                data_testid="graph-direction",
            ),
            rx.button(
                "Clear focus", size="1", variant="soft", on_click=state.clear_focus, data_testid="graph-clear-focus"
            ),
            align="center",
            gap="2",
            margin_left="auto",
        ),
        align="center",
        gap="2",
        width="100%",
        padding="6px 10px",
        border="1px solid var(--accent-a6)",
        border_radius="6px",
        background="var(--accent-a2)",
        flex_wrap="wrap",
        data_testid="graph-focus-bar",
        data_focus=state.focus,
    )


def graph_view_body() -> rx.Component:
    state = CloudGraphState
    return rx.vstack(
        rx.hstack(
            rx.heading("Cloud", size="6", as_="h1"),
            view_toggle(),
            rx.spacer(),
            _lens_menu(),
            _group_menu(),
            align="center",
            gap="3",
            width="100%",
            flex_wrap="wrap",
        ),
        rx.cond(state.note != "", rx.callout(state.note, icon="info", color_scheme="amber", data_testid="graph-note")),
        rx.cond(state.focus != "", _focus_bar()),
        graph_view(
            lens=state.lens,
            types=state.types,
            group=state.group,
            focus=state.focus,
            hops=state.hops,
            direction=state.direction,
            height=rx.cond(state.focus != "", "max(460px, calc(100vh - 250px))", "max(460px, calc(100vh - 200px))"),
            on_open=state.open_href,
            on_types_change=state.set_types,
            on_focus=state.focus_on,
        ),
        width="100%",
        gap="3",
        data_testid="cloud-graph",
    )


def cloud_page() -> rx.Component:
    return page_shell(
        rx.match(
            CloudViewState.view,
            ("graph", graph_view_body()),
            ("list", list_view(view_toggle())),
            rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
        ),
        active="cloud",
    )
