"""The console's own Prometheus registry and the counters other modules bump (one call each, no Reflex).

Gauges that read existing state (watch states, sessions, the reconciler's stats) are collected at scrape time
by `console.observability.collector`; only what cannot be read afterwards is counted here, as it happens.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["REGISTRY", "audit_written", "timed_handler", "upstream_error"]

# Dedicated: the default registry's process and platform collectors stay out, and tests start from known values.
REGISTRY = CollectorRegistry(auto_describe=True)

UPSTREAM_ERRORS = Counter(
    "console_upstream_errors",
    "Failed calls to an upstream (kubernetes, keycloak) by HTTP status; code 0: unreachable.",
    ["upstream", "code"],
    registry=REGISTRY,
)
AUDIT_WRITES = Counter(
    "console_audit_writes",
    "Audit records kept in the store, by the audited action's result (ok, denied, error).",
    ["result"],
    registry=REGISTRY,
)
EVENT_HANDLER_SECONDS = Histogram(
    "console_event_handler_seconds",
    "Time spent in a console state's event handler (declared with `@timed_event`, console/state/timing.py).",
    ["handler"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def upstream_error(upstream: str, code: int) -> None:
    """Count one failed upstream call (`code` 0: the upstream could not be reached)."""
    UPSTREAM_ERRORS.labels(upstream=upstream, code=str(code)).inc()


def audit_written(result: str) -> None:
    """Count one audit record the store kept."""
    AUDIT_WRITES.labels(result=result).inc()


Handler = TypeVar("Handler", bound=Callable[..., Any])


def timed_handler(handler: Handler) -> Handler:
    """Observe the wrapped event handler's duration in `console_event_handler_seconds` (label: its
    qualified name). Works for plain, async and async-generator handlers; `@timed_event` applies it under `@rx.event`.

    Reflex 0.10 calls an event middleware's `preprocess` only (never `postprocess`), and its own event timing
    needs OpenTelemetry (`reflex-otel`): so the console times its handlers itself.
    """
    name = handler.__qualname__
    histogram = EVENT_HANDLER_SECONDS.labels(handler=name)

    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def timed_generator(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                async for update in handler(*args, **kwargs):
                    yield update
            finally:
                histogram.observe(time.perf_counter() - started)

        return timed_generator  # type: ignore[return-value]

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def timed_coroutine(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await handler(*args, **kwargs)
            finally:
                histogram.observe(time.perf_counter() - started)

        return timed_coroutine  # type: ignore[return-value]

    @functools.wraps(handler)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return handler(*args, **kwargs)
        finally:
            histogram.observe(time.perf_counter() - started)

    return timed  # type: ignore[return-value]
