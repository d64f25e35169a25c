"""Questions to the audit log: filters (actor, action, result, since) that narrow, pages with a total, the
different actors and actions, and clear refusals of filters it cannot answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.audit import AuditLog, AuditQuery, InvalidAuditQuery
from console.audit.query import since_moment
from console.database.audit_store import DatabaseAuditStore
from console.database.runtime import ConsoleDatabase, open_database

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# (minutes after START, actor, action, result, target)
SEEDED = [
    (0, "oidc:alice", "scale", "ok", "deployments.apps/shop/web"),
    (1, "oidc:bob", "scale", "denied", "deployments.apps/shop/web"),
    (2, "oidc:alice", "restart", "error", "deployments.apps/shop/api"),
    (3, "oidc:carol", "keycloak-group-created", "ok", "group:/acme/ops"),
    (4, "oidc:bob", "keycloak-group-created", "denied", "group:/acme/ops"),
    (5, "oidc:alice", "delete", "ok", "pods/shop/web-1"),
]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[ConsoleDatabase]:
    opened = await open_database(f"sqlite:///{tmp_path}/state/console.db", install=False)
    yield opened
    opened.close()


@pytest.fixture
def moments() -> Iterator[list[datetime]]:
    yield [START + timedelta(minutes=minute) for minute, *_ in SEEDED]


@pytest.fixture
async def audit(database: ConsoleDatabase, moments: list[datetime]) -> AuditLog:
    clock = iter(moments)
    log = AuditLog(DatabaseAuditStore(database.engine), clock=lambda: next(clock))
    for _, actor, action, result, target in SEEDED:
        await log.record(actor, action, target, result)
    return log


def _summary(page) -> list[tuple[str, str, str]]:
    return [(row.record.actor, row.record.action, row.record.result) for row in page.rows]


async def test_no_filter_is_every_record_newest_first_with_growing_ids(audit: AuditLog):
    page = await audit.query(AuditQuery())

    assert page.total == len(SEEDED)
    assert [row.record.action for row in page.rows] == [action for _, _, action, _, _ in reversed(SEEDED)]
    ids = [row.id for row in page.rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert page.rows[0].record.time == START + timedelta(minutes=5)
    assert await audit.newest_id() == ids[0]


async def test_each_filter_narrows_and_filters_combine(audit: AuditLog):
    by_actor = await audit.query(AuditQuery(actors=("oidc:bob",)))
    assert _summary(by_actor) == [
        ("oidc:bob", "keycloak-group-created", "denied"),
        ("oidc:bob", "scale", "denied"),
    ]
    assert by_actor.total == 2

    by_actors = await audit.query(AuditQuery(actors=("oidc:bob", "oidc:carol")))
    assert by_actors.total == 3

    by_action = await audit.query(AuditQuery(action="scale"))
    assert _summary(by_action) == [("oidc:bob", "scale", "denied"), ("oidc:alice", "scale", "ok")]

    by_result = await audit.query(AuditQuery(result="denied"))
    assert {row.record.actor for row in by_result.rows} == {"oidc:bob"} and by_result.total == 2

    since = await audit.query(AuditQuery(since=START + timedelta(minutes=3)))
    assert [row.record.action for row in since.rows] == ["delete", "keycloak-group-created", "keycloak-group-created"]

    combined = await audit.query(AuditQuery(actors=("oidc:alice",), result="ok", since=START + timedelta(minutes=1)))
    assert _summary(combined) == [("oidc:alice", "delete", "ok")]

    assert (await audit.query(AuditQuery(action="no-such-action"))).total == 0
    nobody = await audit.query(AuditQuery(actors=()))
    assert nobody.rows == () and nobody.total == 0


async def test_pages_skip_and_limit_but_the_total_counts_every_match(audit: AuditLog):
    first = await audit.query(AuditQuery(limit=4))
    second = await audit.query(AuditQuery(offset=4, limit=4))
    past_the_end = await audit.query(AuditQuery(offset=40, limit=4))

    assert (len(first.rows), len(second.rows), len(past_the_end.rows)) == (4, 2, 0)
    assert first.total == second.total == past_the_end.total == len(SEEDED)
    assert {row.id for row in first.rows}.isdisjoint(row.id for row in second.rows)


async def test_the_different_actors_and_actions_are_offered_sorted(audit: AuditLog):
    assert await audit.distinct("actor") == ["oidc:alice", "oidc:bob", "oidc:carol"]
    assert await audit.distinct("action") == ["delete", "keycloak-group-created", "restart", "scale"]
    assert await audit.distinct("action", limit=2) == ["delete", "keycloak-group-created"]
    with pytest.raises(ValueError, match="actor, action"):
        await audit.distinct("detail")  # type: ignore[arg-type]


async def test_a_filter_it_cannot_answer_is_refused_with_a_clear_message():
    with pytest.raises(InvalidAuditQuery, match="result must be one of ok, denied, error, not 'maybe'"):
        AuditQuery(result="maybe")
    with pytest.raises(InvalidAuditQuery, match="offset must be 0 or more"):
        AuditQuery(offset=-1)
    with pytest.raises(InvalidAuditQuery, match="limit must be between 0 and 10000"):
        AuditQuery(limit=10_001)
    with pytest.raises(InvalidAuditQuery, match="time zone"):
        AuditQuery(since=datetime(2026, 12, 1, 9, 0))


def test_since_choices_are_moments_before_now():
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert since_moment("", now) is None
    assert since_moment("any", now) is None
    assert since_moment("15m", now) == now - timedelta(minutes=15)
    assert since_moment("24h", now) == now - timedelta(hours=24)
    assert since_moment("7d", now) == now - timedelta(days=7)
    assert since_moment("2026-12-01T09:00Z") == START
    assert since_moment("2026-12-01T09:00") == START  # no zone: UTC
    with pytest.raises(InvalidAuditQuery, match=r"since must be one of any, 15m, 1h, 24h, 7d, 30d or a time"):
        since_moment("yesterday", now)


async def test_the_audit_page_filters_match_what_the_store_answers(audit: AuditLog):
    """`AuditQuery.matches` (the filter in words) and the store's WHERE clause agree on every record."""
    everything = [row.record for row in (await audit.query(AuditQuery())).rows]
    queries = [
        AuditQuery(actors=("oidc:alice",)),
        AuditQuery(action="keycloak-group-created", result="denied"),
        AuditQuery(since=START + timedelta(minutes=2), result="ok"),
    ]
    for query in queries:
        stored = [row.record for row in (await audit.query(query)).rows]
        assert stored == [record for record in everything if query.matches(record)]
