"""The tree tab: owners above the object, children below, each with its status and a link."""

from __future__ import annotations

import reflex as rx

from console.components.tone_badge import tone_badge
from console.pages.resource_detail.state import ResourceDetailState


def _node(node: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.match(node["relation"], ("owner", "arrow-up"), ("self", "circle-dot"), "corner-down-right"), size=14
        ),
        rx.text(node["kind"], color_scheme="gray", size="2", min_width="110px"),
        rx.cond(
            (node["href"] != "") & (node["relation"] != "self"),
            rx.link(node["name"], href=node["href"], size="2", data_testid="tree-link"),
            rx.text(node["name"], size="2", weight=rx.cond(node["relation"] == "self", "bold", "regular")),
        ),
        rx.cond(node["status"] != "", tone_badge(node["status"], node["tone"])),
        padding_left=node["indent"],
        align="center",
        gap="2",
        data_testid="tree-node",
        data_relation=node["relation"],
        data_kind=node["kind"],
        data_name=node["name"],
    )


def tree_tab() -> rx.Component:
    nodes = ResourceDetailState.tree_nodes
    return rx.vstack(rx.foreach(nodes, _node), gap="1", width="100%", data_testid="detail-tree")
