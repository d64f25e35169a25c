"""The score history's store in the console database (`HistoryStore` of `console.compliance.history`).

Every query runs in a worker thread, never on the event loop, and reads through an index: samples by
(scope_kind, scope_id, at) or by at, outcome changes by at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy

from console.compliance.history import ChangeFilter, Sample
from console.compliance.model import Attribution, OutcomeChange, Tally
from console.database.models import OutcomeChangeRecord, ScoreSample, table_of

__all__ = ["SqlHistoryStore"]

_SAMPLES = table_of(ScoreSample)
_CHANGES = table_of(OutcomeChangeRecord)
_SAMPLE_COLUMNS = (
    _SAMPLES.c.scope_kind,
    _SAMPLES.c.scope_id,
    _SAMPLES.c.at,
    _SAMPLES.c.num,
    _SAMPLES.c.den,
    _SAMPLES.c.violations,
    _SAMPLES.c.resources,
)
_CHANGE_COLUMNS = (
    _CHANGES.c.at,
    _CHANGES.c.resource,
    _CHANGES.c.namespace,
    _CHANGES.c.application,
    _CHANGES.c.environment,
    _CHANGES.c.organization,
    _CHANGES.c.policy,
    _CHANGES.c.before,
    _CHANGES.c.after,
    _CHANGES.c.weight,
)
_IN_CHUNK = 500  # scope ids per IN (…) list


class SqlHistoryStore:
    """Samples in `score_sample`, outcome changes in `outcome_change`."""

    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    async def add_samples(self, samples: Sequence[Sample]) -> None:
        """Insert these samples in one transaction."""
        rows = [_sample_row(sample) for sample in samples]
        if rows:
            await asyncio.to_thread(self._insert, _SAMPLES, rows)

    async def add_changes(self, changes: Sequence[OutcomeChange]) -> None:
        """Insert these outcome changes in one transaction."""
        rows = [_change_row(change) for change in changes]
        if rows:
            await asyncio.to_thread(self._insert, _CHANGES, rows)

    async def recent_samples(self, since: float) -> list[Sample]:
        """Every sample at or after `since`, oldest first."""
        query = sqlalchemy.select(*_SAMPLE_COLUMNS).where(_SAMPLES.c.at >= since)
        return await asyncio.to_thread(self._samples, [query.order_by(_SAMPLES.c.at, _SAMPLES.c.id)])

    async def samples(self, scope_kind: str, scope_ids: Collection[str], since: float, until: float) -> list[Sample]:
        """The samples of these scopes in [since, until], oldest first."""
        queries = [
            sqlalchemy.select(*_SAMPLE_COLUMNS, _SAMPLES.c.id)
            .where(
                _SAMPLES.c.scope_kind == scope_kind,
                _SAMPLES.c.scope_id.in_(chunk),
                _SAMPLES.c.at >= since,
                _SAMPLES.c.at <= until,
            )
            .order_by(_SAMPLES.c.at, _SAMPLES.c.id)
            for chunk in _chunks(sorted(scope_ids))
        ]
        found = await asyncio.to_thread(self._samples, queries)
        return found if len(queries) <= 1 else sorted(found, key=lambda sample: sample.at)

    async def samples_at(self, scope_kind: str, scope_ids: Collection[str], at: float) -> list[Sample]:
        """Each scope's latest sample at or before `at` (one indexed seek per scope)."""
        queries = [
            sqlalchemy.select(*_SAMPLE_COLUMNS)
            .where(_SAMPLES.c.scope_kind == scope_kind, _SAMPLES.c.scope_id == scope_id, _SAMPLES.c.at <= at)
            .order_by(_SAMPLES.c.at.desc(), _SAMPLES.c.id.desc())
            .limit(1)
            for scope_id in sorted(scope_ids)
        ]
        return await asyncio.to_thread(self._samples, queries)

    async def changes(self, after: float, until: float, where: ChangeFilter) -> list[OutcomeChange]:
        """The outcome changes in (after, until] matching `where`, in the order they were recorded."""
        conditions = [_CHANGES.c.at > after, _CHANGES.c.at <= until]
        for column, value in (
            (_CHANGES.c.organization, where.organization),
            (_CHANGES.c.environment, where.environment),
            (_CHANGES.c.application, where.application),
            (_CHANGES.c.namespace, where.namespace),
        ):
            if value is not None:
                conditions.append(column == value)
        if where.namespaces is not None:
            if not where.namespaces:
                return []
            conditions.append(_CHANGES.c.namespace.in_(sorted(where.namespaces)))
        query = sqlalchemy.select(*_CHANGE_COLUMNS).where(*conditions).order_by(_CHANGES.c.at, _CHANGES.c.id)
        return await asyncio.to_thread(self._changes, query)

    async def prune(self, before: float) -> int:
        """Delete the samples and outcome changes older than `before`; how many rows went."""
        return await asyncio.to_thread(self._prune, before)

    def _insert(self, table: sqlalchemy.Table, rows: list[dict[str, Any]]) -> None:
        with self._engine.begin() as connection:
            connection.execute(table.insert(), rows)

    def _samples(self, queries: list[sqlalchemy.Select[Any]]) -> list[Sample]:
        with self._engine.connect() as connection:
            return [
                Sample(row.scope_kind, row.scope_id, row.at, Tally(row.num, row.den, row.violations, row.resources))
                for query in queries
                for row in connection.execute(query)
            ]

    def _changes(self, query: sqlalchemy.Select[Any]) -> list[OutcomeChange]:
        with self._engine.connect() as connection:
            return [
                OutcomeChange(
                    at=row.at,
                    resource=row.resource,
                    namespace=row.namespace,
                    attribution=Attribution(row.application, row.environment, row.organization),
                    policy=row.policy,
                    before=row.before,
                    after=row.after,
                    weight=row.weight,
                )
                for row in connection.execute(query)
            ]

    def _prune(self, before: float) -> int:
        with self._engine.begin() as connection:
            samples = connection.execute(_SAMPLES.delete().where(_SAMPLES.c.at < before)).rowcount
            changes = connection.execute(_CHANGES.delete().where(_CHANGES.c.at < before)).rowcount
        return samples + changes


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[start : start + _IN_CHUNK] for start in range(0, len(ids), _IN_CHUNK)]


def _sample_row(sample: Sample) -> dict[str, Any]:
    tally = sample.tally
    return {
        "scope_kind": sample.scope_kind,
        "scope_id": sample.scope_id,
        "at": sample.at,
        "num": tally.num,
        "den": tally.den,
        "violations": tally.violations,
        "resources": tally.resources,
    }


def _change_row(change: OutcomeChange) -> dict[str, Any]:
    return {
        "at": change.at,
        "resource": change.resource,
        "namespace": change.namespace,
        "application": change.attribution.application,
        "environment": change.attribution.environment,
        "organization": change.attribution.organization,
        "policy": change.policy,
        "before": change.before,
        "after": change.after,
        "weight": change.weight,
    }
