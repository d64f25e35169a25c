"""Wake a tab's background follow loop when something other than the cluster changed (its scope)."""

from __future__ import annotations

import asyncio

_events: dict[str, asyncio.Event] = {}


def wakeup_for(client_token: str) -> asyncio.Event:
    """The event a tab's follow loop waits on besides its watches (created on first use)."""
    return _events.setdefault(client_token, asyncio.Event())


def wake(client_token: str) -> None:
    event = _events.get(client_token)
    if event is not None:
        event.set()


def forget(client_token: str) -> None:
    _events.pop(client_token, None)
