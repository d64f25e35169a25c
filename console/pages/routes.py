"""Every page of the console, as data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from console.pages.cloud import cloud_page
from console.pages.resource_detail import ROUTE as RESOURCE_DETAIL_ROUTE
from console.pages.resource_detail import resource_detail_page
from console.state.cloud_list import CloudListState
from console.state.detail_actions import DetailActionsState
from console.state.resource_detail import ResourceDetailState
from console.state.session import SessionState


@dataclass(frozen=True, kw_only=True)
class Route:
    path: str  # URL path as Reflex routes it
    title: str  # browser tab title
    component: Callable[[], rx.Component]
    on_load: list[Any] = field(default_factory=list)  # events run when the page opens


def _home() -> rx.Component:
    return rx.center(rx.spinner(), height="100vh")


ROUTES: tuple[Route, ...] = (
    Route(
        path="/cloud",
        title="Cloud · Sovereign Console",
        component=cloud_page,
        on_load=[SessionState.check, CloudListState.open_list],
    ),
    Route(
        path=RESOURCE_DETAIL_ROUTE,
        title="Resource · Sovereign Console",
        component=resource_detail_page,
        on_load=[SessionState.check, ResourceDetailState.load, DetailActionsState.load_actions],
    ),
    Route(
        path="/",
        title="Sovereign Console",
        component=_home,
        on_load=[rx.redirect("/cloud?view=list&kind=namespaces", replace=True)],
    ),
)
