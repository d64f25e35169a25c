"""The resource detail page; until its tabs arrive it shows the object's YAML, read-only."""

from __future__ import annotations

import reflex as rx

from console.pages.cloud import page_shell
from console.state.resource_detail import ResourceDetailState

ROUTE = "/cloud/resource/[resource_kind]/[resource_namespace]/[resource_name]/[tab]"


def resource_detail_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.hstack(
                rx.link(
                    rx.icon("arrow-left", size=16), ResourceDetailState.kind_title, href=ResourceDetailState.list_href
                ),
                rx.text("/", color_scheme="gray"),
                rx.heading(ResourceDetailState.object_name, size="5", data_testid="detail-name"),
                rx.cond(
                    ResourceDetailState.namespace != "",
                    rx.badge(ResourceDetailState.namespace, variant="soft", data_testid="detail-namespace"),
                ),
                align="center",
                gap="2",
            ),
            rx.cond(
                ResourceDetailState.loading,
                rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
                rx.cond(
                    ResourceDetailState.problem != "",
                    rx.callout(
                        ResourceDetailState.problem,
                        icon="circle-alert",
                        color_scheme="amber",
                        data_testid="detail-problem",
                    ),
                    rx.code_block(
                        ResourceDetailState.manifest_yaml,
                        language="yaml",
                        show_line_numbers=True,
                        width="100%",
                        data_testid="detail-yaml",
                    ),
                ),
            ),
            width="100%",
            gap="3",
        ),
        active="cloud",
    )
