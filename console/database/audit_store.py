"""The audit log's store in the console database: INSERT and SELECT only (the table is append-only)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy

from console.audit.query import AuditPage, AuditQuery, StoredRecord
from console.audit.records import DISTINCT_COLUMNS, AuditRecord, Distinct, Result
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

    async def query(self, query: AuditQuery) -> AuditPage:
        """One page of the matching records, newest first, and the number of matching records; read through the
        time index (or the actor's or action's index when that filter is given)."""
        return await asyncio.to_thread(self._query, query)

    async def newest_id(self) -> int:
        """The largest id (the primary key's last entry: one index probe), 0 for an empty log."""
        return await asyncio.to_thread(self._newest_id)

    async def distinct(self, column: Distinct, limit: int) -> list[str]:
        """The different actors or actions, sorted (read from their index)."""
        if column not in DISTINCT_COLUMNS:
            raise ValueError(f"no distinct values of {column!r}")
        return await asyncio.to_thread(self._distinct, column, limit)

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

    def _query(self, query: AuditQuery) -> AuditPage:
        if query.actors is not None and not query.actors:
            return AuditPage((), 0)
        conditions: list[sqlalchemy.ColumnElement[bool]] = []
        if query.actors is not None:
            conditions.append(_TABLE.c.actor.in_(query.actors))
        if query.action:
            conditions.append(_TABLE.c.action == query.action)
        if query.result:
            conditions.append(_TABLE.c.result == query.result)
        if query.since is not None:
            conditions.append(_TABLE.c.time >= as_utc(query.since))
        rows_query = (
            sqlalchemy.select(_TABLE.c.id, *_COLUMNS)
            .where(*conditions)
            .order_by(_TABLE.c.time.desc(), _TABLE.c.id.desc())
            .offset(query.offset)
            .limit(query.limit)
        )
        count_query = sqlalchemy.select(sqlalchemy.func.count()).select_from(_TABLE).where(*conditions)
        with self._engine.connect() as connection:
            rows = connection.execute(rows_query).all()
            total = int(connection.execute(count_query).scalar_one())
        return AuditPage(
            tuple(
                StoredRecord(int(id_), AuditRecord(as_utc(time), who, action, target, cast(Result, result), detail))
                for id_, time, who, action, target, result, detail in rows
            ),
            total,
        )

    def _newest_id(self) -> int:
        with self._engine.connect() as connection:
            newest = connection.execute(sqlalchemy.select(sqlalchemy.func.max(_TABLE.c.id))).scalar_one()
        return int(newest or 0)

    def _distinct(self, column: Distinct, limit: int) -> list[str]:
        selected = _TABLE.c[column]
        query = sqlalchemy.select(selected).distinct().order_by(selected).limit(max(0, limit))
        with self._engine.connect() as connection:
            return [str(value) for value in connection.execute(query).scalars().all()]
