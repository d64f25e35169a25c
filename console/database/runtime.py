"""The process's console database, opened by the app's lifespan before it serves.

`open_database` brings the schema up to date, imports the old audit.db once, and installs the audit log on
the database (`console.audit.audit_log()`); `history_store()` is the score history's store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy

from console.audit import runtime as audit_runtime
from console.audit.log import AuditLog
from console.database.audit_store import DatabaseAuditStore
from console.database.engine import configured_url, dispose_engine, engine_for, safe_url
from console.database.history_store import SqlHistoryStore
from console.database.legacy_audit import import_legacy_audit
from console.database.migrations import exclusive, upgrade
from console.settings import get_settings

__all__ = [
    "ConsoleDatabase",
    "DatabaseUnavailable",
    "current",
    "database_lifespan",
    "history_store",
    "open_database",
    "prepare",
]

logger = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The console database is used before the app's lifespan opened it (or after shutdown)."""


@dataclass(frozen=True, slots=True)
class ConsoleDatabase:
    """One open console database."""

    url: str
    engine: sqlalchemy.Engine
    audit_log: AuditLog  # on the database's audit_log table
    history_store: SqlHistoryStore
    imported: int  # audit records copied from the old audit.db by this start

    def close(self) -> None:
        """Uninstall the audit log (if it is the process's) and close the pooled connections."""
        global _current
        audit_runtime.uninstall(self.audit_log)
        if _current is self:
            _current = None
        dispose_engine(self.url)


_current: ConsoleDatabase | None = None


def prepare(engine: sqlalchemy.Engine, legacy_audit: Path | None) -> int:
    """Start-up work, one replica at a time: upgrade the schema, then import the old audit file once.

    Returns how many audit records were imported.
    """
    with exclusive(engine):
        upgrade(engine)
        return import_legacy_audit(engine, legacy_audit) if legacy_audit is not None else 0


async def open_database(
    url: str | None = None, legacy_audit: str | Path | None = None, *, install: bool = True
) -> ConsoleDatabase:
    """Open the console database: migrate, import the old audit.db, install the audit log.

    Args:
        url: the database; default `CONSOLE_DATABASE_URL` (with it, the old audit file of the settings is
            imported too: `legacy_audit_db`).
        legacy_audit: the old audit file to import (only with an explicit `url`).
        install: make it the process's database and its audit log the process's (`audit_log()`).

    Raises:
        Exception: the database could not be reached or migrated (the console must not serve without its
            audit log).
    """
    global _current
    if install and _current is not None:
        raise RuntimeError("the console database is already open in this process")
    if url is None:
        url, legacy_audit = configured_url(), get_settings().legacy_audit_db
    engine = engine_for(url)
    legacy = Path(legacy_audit) if legacy_audit is not None else None
    try:
        imported = await asyncio.to_thread(prepare, engine, legacy)
    except Exception as error:
        dispose_engine(url)
        raise RuntimeError(f"cannot open the console database {safe_url(url)}: {error}") from error
    database = ConsoleDatabase(url, engine, AuditLog(DatabaseAuditStore(engine)), SqlHistoryStore(engine), imported)
    if install:
        audit_runtime.install(database.audit_log)
        _current = database
    logger.info("console database %s is up to date (%d legacy audit records imported)", safe_url(url), imported)
    return database


def current() -> ConsoleDatabase:
    """The process's open database.

    Raises:
        DatabaseUnavailable: the lifespan has not opened it.
    """
    if _current is None:
        raise DatabaseUnavailable("the console database is not open: the app's lifespan opens it before serving")
    return _current


def history_store() -> SqlHistoryStore:
    """The score history's store on the process's database."""
    return current().history_store


@contextlib.asynccontextmanager
async def database_lifespan() -> AsyncIterator[None]:
    """Open the console database for the life of the backend process (registered before the cluster's)."""
    database = await open_database()
    try:
        yield
    finally:
        database.close()
