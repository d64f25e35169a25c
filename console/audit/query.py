"""Questions to the audit log: filters (actor, action, result, since), a page of records, and their total."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.audit.records import RESULTS, AuditRecord

__all__ = [
    "MAX_LIMIT",
    "SINCE_CHOICES",
    "AuditPage",
    "AuditQuery",
    "InvalidAuditQuery",
    "StoredRecord",
    "since_moment",
]

MAX_LIMIT = 10_000  # the most records one query returns (a page is 50; an export at most this many)

# The "since" choices the audit page offers: (id, label, how far back; None: any time).
SINCE_CHOICES: tuple[tuple[str, str, timedelta | None], ...] = (
    ("any", "Any time", None),
    ("15m", "Last 15 minutes", timedelta(minutes=15)),
    ("1h", "Last hour", timedelta(hours=1)),
    ("24h", "Last 24 hours", timedelta(hours=24)),
    ("7d", "Last 7 days", timedelta(days=7)),
    ("30d", "Last 30 days", timedelta(days=30)),
)
_SINCE: Mapping[str, timedelta | None] = {choice: back for choice, _, back in SINCE_CHOICES}


class InvalidAuditQuery(ValueError):
    """A filter the audit log cannot answer; the message says what is wrong, for people."""


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which records, newest first: every filter given must hold (an empty one does not filter)."""

    actors: tuple[str, ...] | None = None  # only these actors; None: anyone, (): no one
    action: str = ""  # exactly this action ("scale", "keycloak-group-created", …)
    result: str = ""  # ok | denied | error
    since: datetime | None = None  # recorded at or after this moment
    offset: int = 0  # records to skip (page × page size)
    limit: int = 50

    def __post_init__(self) -> None:
        if self.result and self.result not in RESULTS:
            raise InvalidAuditQuery(f"result must be one of {', '.join(RESULTS)}, not {self.result!r}")
        if self.offset < 0:
            raise InvalidAuditQuery(f"offset must be 0 or more, not {self.offset}")
        if not 0 <= self.limit <= MAX_LIMIT:
            raise InvalidAuditQuery(f"limit must be between 0 and {MAX_LIMIT}, not {self.limit}")
        if self.since is not None and self.since.tzinfo is None:
            raise InvalidAuditQuery("since must carry a time zone")

    def matches(self, record: AuditRecord) -> bool:
        """Whether `record` passes the filters (paging aside): what a store's WHERE clause says."""
        return (
            (self.actors is None or record.actor in self.actors)
            and (not self.action or record.action == self.action)
            and (not self.result or record.result == self.result)
            and (self.since is None or record.time >= self.since)
        )


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as the store keeps it: with its id, which only grows (newer records have larger ids)."""

    id: int
    record: AuditRecord


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of an `AuditQuery`'s records (newest first) and how many records match in all."""

    rows: tuple[StoredRecord, ...]
    total: int


def since_moment(choice: str, now: datetime | None = None) -> datetime | None:
    """The moment a "since" choice stands for (`SINCE_CHOICES` ids; "" is any time), or an ISO 8601 time
    (a time without zone is UTC).

    Raises:
        InvalidAuditQuery: neither a known choice nor a time.
    """
    plain = choice.strip()
    if plain in ("", "any"):
        return None
    if plain in _SINCE:
        back = _SINCE[plain]
        return None if back is None else (now or datetime.now(UTC)) - back
    try:
        moment = datetime.fromisoformat(plain.replace("Z", "+00:00"))
    except ValueError:
        known = ", ".join(choice for choice, _, _ in SINCE_CHOICES)
        message = f"since must be one of {known} or a time like 2026-12-01T09:00Z, not {plain!r}"
        raise InvalidAuditQuery(message) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
