"""The audit log: every mutating action (who, what, when, result) kept in a store and emitted as a JSON log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

__all__ = ["RESULTS", "AuditLog", "AuditRecord", "AuditStore", "Result", "timestamp"]

Result = Literal["ok", "denied", "error"]
RESULTS: tuple[Result, ...] = ("ok", "denied", "error")

logger = logging.getLogger("console.audit")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One attempt at a mutating action and how it ended."""

    time: datetime  # when it was recorded (UTC)
    actor: str  # the person's Kubernetes user name, e.g. "oidc:<sub>"
    action: str  # e.g. "scale", "restart", "delete", "apply", "reconcile"
    target: str  # e.g. "deployments.apps/acme-dev-billing/billing-api"
    result: Result  # ok | denied (the API server answered 403) | error
    detail: str = ""  # e.g. "replicas=3", or the API server's error message

    def to_json(self) -> str:
        """The structured log line for SIEMs: one JSON object, time in RFC 3339."""
        fields = asdict(self)
        fields["time"] = timestamp(self.time)
        return json.dumps({"event": "audit", **fields}, ensure_ascii=False, separators=(",", ":"))


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. `2026-11-27T12:00:00.000000Z`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class AuditStore(Protocol):
    """Where the records are kept. Append-only: a store never changes or removes a record."""

    async def append(self, record: AuditRecord) -> None:
        """Keep one record; raises when it could not be kept."""
        ...

    async def recent(self, limit: int, actor: str | None) -> list[AuditRecord]:
        """At most `limit` records, newest first, optionally only one actor's."""
        ...


class AuditLog:
    """Append-only audit records: a JSON line on the `console.audit` logger, then the store."""

    def __init__(self, store: AuditStore, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._store = store
        self._clock = clock

    async def record(self, actor: str, action: str, target: str, result: Result, detail: str = "") -> AuditRecord:
        """Store one record and emit it as a JSON line on the `console.audit` logger.

        Raises:
            ValueError: `result` is not ok, denied or error.
            Exception: whatever the store raised when it could not keep the record (an audit failure is never
                swallowed).
        """
        if result not in RESULTS:
            raise ValueError(f"audit result must be one of {', '.join(RESULTS)}, not {result!r}")
        entry = AuditRecord(self._clock(), actor, action, target, result, detail)
        logger.info(entry.to_json())
        await self._store.append(entry)
        return entry

    async def recent(self, limit: int = 100, actor: str | None = None) -> list[AuditRecord]:
        """The newest records first, optionally only one actor's."""
        return await self._store.recent(max(0, limit), actor)
