"""The audit log's old SQLite file (`audit.db`, before the console database): imported once, then renamed.

Crash-safe and idempotent: the records and a marker holding the file's fingerprint are committed in one
transaction, and the file is renamed `<name>.imported` only after that. A start interrupted before the
commit imports again from scratch; one interrupted after it finds the marker and only renames the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy

from console.database.engine import sqlite_file
from console.database.models import AuditEntry, LegacyAuditImport, table_of

__all__ = ["import_legacy_audit"]

logger = logging.getLogger(__name__)

_BATCH = 1000
_ENTRIES = table_of(AuditEntry)
_IMPORTS = table_of(LegacyAuditImport)
_OLD_COLUMNS = "time, actor, action, target, result, detail"
LegacyRow = tuple[str, str, str, str, str, str]


def import_legacy_audit(engine: sqlalchemy.Engine, path: Path) -> int:
    """Copy every record of the old audit file at `path` into `audit_log`, in order, once; then rename the file.

    Run it inside `migrations.exclusive(engine)` after `migrations.upgrade`. Returns how many records were
    copied (0 when there is no file, or when it was copied before and only its renaming was left to do).
    """
    if not path.is_file():
        return 0
    database_file = sqlite_file(str(engine.url))
    if database_file is not None and database_file.resolve() == path.resolve():
        return 0  # the console database itself lives at the old name: nothing to import
    old = sqlite3.connect(f"file:{path}?mode=rw", uri=True)  # read-write: SQLite may have a journal to recover
    try:
        old.execute("BEGIN")  # one snapshot for the fingerprint and the copy
        has_table = old.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").fetchone()
        fingerprint, count = _fingerprint(old) if has_table else (hashlib.sha256().hexdigest(), 0)
        copied = _copy(engine, old, path, fingerprint, count) if has_table else 0
    finally:
        old.close()
    imported = _rename(path)
    logger.info("imported %d audit records from %s (now %s)", copied, path, imported)
    return copied


def _rows(old: sqlite3.Connection) -> Iterator[LegacyRow]:
    cursor = old.execute(f"SELECT {_OLD_COLUMNS} FROM audit_log ORDER BY id")
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _fingerprint(old: sqlite3.Connection) -> tuple[str, int]:
    digest, count = hashlib.sha256(), 0
    for row in _rows(old):
        digest.update(json.dumps(row, ensure_ascii=False).encode() + b"\n")
        count += 1
    return digest.hexdigest(), count


def _copy(engine: sqlalchemy.Engine, old: sqlite3.Connection, path: Path, fingerprint: str, count: int) -> int:
    with engine.begin() as connection:
        done = connection.execute(sqlalchemy.select(_IMPORTS.c.id).where(_IMPORTS.c.fingerprint == fingerprint)).first()
        if done is not None:
            return 0
        batch: list[dict[str, object]] = []
        for row in _rows(old):
            batch.append(_entry(row))
            if len(batch) == _BATCH:
                connection.execute(_ENTRIES.insert(), batch)
                batch = []
        if batch:
            connection.execute(_ENTRIES.insert(), batch)
        connection.execute(
            _IMPORTS.insert(),
            {"fingerprint": fingerprint, "source": str(path), "records": count, "imported_at": datetime.now(UTC)},
        )
    return count


def _entry(row: LegacyRow) -> dict[str, object]:
    time, actor, action, target, result, detail = row
    return {
        "time": datetime.fromisoformat(time.replace("Z", "+00:00")).astimezone(UTC),
        "actor": actor,
        "action": action,
        "target": target,
        "result": result,
        "detail": detail,
    }


def _rename(path: Path) -> Path:
    """`audit.db` → `audit.db.imported` (`.imported.1`, … when taken), with SQLite's side files."""
    target = path.with_name(f"{path.name}.imported")
    number = 0
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.imported.{number}")
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
