"""The backend's logging: JSON lines (`CONSOLE_LOG_FORMAT=json`) or text, audit records on their own stream.

Application logs (the `console` loggers at INFO, everything else at WARNING) go to stderr; the audit log
(`console.audit`, already one JSON object per record) goes alone to stdout, never mixed with them. Every
application line is redacted last (`redaction.redact`): no session id or token reaches the logs, even from a
library that logs request headers.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from console.observability.redaction import redact

__all__ = ["AUDIT_LOGGER", "JsonFormatter", "configure_logging"]

AUDIT_LOGGER = "console.audit"
_MARK = "_console_handler"  # on our handlers, so configuring again replaces them instead of adding more
# Loggers that log URLs at INFO (the Keycloak Admin client's, the API client's): kept at WARNING.
_QUIET = ("httpx", "httpcore", "httpx2", "aiohttp", "kubernetes", "authlib")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields, the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        http = getattr(record, "http", None)
        if isinstance(http, dict):
            entry.update(http)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, separators=(",", ":"), default=str))


class _TextFormatter(logging.Formatter):
    """`time level logger: message`, redacted like the JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _AuditFormatter(logging.Formatter):
    """The audit record as it was logged (already a JSON object)."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


def _handler(stream: TextIO, formatter: logging.Formatter) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    setattr(handler, _MARK, True)
    return handler


def _replace_handlers(logger: logging.Logger, handler: logging.Handler) -> None:
    for old in [h for h in logger.handlers if getattr(h, _MARK, False)]:
        logger.removeHandler(old)
    logger.addHandler(handler)


def configure_logging(log_format: str, *, stream: TextIO | None = None, audit_stream: TextIO | None = None) -> None:
    """Set up the process's logging (idempotent). `log_format`: "json" or "text"."""
    formatter: logging.Formatter
    if log_format == "json":
        formatter = JsonFormatter()
    else:
        formatter = _TextFormatter()
    root = logging.getLogger()
    _replace_handlers(root, _handler(stream or sys.stderr, formatter))
    root.setLevel(logging.WARNING)
    logging.getLogger("console").setLevel(logging.INFO)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    audit = logging.getLogger(AUDIT_LOGGER)
    _replace_handlers(audit, _handler(audit_stream or sys.stdout, _AuditFormatter()))
    audit.setLevel(logging.INFO)
    audit.propagate = False
