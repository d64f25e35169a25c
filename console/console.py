"""The Reflex application: pages, the backend routes, the console database, the cluster connection, the
live compliance scorecard and the architecture graph's topology."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import reflex as rx

from console.api import api_transformers
from console.compliance import runtime as compliance_runtime
from console.database.runtime import database_lifespan, history_store
from console.kube import runtime as kube_runtime
from console.kube.registry import KINDS
from console.pages.routes import ROUTES
from console.rbac.runtime import rbac_lifespan
from console.settings import get_settings
from console.topology import runtime as topology_runtime


@contextlib.asynccontextmanager
async def compliance_lifespan() -> AsyncIterator[None]:
    """Score the cluster from the shared cache, its history in the console database (after both opened)."""
    try:
        cache = kube_runtime.current().cache
    except kube_runtime.KubeUnavailable as problem:
        compliance_runtime.unavailable(str(problem))
        yield
        return
    async with compliance_runtime.compliance_lifespan(cache, history_store()):
        yield


@contextlib.asynccontextmanager
async def topology_lifespan() -> AsyncIterator[None]:
    """The graph's topology over the shared cache, following it from the start.

    The graph is the console's landing page: its kinds are listed now rather than when the first person opens
    it, so that person does not wait for 31 first lists (≈ 6 s at 10,000 pods) before anything is drawn.
    """
    try:
        cache = kube_runtime.current().cache
    except kube_runtime.KubeUnavailable as problem:
        topology_runtime.unavailable(str(problem))
        yield
        return
    async with topology_runtime.topology_lifespan(cache, KINDS, get_settings().cluster_id):
        topology_runtime.current()  # starts the feed
        yield


app = rx.App(api_transformer=api_transformers(), stylesheets=["/contrast.css"])
app.register_lifespan_task(database_lifespan)  # first: the audit log is installed before anything serves
app.register_lifespan_task(kube_runtime.kube_lifespan)
app.register_lifespan_task(compliance_lifespan)
app.register_lifespan_task(topology_lifespan)
app.register_lifespan_task(rbac_lifespan)  # Keycloak administration and the leader-elected grant reconciler

for route in ROUTES:
    app.add_page(route.component, route=route.path, title=route.title, on_load=route.on_load)
