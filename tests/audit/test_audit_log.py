"""The audit log: records persist in the SQLite file, are append-only, and are logged as JSON lines for SIEMs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.audit import AuditLog, AuditRecord, audit_log
from console.audit.runtime import sqlite_path
from console.settings import get_settings


async def test_records_persist_across_instances_on_the_same_file(tmp_path: Path):
    path = tmp_path / "nested" / "audit.db"
    first = AuditLog(path)
    await first.record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=3")
    await first.record("oidc:bob", "delete", "deployments.apps/shop/web", "denied", "forbidden")

    again = AuditLog(path)
    await again.record("oidc:alice", "restart", "deployments.apps/shop/web", "error", "boom")

    records = await AuditLog(path).recent()
    assert [(r.actor, r.action, r.result) for r in records] == [
        ("oidc:alice", "restart", "error"),
        ("oidc:bob", "delete", "denied"),
        ("oidc:alice", "scale", "ok"),
    ]
    assert records[-1].detail == "replicas=3" and records[-1].time.tzinfo is not None
    assert [r.action for r in await again.recent(actor="oidc:alice", limit=1)] == ["restart"]


async def test_each_record_is_one_json_line_on_the_console_audit_logger(tmp_path: Path, caplog):
    moment = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    audit = AuditLog(tmp_path / "audit.db", clock=lambda: moment)

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


async def test_records_cannot_be_changed_or_removed(tmp_path: Path):
    path = tmp_path / "audit.db"
    await AuditLog(path).record("oidc:alice", "scale", "deployments.apps/shop/web", "ok")

    connection = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET result = 'denied'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
    finally:
        connection.close()


async def test_an_unknown_result_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="ok, denied, error"):
        await AuditLog(tmp_path / "audit.db").record("oidc:alice", "scale", "x", "maybe")  # type: ignore[arg-type]


async def test_writes_run_off_the_event_loop(tmp_path: Path):
    audit = AuditLog(tmp_path / "audit.db")
    loop_thread = threading.get_ident()
    threads: list[int] = []
    insert = audit._insert

    def spying_insert(entry: AuditRecord) -> None:
        threads.append(threading.get_ident())
        insert(entry)

    audit._insert = spying_insert  # type: ignore[method-assign]
    await asyncio.gather(*(audit.record("oidc:alice", "scale", f"t{i}", "ok") for i in range(20)))

    assert threads and loop_thread not in threads
    assert len(await audit.recent(limit=50)) == 20


def test_sqlite_urls_name_a_file():
    assert sqlite_path("sqlite:///var/console/audit.db") == Path("var/console/audit.db")
    assert sqlite_path("sqlite:////srv/audit.db") == Path("/srv/audit.db")
    with pytest.raises(ValueError, match="sqlite:///<path>"):
        sqlite_path("postgresql://db/audit")


async def test_the_process_has_one_audit_log_at_the_configured_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CONSOLE_AUDIT_DB_URL", f"sqlite:///{tmp_path}/trail/audit.db")
    get_settings.cache_clear()
    audit_log.cache_clear()
    try:
        assert audit_log() is audit_log()  # every writer shares one log (one lock on one file)
        await audit_log().record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=2")
        records = await AuditLog(tmp_path / "trail" / "audit.db").recent()
        assert [(record.actor, record.action) for record in records] == [("oidc:alice", "scale")]
    finally:
        get_settings.cache_clear()
        audit_log.cache_clear()
