"""What the audit log keeps: one record per attempt at a mutating action, and its results."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Literal

__all__ = ["DISTINCT_COLUMNS", "RESULTS", "AuditRecord", "Distinct", "Result", "timestamp"]

Result = Literal["ok", "denied", "error"]
RESULTS: tuple[Result, ...] = ("ok", "denied", "error")
Distinct = Literal["actor", "action"]
DISTINCT_COLUMNS: tuple[Distinct, ...] = ("actor", "action")


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
        fields["time"] = timestamp(self.time)
        return json.dumps({"event": "audit", **fields}, ensure_ascii=False, separators=(",", ":"))


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. `2026-11-27T12:00:00.000000Z`."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
