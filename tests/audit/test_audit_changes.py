"""The audit log's change signal: a record written here wakes a waiting reader at once; one written by another
replica (another `AuditLog` on the same database) within a poll; many waiting readers share one poll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import event

from console.audit import AuditLog, AuditQuery
from console.database.audit_store import DatabaseAuditStore
from console.database.runtime import ConsoleDatabase, open_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[ConsoleDatabase]:
    opened = await open_database(f"sqlite:///{tmp_path}/state/console.db", install=False)
    yield opened
    opened.close()


async def test_a_record_written_here_wakes_a_waiting_reader_without_a_poll(database: ConsoleDatabase):
    audit = AuditLog(DatabaseAuditStore(database.engine), poll_seconds=3600)  # no poll could wake it
    before = await audit.changes.poll()
    waiting = asyncio.create_task(audit.changes.wait_changed(before, timeout=3600))
    await asyncio.sleep(0)  # let it start waiting
    assert not waiting.done()

    await audit.record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=2")

    assert await asyncio.wait_for(waiting, 10) > before


async def test_a_record_another_replica_wrote_is_noticed_by_the_poll(database: ConsoleDatabase):
    here = AuditLog(DatabaseAuditStore(database.engine), poll_seconds=0.05)
    elsewhere = AuditLog(DatabaseAuditStore(database.engine))
    before = await here.changes.poll()
    waiting = asyncio.create_task(here.changes.wait_changed(before, timeout=3600))
    await asyncio.sleep(0)

    await elsewhere.record("oidc:bob", "delete", "pods/shop/web-1", "denied", "forbidden")

    assert await asyncio.wait_for(waiting, 10) > before
    assert [row.record.actor for row in (await here.query(AuditQuery())).rows] == ["oidc:bob"]


async def test_nothing_new_returns_the_same_revision_after_the_timeout(database: ConsoleDatabase):
    audit = AuditLog(DatabaseAuditStore(database.engine), poll_seconds=0.05)
    before = await audit.changes.poll()
    assert await audit.changes.wait_changed(before, timeout=0.2) == before


async def test_many_waiting_readers_share_one_poll(database: ConsoleDatabase):
    polls: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        if "max(audit_log.id)" in statement:
            polls.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        audit = AuditLog(DatabaseAuditStore(database.engine), poll_seconds=0.25)
        before = await audit.changes.poll()
        polls.clear()
        readers = [audit.changes.wait_changed(before, timeout=1.0) for _ in range(20)]
        assert await asyncio.gather(*readers) == [before] * 20
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    # One poll per quarter second for the whole process (a few), not one per reader per interval (80).
    assert 1 <= len(polls) <= 8, polls
