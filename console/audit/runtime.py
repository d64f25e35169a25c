"""The process-wide audit log: one `AuditLog` (one writer lock on one file) for every part of the console.

Actions, YAML edits, Secret reveals and shell sessions all record through `audit_log()`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from console.audit.log import AuditLog
from console.settings import get_settings

__all__ = ["audit_log", "sqlite_path"]


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///<path>` URL (`sqlite:////abs/path` for an absolute one, as SQLAlchemy reads it).

    Raises:
        ValueError: not a sqlite URL with a path.
    """
    path = url.removeprefix("sqlite:///")
    if path == url or not path:
        raise ValueError(f"the audit log needs a sqlite:///<path> URL, got {url!r}")
    return Path(path)


@lru_cache(maxsize=1)
def audit_log() -> AuditLog:
    """The audit log of this process, at `CONSOLE_AUDIT_DB_URL` (default `<CONSOLE_STATE_DIR>/audit.db`).

    One SQLite file per replica splits the trail: replicas need one shared database (PostgreSQL), which
    is not supported yet.
    """
    return AuditLog(sqlite_path(get_settings().audit_db_url))
