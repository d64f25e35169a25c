"""The console database's schema, brought up to date at start by the Alembic revisions of `alembic/`.

Reflex's Alembic integration owns the files: `alembic.ini` and `alembic/` beside rxconfig.py, revisions written
by `reflex db makemigrations` from the models. At start the console applies them itself (`upgrade`) inside
`exclusive`, so replicas starting together upgrade one after the other.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import alembic.command
import alembic.config
import alembic.script
import sqlalchemy
from alembic.runtime.migration import MigrationContext

from console.database.engine import sqlite_file

__all__ = [
    "MigrationsMissing",
    "alembic_config",
    "alembic_ini",
    "current_revision",
    "exclusive",
    "head_revision",
    "upgrade",
]

# The PostgreSQL advisory lock every replica takes around its start-up work (any constant bigint will do).
_ADVISORY_LOCK_KEY = 0x50C0_DB5C_4E3A


class MigrationsMissing(RuntimeError):
    """alembic.ini (and the alembic/ revisions) cannot be found, so the schema cannot be brought up to date."""


def alembic_ini() -> Path:
    """alembic.ini: `$ALEMBIC_CONFIG` (Reflex's variable), else the app folder's (`CONSOLE_APP_DIR`, the checkout,
    the current folder).

    Raises:
        MigrationsMissing: none of them exists.
    """
    candidates = [
        os.environ.get("ALEMBIC_CONFIG", "").strip(),
        os.path.join(os.environ.get("CONSOLE_APP_DIR", "").strip() or "-", "alembic.ini"),
        str(Path(__file__).resolve().parents[2] / "alembic.ini"),
        "alembic.ini",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    raise MigrationsMissing(
        "alembic.ini not found (looked at $ALEMBIC_CONFIG, $CONSOLE_APP_DIR, the checkout and the current folder): "
        "the console's alembic.ini and alembic/ must sit beside rxconfig.py"
    )


def alembic_config(connection: sqlalchemy.Connection | None = None) -> alembic.config.Config:
    """The Alembic configuration; with `connection`, alembic/env.py migrates through it."""
    config = alembic.config.Config(str(alembic_ini()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of alembic/versions/."""
    head = alembic.script.ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationsMissing("alembic/versions/ holds no revision")
    return head


def current_revision(engine: sqlalchemy.Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sqlalchemy.Engine) -> None:
    """Apply every revision the database lacks, in one transaction (PostgreSQL's DDL is transactional).

    Call it inside `exclusive(engine)` when other processes may start at the same time.
    """
    with engine.begin() as connection:
        alembic.command.upgrade(alembic_config(connection), "head")


@contextlib.contextmanager
def exclusive(engine: sqlalchemy.Engine) -> Iterator[None]:
    """One process at a time on this database, for start-up work (migrations, the legacy audit import).

    PostgreSQL: a session advisory lock, released with its connection if the process dies. A SQLite file: a
    lock file beside it (`<file>.lock`; the workers of one host). Not reentrant.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
                connection.commit()
        return
    file = sqlite_file(str(engine.url)) if engine.dialect.name == "sqlite" else None
    if file is None:
        yield
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{file}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
