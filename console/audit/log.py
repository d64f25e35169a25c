"""The audit log: every mutating action (who, what, when, result) in a SQLite file and as a JSON log line."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

Result = Literal["ok", "denied", "error"]
RESULTS: tuple[Result, ...] = ("ok", "denied", "error")

logger = logging.getLogger("console.audit")

_SCHEMA = """
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


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One attempt at a mutating action and how it ended."""

    time: datetime  # when it was recorded (UTC)
    actor: str  # the person's Kubernetes user name, e.g. "oidc:<sub>"
    action: str  # e.g. "scale", "restart", "delete", "apply", "reconcile"
    target: str  # e.g. "deployments.apps/acme-dev-billing/billing-api"
    result: Result  # ok | denied (the API server answered 403) | error
    detail: str = ""  # e.g. "replicas=3", or the API server's error message

    def to_json(self) -> str:
        """The structured log line for SIEMs: one JSON object, time in RFC 3339."""
        fields = asdict(self)
        fields["time"] = _timestamp(self.time)
        return json.dumps({"event": "audit", **fields}, ensure_ascii=False, separators=(",", ":"))


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class AuditLog:
    """Append-only audit records in a SQLite file; writes run in a worker thread, never on the event loop."""

    def __init__(self, path: str | Path, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()  # one writer at a time within this process
        self._ready = False

    async def record(self, actor: str, action: str, target: str, result: Result, detail: str = "") -> AuditRecord:
        """Store one record and emit it as a JSON line on the `console.audit` logger.

        Raises:
            ValueError: `result` is not ok, denied or error.
            sqlite3.Error: the file could not be written (an audit failure is never swallowed).
        """
        if result not in RESULTS:
            raise ValueError(f"audit result must be one of {', '.join(RESULTS)}, not {result!r}")
        entry = AuditRecord(self._clock(), actor, action, target, result, detail)
        logger.info(entry.to_json())
        await asyncio.to_thread(self._insert, entry)
        return entry

    async def recent(self, limit: int = 100, actor: str | None = None) -> list[AuditRecord]:
        """The newest records first, optionally only one actor's."""
        return await asyncio.to_thread(self._select, limit, actor)

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self._path, timeout=10)
        if not self._ready:
            connection.executescript(_SCHEMA)
            self._ready = True
        return connection

    def _insert(self, entry: AuditRecord) -> None:
        with self._lock:
            connection = self._connect()
            try:
                with connection:
                    connection.execute(
                        "INSERT INTO audit_log (time, actor, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?)",
                        (_timestamp(entry.time), entry.actor, entry.action, entry.target, entry.result, entry.detail),
                    )
            finally:
                connection.close()

    def _select(self, limit: int, actor: str | None) -> list[AuditRecord]:
        with self._lock:
            connection = self._connect()
            try:
                query = "SELECT time, actor, action, target, result, detail FROM audit_log"
                parameters: tuple[object, ...] = ()
                if actor is not None:
                    query += " WHERE actor = ?"
                    parameters = (actor,)
                rows = connection.execute(query + " ORDER BY id DESC LIMIT ?", (*parameters, max(0, limit))).fetchall()
            finally:
                connection.close()
        return [
            AuditRecord(datetime.fromisoformat(time.replace("Z", "+00:00")), who, action, target, result, detail)
            for time, who, action, target, result, detail in rows
        ]
