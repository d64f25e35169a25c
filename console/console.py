"""The Reflex application: pages, the backend routes and the lifespan of the cluster connection."""

from __future__ import annotations

import reflex as rx

from console.api import api_transformers
from console.kube.runtime import kube_lifespan
from console.pages.routes import ROUTES

app = rx.App(api_transformer=api_transformers())
app.register_lifespan_task(kube_lifespan)

for route in ROUTES:
    app.add_page(route.component, route=route.path, title=route.title, on_load=route.on_load)
