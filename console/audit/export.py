"""The audit log as CSV (RFC 4180): what the audit page's "CSV" button downloads.

Cells are safe to open in a spreadsheet: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would be read as a formula, so it gets a leading `'` (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from console.audit.records import AuditRecord, timestamp

__all__ = ["CSV_HEADER", "FORMULA_STARTS", "audit_csv", "safe_cell"]

CSV_HEADER = ("time", "actor", "actor_name", "action", "result", "target", "detail")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """`value` as a spreadsheet shows it, never evaluates it."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def audit_csv(records: Iterable[AuditRecord], actor_names: Mapping[str, str] | None = None) -> str:
    """One header line, then one line per record (CRLF line ends; fields with commas, quotes or line breaks
    quoted). `actor_names` gives the person behind an actor ("Amira Al-Balushi <owner@…>") where known."""
    names = actor_names or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for record in records:
        cells = (
            timestamp(record.time),
            record.actor,
            names.get(record.actor, ""),
            record.action,
            record.result,
            record.target,
            record.detail,
        )
        writer.writerow(tuple(safe_cell(cell) for cell in cells))
    return out.getvalue()
