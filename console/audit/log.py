"""The audit log: every mutating action (who, what, when, result) kept in a store and emitted as a JSON log line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from console.audit.changes import AuditChanges
from console.audit.query import AuditPage, AuditQuery
from console.audit.records import DISTINCT_COLUMNS, RESULTS, AuditRecord, Distinct, Result, timestamp
from console.observability.counters import audit_written

__all__ = [
    "DISTINCT_COLUMNS",
    "RESULTS",
    "AuditLog",
    "AuditRecord",
    "AuditStore",
    "AuditNotWritable",
    "Distinct",
    "Result",
    "timestamp",
]

logger = logging.getLogger("console.audit")


class AuditNotWritable(Exception):
    """The audit log cannot keep records (its database does not answer); `message` says so to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuditStore(Protocol):
    """Where the records are kept. Append-only: a store never changes or removes a record."""

    async def append(self, record: AuditRecord) -> None:
        """Keep one record; raises when it could not be kept."""
        ...

    async def recent(self, limit: int, actor: str | None) -> list[AuditRecord]:
        """At most `limit` records, newest first, optionally only one actor's."""
        ...

    async def query(self, query: AuditQuery) -> AuditPage:
        """The page of records `query` asks for (newest first: by time, then by insertion) and their total."""
        ...

    async def newest_id(self) -> int:
        """The id of the newest record (0 when there is none): it grows with every record any replica keeps."""
        ...

    async def distinct(self, column: Distinct, limit: int) -> list[str]:
        """At most `limit` different actors or actions that occur in the log, sorted."""
        ...


class AuditLog:
    """Append-only audit records: a JSON line on the `console.audit` logger, then the store."""

    def __init__(
        self,
        store: AuditStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        poll_seconds: float = 1.0,
    ) -> None:
        self._store = store
        self._clock = clock
        # Moves on every record: this process's at once, other replicas' within `poll_seconds`.
        self.changes = AuditChanges(store.newest_id, poll_seconds=poll_seconds)

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
        try:
            await self._store.append(entry)
        except Exception as error:  # noqa: BLE001 - whatever the database driver raised: said, never swallowed
            raise AuditNotWritable(
                f"{action} on {target} ({result}) is on the console's audit log stream only: the audit database "
                f"could not keep it ({type(error).__name__})"
            ) from error
        audit_written(result)
        self.changes.notify()
        return entry

    async def ensure_writable(self) -> None:
        """Before a change: refuse it when the audit log could not record it (its database does not answer).

        Raises:
            AuditNotWritable: nothing should be changed now.
        """
        try:
            await self._store.newest_id()
        except Exception as error:  # noqa: BLE001 - the driver's error, whatever it is, means the same here
            raise AuditNotWritable(
                f"Nothing was changed: the audit log cannot record changes right now (its database does not "
                f"answer: {type(error).__name__}). Try again shortly."
            ) from error

    async def recent(self, limit: int = 100, actor: str | None = None) -> list[AuditRecord]:
        """The newest records first, optionally only one actor's."""
        return await self._store.recent(max(0, limit), actor)

    async def query(self, query: AuditQuery) -> AuditPage:
        """One page of the records that pass `query`'s filters, newest first, and how many pass in all."""
        return await self._store.query(query)

    async def newest_id(self) -> int:
        """The newest record's id (0: none yet); a record is newer than another when its id is larger."""
        return await self._store.newest_id()

    async def distinct(self, column: Distinct, limit: int = 500) -> list[str]:
        """The different actors (or actions) in the log, sorted: what the audit page's filters offer."""
        if column not in DISTINCT_COLUMNS:
            raise ValueError(f"distinct values are kept for {', '.join(DISTINCT_COLUMNS)}, not {column!r}")
        return await self._store.distinct(column, max(0, limit))
