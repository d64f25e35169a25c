"""`@timed_event`: Reflex's `@rx.event` with the handler's duration in `console_event_handler_seconds`.

Reflex 0.10 gives no hook around a handler (an event middleware only sees it before it runs), so every
console handler a person triggers is declared with this instead. Background handlers keep `@rx.event(
background=True)`: they follow the cluster for as long as a tab is open, which is not a latency.

It also says, in words, when a change cannot be audited (`AuditNotWritable`: the audit database does not
answer) — wherever in a handler that is found out — instead of leaving the person with a handler that died.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from console.audit import AuditNotWritable
from console.observability.counters import timed_handler

logger = logging.getLogger(__name__)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def timed_event(handler: Handler) -> Handler:
    return rx.event(timed_handler(_explained(handler)))  # type: ignore[return-value]


def _told(problem: AuditNotWritable) -> Any:
    logger.warning("a change was not audited: %s", problem.message)
    return rx.toast.error(problem.message, duration=15_000)


def _explained(handler: Handler) -> Handler:
    """The handler, with `AuditNotWritable` turned into an error toast (for plain, async and generator ones)."""
    if inspect.isasyncgenfunction(handler):

        @functools.wraps(handler)
        async def explained_generator(*args: Any, **kwargs: Any) -> Any:
            try:
                async for update in handler(*args, **kwargs):
                    yield update
            except AuditNotWritable as problem:
                yield _told(problem)

        return explained_generator  # type: ignore[return-value]

    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def explained_coroutine(*args: Any, **kwargs: Any) -> Any:
            try:
                return await handler(*args, **kwargs)
            except AuditNotWritable as problem:
                return _told(problem)

        return explained_coroutine  # type: ignore[return-value]

    return handler  # a plain handler makes no change it could audit
