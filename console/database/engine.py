"""The console database's engine: Reflex's `get_engine` on the configured URL (`CONSOLE_DATABASE_URL`).

rxconfig.py sets Reflex's `db_url` from the same setting, so `reflex db …` and the console use one database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import reflex.model as reflex_model
import sqlalchemy
from sqlalchemy import event

from console.settings import get_settings

__all__ = ["configured_url", "dispose_engine", "engine_for", "safe_url", "sqlite_file"]

_SQLITE_BUSY_TIMEOUT_MS = 10_000


def configured_url() -> str:
    """`CONSOLE_DATABASE_URL`, default `sqlite:///<CONSOLE_STATE_DIR>/console.db`."""
    return get_settings().database_url


def safe_url(url: str) -> str:
    """The URL without its user and password, for messages and logs."""
    return re.sub(r"://[^@/]+@", "://…@", url)


def sqlite_file(url: str) -> Path | None:
    """The file of a `sqlite:///<path>` URL (`sqlite:////abs/path` for an absolute one); None for other URLs."""
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").partition("?")[0]
    return Path(path) if path and path != ":memory:" else None


def engine_for(url: str | None = None) -> sqlalchemy.Engine:
    """The process's engine for `url` (default: the configured one): one per URL, pooled (Reflex's `get_engine`).

    A SQLite file gets its folder created and every connection a busy timeout and write-ahead logging, so
    the workers of one host and the threads of one process write it one after the other instead of failing.
    """
    url = url or configured_url()
    file = sqlite_file(url)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
    engine = reflex_model.get_engine(url)
    if file is not None and not event.contains(engine, "connect", _configure_sqlite):
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def dispose_engine(url: str) -> None:
    """Close the pooled connections of `url`'s engine and forget it (shutdown, tests)."""
    engine = reflex_model._ENGINE.pop(url, None)  # Reflex keeps one engine per URL in this dict
    if engine is not None:
        engine.dispose()


def _configure_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()
