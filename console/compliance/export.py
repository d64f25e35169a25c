"""Violations as CSV (RFC 4180), the dashboards' export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from console.compliance.views import Violation

__all__ = ["CSV_HEADER", "violations_csv"]

CSV_HEADER = (
    "resource",
    "kind",
    "namespace",
    "name",
    "policy",
    "rule",
    "severity",
    "weight",
    "application",
    "environment",
    "organization",
    "message",
)


def violations_csv(violations: Iterable[Violation]) -> str:
    """One header line, then one line per violation (CRLF line ends, fields quoted when needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for violation in violations:
        ref, who = violation.resource, violation.attribution
        writer.writerow(
            (
                ref.key,
                ref.kind,
                ref.namespace,
                ref.name,
                violation.policy,
                violation.rule,
                violation.severity,
                violation.weight,
                who.application,
                who.environment,
                who.organization,
                violation.message,
            )
        )
    return out.getvalue()
