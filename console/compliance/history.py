"""Score history: a sample per scope every 5 minutes and on change, the recorded outcome changes, trends,
and "why did the score move?" explained from what was recorded, never guessed.

Pure: the storage is a `HistoryStore` (the console database implements it); no Reflex, no SQL here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from console.compliance.model import OutcomeChange, Tally

__all__ = [
    "RETENTION_SECONDS",
    "SAMPLE_INTERVAL_SECONDS",
    "ChangeFilter",
    "Explanation",
    "HistoryRecorder",
    "HistoryStore",
    "Reason",
    "Sample",
    "TrendPoint",
]

SAMPLE_INTERVAL_SECONDS = 300.0  # a sample per scope at least this often
RETENTION_SECONDS = 30 * 86400.0  # samples and changes older than this are pruned
_REASONS_IN_TEXT = 3
_MINUS = "\u2212"


@dataclass(frozen=True, slots=True)
class Sample:
    """A scope's tally at one moment."""

    scope_kind: str  # one of SCOPE_KINDS
    scope_id: str  # "" for the sovereign; "<environment>/<application>" for an application
    at: float  # seconds since the epoch
    tally: Tally


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which recorded outcome changes belong to a scope (None: any)."""

    organization: str | None = None
    environment: str | None = None
    application: str | None = None
    namespace: str | None = None
    namespaces: frozenset[str] | None = None  # only changes in these namespaces (what a viewer may see)


class HistoryStore(Protocol):
    """Where samples and outcome changes are kept (`console.database.history_store` on SQL)."""

    async def add_samples(self, samples: Sequence[Sample]) -> None:
        """Keep these samples."""
        ...

    async def add_changes(self, changes: Sequence[OutcomeChange]) -> None:
        """Keep these outcome changes."""
        ...

    async def recent_samples(self, since: float) -> list[Sample]:
        """Every sample at or after `since`, oldest first."""
        ...

    async def samples(self, scope_kind: str, scope_ids: Collection[str], since: float, until: float) -> list[Sample]:
        """The samples of these scopes in [since, until], oldest first."""
        ...

    async def samples_at(self, scope_kind: str, scope_ids: Collection[str], at: float) -> list[Sample]:
        """For each of these scopes that has one, its latest sample at or before `at`."""
        ...

    async def changes(self, after: float, until: float, where: ChangeFilter) -> list[OutcomeChange]:
        """The outcome changes in (after, until] that match `where`, in the order they were recorded."""
        ...

    async def prune(self, before: float) -> int:
        """Remove the samples and changes older than `before`; how many rows went."""
        ...


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One point of a score trend."""

    at: float  # seconds since the epoch
    total: int | None  # the score (None: nothing counted, shown as "—")
    num: int
    den: int


@dataclass(frozen=True, slots=True)
class Reason:
    """One resource's verdict on one policy that moved between two points (net: first before, last after)."""

    policy: str
    resource: str  # ResourceRef.key: lower(kind)/namespace/name
    namespace: str
    before: str  # pass | fail | warn, or "" (did not count)
    after: str
    weight: int
    points: float  # the score at the second point minus what it would be without this change alone


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a score moved between two points of its trend."""

    before: int | None  # the score at the first point
    after: int | None  # the score at the second point
    delta: int | None  # after - before (None when either has no score)
    reasons: list[Reason] = field(default_factory=list)  # biggest effect first
    text: str = ""  # e.g. "−4 since yesterday: image-tag-pinned now fails on acme-prod/billing-api (weight 5)"


class HistoryRecorder:
    """Records samples and outcome changes into a `HistoryStore`, and reads trends and explanations back.

    Several replicas may record into one store: before writing, a sample is checked against the samples
    already stored (by any replica), so the same tally is not written twice in a row.
    """

    def __init__(
        self,
        store: HistoryStore,
        *,
        interval: float = SAMPLE_INTERVAL_SECONDS,
        retention: float = RETENTION_SECONDS,
    ) -> None:
        self._store = store
        self._interval = interval
        self._retention = retention

    async def record_changes(self, changes: Sequence[OutcomeChange]) -> None:
        """Keep outcome changes (the ingestion's, as they happen)."""
        if changes:
            await self._store.add_changes(list(changes))

    async def sample(self, tallies: Mapping[tuple[str, str], Tally], at: float, force: bool = False) -> list[Sample]:
        """Write a sample for each scope that is due at `at`; returns what was written.

        Args:
            tallies: every scope's tally now, keyed by (scope kind, scope id); a scope stored before but missing
                here has lost its tally and gets one empty sample.
            at: now, in seconds since the epoch.
            force: the caller's 5-minute timer: every scope is sampled, unless a sample of the same tally was
                written less than half an interval ago (another replica's tick). Without it (on a change): the
                scopes whose tally changed since their last sample, or whose last sample is an interval old.
        """
        last: dict[tuple[str, str], Sample] = {}
        for stored in await self._store.recent_samples(at - 2 * self._interval):
            key = (stored.scope_kind, stored.scope_id)
            if key not in last or stored.at >= last[key].at:
                last[key] = stored
        gone = {key for key, stored in last.items() if key not in tallies and stored.tally != Tally()}
        due: list[Sample] = []
        for key in sorted(set(tallies) | gone):
            tally = tallies.get(key, Tally())
            previous = last.get(key)
            age = None if previous is None else at - previous.at
            if (
                previous is None
                or previous.tally != tally
                or (age is not None and age >= self._interval)
                or (force and age is not None and age >= self._interval / 2)
            ):
                due.append(Sample(key[0], key[1], at, tally))
        if due:
            await self._store.add_samples(due)
        return due

    async def prune(self, now: float) -> int:
        """Remove what is older than the retention (30 days by default); how many rows went."""
        return await self._store.prune(now - self._retention)

    async def trend(self, scope_kind: str, scope_id: str, since: float, until: float) -> list[TrendPoint]:
        """The scope's samples in [since, until] as trend points, oldest first."""
        samples = await self._store.samples(scope_kind, [scope_id], since, until)
        return [_point(sample.at, sample.tally) for sample in samples]

    async def namespaces_trend(self, namespaces: frozenset[str], since: float, until: float) -> list[TrendPoint]:
        """The pooled score of these namespaces (a viewer's) at each of their sample times in [since, until].

        At each time, every namespace counts with its latest sample so far (the ones before `since` included).
        """
        if not namespaces:
            return []
        current = {
            sample.scope_id: sample.tally for sample in await self._store.samples_at("namespace", namespaces, since)
        }
        points: list[TrendPoint] = []
        samples = await self._store.samples("namespace", namespaces, since, until)
        for index, sample in enumerate(samples):
            current[sample.scope_id] = sample.tally
            if index + 1 == len(samples) or samples[index + 1].at != sample.at:
                points.append(_point(sample.at, sum(current.values(), Tally())))
        return points

    async def explain(
        self,
        scope_kind: str,
        scope_id: str,
        t1: float,
        t2: float,
        namespaces: frozenset[str] | None = None,
        *,
        tz: tzinfo = UTC,
    ) -> Explanation:
        """Why the scope's score moved from `t1` to `t2`, from the recorded outcome changes in (t1, t2] alone.

        Args:
            scope_kind: one of SCOPE_KINDS.
            scope_id: "" for the sovereign, "<environment>/<application>" for an application, else the name.
            t1: the first point (seconds since the epoch).
            t2: the second point.
            namespaces: a viewer who may see only these namespaces: only their changes count, and the numbers
                are their pooled samples (the sovereign scope) or the namespace's own (a namespace scope).
            tz: the zone "since yesterday" / "since 14:05" is worded in.

        Raises:
            ValueError: `namespaces` with an organization, environment or application scope (only namespace
                samples are recorded per namespace, so those scores are not known for part of a scope).
        """
        where = _change_filter(scope_kind, scope_id, namespaces)
        first = await self._tally_at(scope_kind, scope_id, t1, namespaces)
        if first is None:  # history starts after t1 (a new console): explain from its first sample instead
            start = await self._first_sample_after(scope_kind, scope_id, t1, t2, namespaces)
            if start is not None:
                t1 = start
                first = await self._tally_at(scope_kind, scope_id, t1, namespaces)
        second = await self._tally_at(scope_kind, scope_id, t2, namespaces)
        changes = await self._store.changes(t1, t2, where) if t2 > t1 else []
        reasons = _reasons(changes, second)
        before = None if first is None else first.total
        after = None if second is None else second.total
        delta = None if before is None or after is None else after - before
        return Explanation(before, after, delta, reasons, _text(before, after, reasons, t1, t2, tz))

    async def _first_sample_after(
        self, scope_kind: str, scope_id: str, t1: float, t2: float, namespaces: frozenset[str] | None
    ) -> float | None:
        if namespaces is None:
            samples = await self._store.samples(scope_kind, [scope_id], t1, t2)
        else:
            ids = namespaces if scope_kind == "sovereign" else frozenset({scope_id}) & namespaces
            samples = await self._store.samples("namespace", ids, t1, t2) if ids else []
        return min((sample.at for sample in samples), default=None)

    async def _tally_at(
        self, scope_kind: str, scope_id: str, at: float, namespaces: frozenset[str] | None
    ) -> Tally | None:
        if namespaces is None:
            samples = await self._store.samples_at(scope_kind, [scope_id], at)
        elif scope_kind == "sovereign":
            samples = await self._store.samples_at("namespace", namespaces, at) if namespaces else []
        else:  # a namespace scope (other kinds were refused by _change_filter)
            samples = await self._store.samples_at("namespace", [scope_id], at) if scope_id in namespaces else []
        if not samples:
            return None
        return sum((sample.tally for sample in samples), Tally())


def _point(at: float, tally: Tally) -> TrendPoint:
    return TrendPoint(at, tally.total, tally.num, tally.den)


def _change_filter(scope_kind: str, scope_id: str, namespaces: frozenset[str] | None) -> ChangeFilter:
    if namespaces is not None and scope_kind not in ("sovereign", "namespace"):
        raise ValueError(f"a {scope_kind} score is not recorded for part of its namespaces; explain the sovereign")
    if scope_kind == "sovereign":
        return ChangeFilter(namespaces=namespaces)
    if scope_kind == "organization":
        return ChangeFilter(organization=scope_id)
    if scope_kind == "environment":
        return ChangeFilter(environment=scope_id)
    if scope_kind == "application":
        environment, _, application = scope_id.partition("/")
        return ChangeFilter(environment=environment, application=application)
    if scope_kind == "namespace":
        return ChangeFilter(namespace=scope_id, namespaces=namespaces)
    raise ValueError(f"unknown scope kind {scope_kind!r}")


def _counted(result: str, weight: int) -> tuple[int, int]:
    """(num, den) one verdict adds to a tally."""
    if result == "pass":
        return weight, weight
    if result in ("fail", "warn"):
        return 0, weight
    return 0, 0


def _reasons(changes: Sequence[OutcomeChange], second: Tally | None) -> list[Reason]:
    net: dict[tuple[str, str], tuple[OutcomeChange, OutcomeChange]] = {}
    for change in changes:
        key = (change.resource, change.policy)
        net[key] = (net[key][0] if key in net else change, change)
    reasons = []
    for first, last in net.values():
        if first.before == last.after:
            continue
        reasons.append(
            Reason(
                policy=last.policy,
                resource=last.resource,
                namespace=last.namespace,
                before=first.before,
                after=last.after,
                weight=last.weight,
                points=_points(second, first.before, last.after, last.weight),
            )
        )
    return sorted(reasons, key=lambda reason: (-abs(reason.points), -reason.weight, reason.policy, reason.resource))


def _points(second: Tally | None, before: str, after: str, weight: int) -> float:
    """The score at the second point minus the score it would have without this one change (0 when undefined)."""
    if second is None or second.den <= 0:
        return 0.0
    num_after, den_after = _counted(after, weight)
    num_before, den_before = _counted(before, weight)
    num, den = second.num - num_after + num_before, second.den - den_after + den_before
    if den <= 0:
        return 0.0
    return 100 * second.num / second.den - 100 * num / den


def _text(before: int | None, after: int | None, reasons: Sequence[Reason], t1: float, t2: float, tz: tzinfo) -> str:
    if not reasons and before == after:
        return "No change between these points."
    when = _since(t1, t2, tz)
    if before is not None and after is not None:
        moved = after - before
        lead = f"Unchanged since {when}" if moved == 0 else f"{_signed(moved)} since {when}"
    elif after is not None:
        lead = f"{after}% since {when}, with no score before"
    elif before is not None:
        lead = f"No score since {when} (was {before}%)"
    else:
        lead = f"No score since {when}"
    if not reasons:
        return (
            f"{lead}, but no policy outcome change is recorded in this scope: the policy weights changed, "
            "or the change is older than the recorded history."
        )
    phrases = [_phrase(reason) for reason in reasons[:_REASONS_IN_TEXT]]
    if len(reasons) > _REASONS_IN_TEXT:
        phrases.append(f"and {len(reasons) - _REASONS_IN_TEXT} more")
    return f"{lead}: {'; '.join(phrases)}"


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else f"{_MINUS}{-number}"


def _since(t1: float, t2: float, tz: tzinfo) -> str:
    first, second = datetime.fromtimestamp(t1, tz), datetime.fromtimestamp(t2, tz)
    days = (second.date() - first.date()).days
    if days <= 0:
        return first.strftime("%H:%M")
    if days == 1:
        return "yesterday"
    if first.year == second.year:
        return f"{first.day} {first:%b}"
    return f"{first.day} {first:%b %Y}"


def _phrase(reason: Reason) -> str:
    verbs = {"pass": "now passes", "fail": "now fails", "warn": "now warns", "": "no longer counts"}
    verb = verbs.get(reason.after, f"is now {reason.after}")
    return f"{reason.policy} {verb} on {_where(reason.resource)} (weight {reason.weight})"


def _where(resource: str) -> str:
    """`deployment/acme-prod/billing-api` → `acme-prod/billing-api` (a cluster-scoped one: its name)."""
    parts = resource.split("/", 2)
    if len(parts) != 3:
        return resource
    _, namespace, name = parts
    return f"{namespace}/{name}" if namespace else name
