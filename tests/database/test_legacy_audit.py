"""The audit log's old SQLite file moves into the console database once, in order, with every field intact."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from console.audit.log import AuditRecord
from console.database.runtime import open_database
from console.settings import get_settings

# The audit log's schema before the console database (console/audit/log.py's `_SCHEMA` until then).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, id);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

OLD_ROWS = [
    ("2026-11-27T09:00:00.000001Z", "oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=3"),
    ("2026-11-27T09:00:00.000001Z", "oidc:bob", "delete", "deployments.apps/shop/web", "denied", "forbidden"),
    ("2026-11-27T09:30:12.500000Z", "oidc:zoë", "apply", "configmaps/café/menü", "error", 'conflict: "spec"\nline 2'),
    ("2026-11-28T23:59:59.999999Z", "oidc:日本", "secret.reveal", "secrets/shop/db", "ok", ""),
]


def _make_old_audit_db(path: Path, rows: list[tuple[str, ...]] = OLD_ROWS) -> Path:
    """An audit.db exactly as the console wrote it before (same schema, same time format)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(OLD_SCHEMA)
        with connection:
            connection.executemany(
                "INSERT INTO audit_log (time, actor, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?)", rows
            )
    finally:
        connection.close()
    return path


def _expected(rows: list[tuple[str, ...]] = OLD_ROWS) -> list[AuditRecord]:
    return [
        AuditRecord(datetime.fromisoformat(time.replace("Z", "+00:00")), actor, action, target, result, detail)  # type: ignore[arg-type]
        for time, actor, action, target, result, detail in rows
    ]


async def _all_in_order(url: str) -> list[AuditRecord]:
    database = await open_database(url, install=False)
    try:
        return list(reversed(await database.audit_log.recent(limit=1000)))
    finally:
        database.close()


async def test_every_old_record_is_imported_in_order_once_and_the_file_renamed(database_url: str, tmp_path: Path):
    old = _make_old_audit_db(tmp_path / "old-state" / "audit.db")

    database = await open_database(database_url, old, install=False)
    try:
        assert database.imported == 4
        assert list(reversed(await database.audit_log.recent(limit=1000))) == _expected()
        await database.audit_log.record("oidc:alice", "restart", "deployments.apps/shop/web", "ok")
    finally:
        database.close()
    assert not old.exists() and old.with_name("audit.db.imported").is_file()

    again = await open_database(database_url, old, install=False)
    again.close()
    assert again.imported == 0
    records = await _all_in_order(database_url)
    assert records[:4] == _expected() and len(records) == 5


async def test_a_start_interrupted_after_the_copy_only_renames_the_file(sqlite_url: str, tmp_path: Path):
    old = _make_old_audit_db(tmp_path / "audit.db")
    (await open_database(sqlite_url, old, install=False)).close()
    old.with_name("audit.db.imported").rename(old)  # as if the process died between the commit and the rename

    database = await open_database(sqlite_url, old, install=False)
    database.close()

    assert database.imported == 0
    assert await _all_in_order(sqlite_url) == _expected()
    assert not old.exists() and old.with_name("audit.db.imported").is_file()


async def test_a_failed_copy_leaves_nothing_behind_and_a_later_start_imports_everything(
    sqlite_url: str, tmp_path: Path
):
    rows = [*OLD_ROWS[:2], ("not a time", "oidc:carol", "scale", "x", "ok", ""), *OLD_ROWS[2:]]
    old = _make_old_audit_db(tmp_path / "audit.db", rows)

    with pytest.raises(RuntimeError, match="cannot open the console database"):
        await open_database(sqlite_url, old, install=False)
    assert old.is_file() and await _all_in_order(sqlite_url) == []  # nothing half-copied

    connection = sqlite3.connect(old)  # someone repairs the old file
    with connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute("UPDATE audit_log SET time = '2026-11-27T09:10:00.000000Z' WHERE time = 'not a time'")
    connection.close()

    database = await open_database(sqlite_url, old, install=False)
    database.close()
    repaired = [*OLD_ROWS[:2], ("2026-11-27T09:10:00.000000Z", *rows[2][1:]), *OLD_ROWS[2:]]
    assert database.imported == 5 and await _all_in_order(sqlite_url) == _expected(repaired)


async def test_an_old_file_with_the_same_records_is_not_imported_twice(sqlite_url: str, tmp_path: Path):
    first = _make_old_audit_db(tmp_path / "one" / "audit.db")
    copy = _make_old_audit_db(tmp_path / "two" / "audit.db")  # e.g. a volume restored from a backup

    (await open_database(sqlite_url, first, install=False)).close()
    database = await open_database(sqlite_url, copy, install=False)
    database.close()

    assert database.imported == 0 and len(await _all_in_order(sqlite_url)) == 4
    assert copy.with_name("audit.db.imported").is_file()


async def test_the_configured_database_imports_the_state_dirs_audit_db(state_dir: Path):
    old = _make_old_audit_db(state_dir / "audit.db")

    database = await open_database()
    try:
        assert database.url == f"sqlite:///{state_dir}/console.db" and database.imported == 4
        assert list(reversed(await database.audit_log.recent())) == _expected()
    finally:
        database.close()
    assert (state_dir / "console.db").is_file() and not old.exists()


async def test_the_old_audit_url_names_the_file_to_import(state_dir: Path, monkeypatch: pytest.MonkeyPatch):
    old = _make_old_audit_db(state_dir.parent / "elsewhere" / "trail.db")
    monkeypatch.setenv("CONSOLE_AUDIT_DB_URL", f"sqlite:///{old}")
    get_settings.cache_clear()

    database = await open_database()
    database.close()

    assert database.imported == 4 and old.with_name("trail.db.imported").is_file()
