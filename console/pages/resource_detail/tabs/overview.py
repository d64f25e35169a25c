"""The overview tab: kind-aware fields and tables, labels, collapsed annotations, conditions, owner chain,
and a Secret's values on request."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.components.tone_badge import tone_badge
from console.pages.resource_detail.state import ResourceDetailState
from console.pages.resource_detail.tabs.secret_values import SecretValuesView, secret_values


@dataclass(frozen=True, slots=True)
class OverviewView:
    """The Vars the overview draws (each a list of display text or of rows of it)."""

    fields: rx.Var  # list[{"label", "value"}]
    containers: rx.Var  # list[{"name", "image", "ready", "restarts", "state", "tone"}]
    init_containers: rx.Var
    ports: rx.Var  # list[str]
    endpoints: rx.Var  # list[str]
    keys: rx.Var  # list[str]: key names only
    labels: rx.Var  # list["k=v"]
    annotations: rx.Var  # list["k=v"]
    conditions: rx.Var  # list[{"type", "status", "reason", "message", "tone"}]
    owners: rx.Var  # list[{"kind", "name", "href"}], top first


def _section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3"), *children, width="100%", gap="2", **props)


def _fields(fields: rx.Var) -> rx.Component:
    return rx.data_list.root(
        rx.foreach(
            fields,
            lambda item: rx.data_list.item(
                rx.data_list.label(item["label"]),
                rx.data_list.value(item["value"], data_testid="overview-value"),
                data_testid="overview-field",
                data_label=item["label"],
            ),
        ),
        size="2",
    )


def _containers(title: str, rows: rx.Var, test_id: str) -> rx.Component:
    header = ("NAME", "IMAGE", "READY", "RESTARTS", "STATE")
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        _section(
            title,
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in header))),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda row: rx.table.row(
                            rx.table.cell(row["name"], data_testid="container-name"),
                            rx.table.cell(rx.code(row["image"])),
                            rx.table.cell(row["ready"]),
                            rx.table.cell(row["restarts"]),
                            rx.table.cell(tone_badge(row["state"], row["tone"])),
                            data_testid="container-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
                data_testid=test_id,
            ),
        ),
    )


def _text_list(title: str, items: rx.Var, test_id: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,  # type: ignore[attr-defined]
        _section(
            title,
            rx.flex(
                rx.foreach(items, lambda item: rx.code(item, data_testid=f"{test_id}-item")),
                wrap="wrap",
                gap="2",
            ),
            data_testid=test_id,
        ),
    )


def _owners(owners: rx.Var) -> rx.Component:
    return rx.cond(
        owners.length() > 0,  # type: ignore[attr-defined]
        rx.hstack(
            rx.text("Owned by", color_scheme="gray", size="2"),
            rx.foreach(
                owners,
                lambda owner: rx.hstack(
                    rx.text(owner["kind"], size="2", color_scheme="gray"),
                    rx.cond(
                        owner["href"] != "",
                        rx.link(owner["name"], href=owner["href"], size="2", data_testid="owner-link"),
                        rx.text(owner["name"], size="2"),
                    ),
                    rx.icon("chevron-right", size=14),
                    gap="1",
                    align="center",
                ),
            ),
            gap="2",
            align="center",
            wrap="wrap",
            data_testid="owner-chain",
        ),
    )


def _conditions(conditions: rx.Var) -> rx.Component:
    return rx.cond(
        conditions.length() > 0,  # type: ignore[attr-defined]
        _section(
            "Conditions",
            rx.table.root(
                rx.table.header(
                    rx.table.row(*(rx.table.column_header_cell(h) for h in ("TYPE", "STATUS", "REASON", "MESSAGE")))
                ),
                rx.table.body(
                    rx.foreach(
                        conditions,
                        lambda row: rx.table.row(
                            rx.table.cell(row["type"]),
                            rx.table.cell(tone_badge(row["status"], row["tone"])),
                            rx.table.cell(row["reason"]),
                            rx.table.cell(row["message"]),
                            data_testid="condition-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
        ),
    )


def _annotations(annotations: rx.Var) -> rx.Component:
    return rx.cond(
        annotations.length() > 0,  # type: ignore[attr-defined]
        rx.el.details(
            rx.el.summary(rx.text("Annotations (", annotations.length(), ")", as_="span", size="2")),  # type: ignore[attr-defined]
            rx.vstack(
                rx.foreach(annotations, lambda item: rx.code(item, white_space="pre-wrap", word_break="break-all")),
                gap="1",
                padding_top="2",
            ),
            data_testid="overview-annotations",
        ),
    )


def detail_overview(view: OverviewView) -> rx.Component:
    return rx.vstack(
        _owners(view.owners),
        _fields(view.fields),
        _containers("Init containers", view.init_containers, "init-containers-table"),
        _containers("Containers", view.containers, "containers-table"),
        _text_list("Ports", view.ports, "overview-ports"),
        _text_list("Endpoints", view.endpoints, "overview-endpoints"),
        _text_list("Keys", view.keys, "overview-keys"),
        _text_list("Labels", view.labels, "overview-labels"),
        _annotations(view.annotations),
        _conditions(view.conditions),
        width="100%",
        gap="4",
        data_testid="detail-overview",
    )


def overview_tab() -> rx.Component:
    state = ResourceDetailState
    view = OverviewView(
        fields=state.fields,
        containers=state.containers,
        init_containers=state.init_containers,
        ports=state.ports,
        endpoints=state.endpoints,
        keys=state.keys,
        labels=state.labels,
        annotations=state.annotations,
        conditions=state.conditions,
        owners=state.owners,
    )
    values = SecretValuesView(
        revealed=state.revealed,
        can_reveal=state.can_reveal,
        message=state.reveal_message,
        reveal=state.reveal_values,
        hide=state.hide_values,
    )
    return rx.fragment(
        detail_overview(view),
        rx.cond(state.shows_secret_values, rx.box(secret_values(values), padding_top="4", width="100%")),
    )
