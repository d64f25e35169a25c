"""`GET /metrics`: the console's registry in Prometheus' text format."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.observability import collector
from console.observability.counters import REGISTRY

__all__ = ["metrics_routes"]


def metrics_routes() -> list[Route]:
    collector.install()

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", endpoint=metrics, methods=["GET"])]
