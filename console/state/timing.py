"""`@timed_event`: Reflex's `@rx.event` with the handler's duration in `console_event_handler_seconds`.

Reflex 0.10 gives no hook around a handler (an event middleware only sees it before it runs), so every
console handler a person triggers is declared with this instead. Background handlers keep `@rx.event(
background=True)`: they follow the cluster for as long as a tab is open, which is not a latency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from console.observability.counters import timed_handler

Handler = TypeVar("Handler", bound=Callable[..., Any])


def timed_event(handler: Handler) -> Handler:
    return rx.event(timed_handler(handler))  # type: ignore[return-value]
