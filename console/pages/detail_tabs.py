"""The detail page's tabs as data: which kinds each applies to and what it draws.

To add a tab, define a `DetailTab` in its own module and add one entry to `TABS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx

from console.components.detail_events import detail_events
from console.components.detail_metrics import detail_metrics
from console.components.detail_overview import OverviewView, detail_overview
from console.components.detail_tree import detail_tree
from console.kube.kinds import Kind
from console.pages.detail_exec import exec_tab, shows_exec
from console.pages.detail_logs import logs_tab, shows_logs
from console.pages.detail_reconcile import reconcile_tab, shows_reconcile
from console.pages.detail_yaml import yaml_tab
from console.state.resource_detail import ResourceDetailState, offer_tabs

METRICS_KINDS = frozenset({"Pod", "Node"})


@dataclass(frozen=True, slots=True)
class DetailTab:
    id: str  # the URL's last segment
    title: str  # the tab's label
    applies: Callable[[Kind], bool]  # shown for this kind?
    render: Callable[[], rx.Component]  # the tab's body (reads its own state)


def every_kind(kind: Kind) -> bool:
    return True


def _overview() -> rx.Component:
    state = ResourceDetailState
    return detail_overview(
        OverviewView(
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
    )


OVERVIEW_TAB = DetailTab("overview", "Overview", every_kind, _overview)
YAML_TAB = DetailTab("yaml", "YAML", every_kind, yaml_tab)
EVENTS_TAB = DetailTab(
    "events", "Events", every_kind, lambda: detail_events(ResourceDetailState.events, ResourceDetailState.events_loaded)
)
TREE_TAB = DetailTab("tree", "Tree", every_kind, lambda: detail_tree(ResourceDetailState.tree_nodes))
METRICS_TAB = DetailTab(
    "metrics",
    "Metrics",
    lambda kind: kind.kind in METRICS_KINDS,
    lambda: detail_metrics(ResourceDetailState.metrics_rows, ResourceDetailState.metrics_note),
)
LOGS_TAB = DetailTab("logs", "Logs", shows_logs, logs_tab)  # Pods, and a workload's pods with a pod prefix
EXEC_TAB = DetailTab("exec", "Shell", shows_exec, exec_tab)  # Pods
RECONCILE_TAB = DetailTab("reconcile", "Reconcile", shows_reconcile, reconcile_tab)  # Flux kinds

TABS: list[DetailTab] = [
    OVERVIEW_TAB,
    YAML_TAB,
    LOGS_TAB,
    EXEC_TAB,
    EVENTS_TAB,
    TREE_TAB,
    METRICS_TAB,
    RECONCILE_TAB,
]

offer_tabs(TABS)  # the state reads this list when a page opens, so entries added to it later count too
