"""Browser sessions seen lately: the session cookie on a request, or an open socket, in the last 15 minutes.

The session stores (SQLite, Redis) cannot count their live sessions cheaply (Redis would need a SCAN), so the
request middleware notes each session cookie it sees (by hash: the value itself is a credential) instead.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

__all__ = ["ACTIVE_WINDOW_SECONDS", "SessionActivity", "activity"]

ACTIVE_WINDOW_SECONDS = 15 * 60
_MAX_REMEMBERED = 100_000  # made-up cookies cannot grow the memory without bound


class SessionActivity:
    """When each session cookie was last seen, and how many sockets each has open."""

    def __init__(self, window_seconds: float = ACTIVE_WINDOW_SECONDS) -> None:
        self._window = window_seconds
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._open: dict[str, int] = {}

    @staticmethod
    def _key(session_id: str) -> str:
        return hashlib.sha256(session_id.encode()).hexdigest()

    def seen(self, session_id: str, now: float | None = None) -> None:
        key = self._key(session_id)
        self._seen[key] = time.monotonic() if now is None else now
        self._seen.move_to_end(key)
        while len(self._seen) > _MAX_REMEMBERED:
            self._seen.popitem(last=False)

    def socket_opened(self, session_id: str) -> None:
        key = self._key(session_id)
        self._open[key] = self._open.get(key, 0) + 1
        self.seen(session_id)

    def socket_closed(self, session_id: str) -> None:
        key = self._key(session_id)
        count = self._open.get(key, 0) - 1
        if count > 0:
            self._open[key] = count
        else:
            self._open.pop(key, None)
        self.seen(session_id)

    def count(self, now: float | None = None) -> int:
        """Sessions with an open socket or seen within the window (older entries are forgotten here)."""
        horizon = (time.monotonic() if now is None else now) - self._window
        while self._seen:
            key, last = next(iter(self._seen.items()))
            if last >= horizon:
                break
            self._seen.popitem(last=False)
        return len(self._seen.keys() | self._open.keys())


activity = SessionActivity()
