"""The audit log's store in the console database: INSERT and SELECT only (the table is append-only)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy

from console.audit.log import AuditRecord, Result
from console.database.models import AuditEntry, table_of

__all__ = ["DatabaseAuditStore", "as_utc"]

_TABLE = table_of(AuditEntry)
_COLUMNS = (_TABLE.c.time, _TABLE.c.actor, _TABLE.c.action, _TABLE.c.target, _TABLE.c.result, _TABLE.c.detail)


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC; a naive one (SQLite keeps no zone) is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def row_of(record: AuditRecord) -> dict[str, Any]:
    """The `audit_log` row of a record."""
    return {
        "time": as_utc(record.time),
        "actor": record.actor,
        "action": record.action,
        "target": record.target,
        "result": record.result,
        "detail": record.detail,
    }


class DatabaseAuditStore:
    """`AuditStore` on the console database; every query runs in a worker thread, never on the event loop."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    async def append(self, record: AuditRecord) -> None:
        """Insert one record (committed before this returns; a failure raises)."""
        await asyncio.to_thread(self._insert, record)

    async def recent(self, limit: int, actor: str | None) -> list[AuditRecord]:
        """Newest first (by time, then by insertion), optionally only one actor's."""
        return await asyncio.to_thread(self._select, limit, actor)

    def _insert(self, record: AuditRecord) -> None:
        with self._engine.begin() as connection:
            connection.execute(_TABLE.insert(), row_of(record))

    def _select(self, limit: int, actor: str | None) -> list[AuditRecord]:
        query = sqlalchemy.select(*_COLUMNS).order_by(_TABLE.c.time.desc(), _TABLE.c.id.desc()).limit(max(0, limit))
        if actor is not None:
            query = query.where(_TABLE.c.actor == actor)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            AuditRecord(as_utc(time), who, action, target, cast(Result, result), detail)
            for time, who, action, target, result, detail in rows
        ]
