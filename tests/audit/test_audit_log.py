"""The audit log: records persist in the console database, are append-only, and are logged as JSON lines for SIEMs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import event

from console.audit import AuditLog, AuditLogUnavailable, AuditNotWritable, audit_log
from console.audit.runtime import install, uninstall
from console.database.audit_store import DatabaseAuditStore
from console.database.engine import dispose_engine, engine_for
from console.database.runtime import ConsoleDatabase, open_database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[ConsoleDatabase]:
    opened = await open_database(f"sqlite:///{tmp_path}/state/console.db", install=False)
    yield opened
    opened.close()


async def test_records_persist_across_instances_on_the_same_database(database: ConsoleDatabase):
    first = AuditLog(DatabaseAuditStore(database.engine))
    await first.record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=3")
    await first.record("oidc:bob", "delete", "deployments.apps/shop/web", "denied", "forbidden")

    again = AuditLog(DatabaseAuditStore(database.engine))
    await again.record("oidc:alice", "restart", "deployments.apps/shop/web", "error", "boom")

    records = await database.audit_log.recent()
    assert [(r.actor, r.action, r.result) for r in records] == [
        ("oidc:alice", "restart", "error"),
        ("oidc:bob", "delete", "denied"),
        ("oidc:alice", "scale", "ok"),
    ]
    assert records[-1].detail == "replicas=3" and records[-1].time.tzinfo is not None
    assert [r.action for r in await again.recent(actor="oidc:alice", limit=1)] == ["restart"]
    assert [r.action for r in await again.recent(actor="oidc:alice")] == ["restart", "scale"]
    assert await again.recent(limit=0) == []


async def test_newest_first_is_by_time_then_by_insertion(database: ConsoleDatabase):
    moments = iter([datetime(2026, 11, 27, 12, 0, second, tzinfo=UTC) for second in (5, 1, 5)])
    audit = AuditLog(DatabaseAuditStore(database.engine), clock=lambda: next(moments))
    for target in ("first", "earlier", "third"):
        await audit.record("oidc:alice", "scale", target, "ok")

    assert [r.target for r in await audit.recent()] == ["third", "first", "earlier"]
    assert (await audit.recent())[0].time == datetime(2026, 11, 27, 12, 0, 5, tzinfo=UTC)


async def test_each_record_is_one_json_line_on_the_console_audit_logger(database: ConsoleDatabase, caplog):
    moment = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    audit = AuditLog(DatabaseAuditStore(database.engine), clock=lambda: moment)

    with caplog.at_level(logging.INFO, logger="console.audit"):
        await audit.record("oidc:alice", "apply", "secrets/shop/db", "ok", "resourceVersion=7")

    [line] = [record.getMessage() for record in caplog.records if record.name == "console.audit"]
    assert json.loads(line) == {
        "event": "audit",
        "time": "2026-11-27T12:00:00.000000Z",
        "actor": "oidc:alice",
        "action": "apply",
        "target": "secrets/shop/db",
        "result": "ok",
        "detail": "resourceVersion=7",
    }


async def test_records_cannot_be_changed_or_removed(database: ConsoleDatabase, tmp_path: Path):
    await database.audit_log.record("oidc:alice", "scale", "deployments.apps/shop/web", "ok")

    connection = sqlite3.connect(tmp_path / "state" / "console.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET result = 'denied'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
    finally:
        connection.close()
    assert [r.result for r in await database.audit_log.recent()] == ["ok"]


async def test_an_unknown_result_is_refused(database: ConsoleDatabase):
    with pytest.raises(ValueError, match="ok, denied, error"):
        await database.audit_log.record("oidc:alice", "scale", "x", "maybe")  # type: ignore[arg-type]
    assert await database.audit_log.recent() == []


async def test_a_write_failure_is_raised_not_swallowed(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/never-migrated.db"  # no audit_log table: the insert fails
    try:
        audit = AuditLog(DatabaseAuditStore(engine_for(url)))
        with pytest.raises(
            AuditNotWritable, match=r"scale on x \(ok\) is on the console's audit log stream only"
        ) as raised:
            await audit.record("oidc:alice", "scale", "x", "ok")
        assert isinstance(raised.value.__cause__, sqlalchemy.exc.OperationalError)
        with pytest.raises(AuditNotWritable, match="Nothing was changed: the audit log cannot record changes"):
            await audit.ensure_writable()  # what every change asks first
    finally:
        dispose_engine(url)


async def test_database_work_runs_off_the_event_loop(database: ConsoleDatabase):
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def seen(*_args: Any) -> None:
        threads.append(threading.get_ident())

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        await asyncio.gather(*(database.audit_log.record("oidc:alice", "scale", f"t{i}", "ok") for i in range(20)))
        assert len(await database.audit_log.recent(limit=50)) == 20
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert threads and loop_thread not in threads


async def test_the_process_log_is_the_one_installed_at_start(tmp_path: Path):
    with pytest.raises(AuditLogUnavailable, match="lifespan opens the console database"):
        audit_log()

    opened = await open_database(f"sqlite:///{tmp_path}/console.db")
    try:
        assert audit_log() is opened.audit_log
        with pytest.raises(RuntimeError, match="already"):
            install(AuditLog(DatabaseAuditStore(opened.engine)))
        await audit_log().record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=2")
        assert [(r.actor, r.action) for r in await opened.audit_log.recent()] == [("oidc:alice", "scale")]
    finally:
        opened.close()
    with pytest.raises(AuditLogUnavailable):
        audit_log()


def test_uninstalling_another_log_leaves_the_installed_one(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/console.db"
    installed, other = AuditLog(DatabaseAuditStore(engine_for(url))), AuditLog(DatabaseAuditStore(engine_for(url)))
    install(installed)
    try:
        uninstall(other)
        assert audit_log() is installed
    finally:
        uninstall(installed)
        dispose_engine(url)
