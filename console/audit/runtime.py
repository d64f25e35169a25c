"""The process-wide audit log: one `AuditLog` for every part of the console, installed once at start.

Actions, YAML edits, Secret reveals and shell sessions all record through `audit_log()`. The app's lifespan
opens the console database and installs the log on it (`console.database.runtime`) before serving.
"""

from __future__ import annotations

from console.audit.log import AuditLog

__all__ = ["AuditLogUnavailable", "audit_log", "install", "uninstall"]

_installed: AuditLog | None = None


class AuditLogUnavailable(RuntimeError):
    """The audit log is used before the app's lifespan installed it (or after shutdown)."""


def install(log: AuditLog) -> None:
    """Make `log` the process's audit log.

    Raises:
        RuntimeError: another log is already installed (one process, one audit log).
    """
    global _installed
    if _installed is not None and _installed is not log:
        raise RuntimeError("an audit log is already installed in this process")
    _installed = log


def uninstall(log: AuditLog) -> None:
    """Remove `log` (at shutdown); does nothing if another log is installed."""
    global _installed
    if _installed is log:
        _installed = None


def audit_log() -> AuditLog:
    """The audit log of this process.

    Raises:
        AuditLogUnavailable: nothing installed it yet: the console database opens in the app's lifespan.
    """
    if _installed is None:
        raise AuditLogUnavailable(
            "the audit log is not open: the app's lifespan opens the console database before serving "
            "(console.database.runtime.open_database)"
        )
    return _installed
