"""Score history on the real console database (a SQLite file): samples on change and every 5 minutes, 30 days
kept, trends, and "why did the score move?" explained from the recorded outcome changes alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.compliance.history import ChangeFilter, HistoryRecorder, Reason, TrendPoint
from console.compliance.model import Attribution, OutcomeChange, Tally
from console.database.runtime import ConsoleDatabase, open_database

DAY = 86400.0
YESTERDAY = datetime(2026, 11, 26, 10, 0, tzinfo=UTC).timestamp()
TODAY = datetime(2026, 11, 27, 9, 0, tzinfo=UTC).timestamp()
BILLING = Attribution(application="billing", environment="acme-prod", organization="acme")
SHOP = Attribution(application="shop", environment="acme-prod", organization="acme")
APP = ("application", "acme-prod/billing")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[ConsoleDatabase]:
    opened = await open_database(f"sqlite:///{tmp_path}/console.db", install=False)
    yield opened
    opened.close()


@pytest.fixture
def history(database: ConsoleDatabase) -> HistoryRecorder:
    return HistoryRecorder(database.history_store)


def _change(
    at: float,
    policy: str,
    before: str,
    after: str,
    weight: int,
    name: str = "billing-api",
    namespace: str = "acme-prod",
    attribution: Attribution = BILLING,
) -> OutcomeChange:
    return OutcomeChange(at, f"deployment/{namespace}/{name}", namespace, attribution, policy, before, after, weight)


def _written(samples: list) -> list[tuple[str, str]]:
    return sorted((sample.scope_kind, sample.scope_id) for sample in samples)


async def test_a_scope_is_sampled_when_its_tally_changes_and_every_five_minutes(history: HistoryRecorder):
    sovereign, a, b = ("sovereign", ""), ("namespace", "a"), ("namespace", "b")
    tallies = {sovereign: Tally(90, 100, 1, 2), a: Tally(45, 50, 1, 1), b: Tally(45, 50, 0, 1)}

    assert _written(await history.sample(tallies, at=0, force=True)) == [a, b, sovereign]
    assert await history.sample(tallies, at=10) == []  # nothing changed, not 5 minutes yet

    tallies = {**tallies, sovereign: Tally(95, 100, 0, 2), a: Tally(50, 50, 0, 1)}
    assert _written(await history.sample(tallies, at=20)) == [a, sovereign]  # on change: only what changed

    assert _written(await history.sample(tallies, at=300, force=True)) == [a, b, sovereign]  # the 5-minute tick
    assert await history.sample(tallies, at=310) == []
    assert _written(await history.sample(tallies, at=600)) == [a, b, sovereign]  # 5 minutes passed, even unforced

    del tallies[b]  # the namespace is gone: one empty sample, then nothing
    [gone] = await history.sample(tallies, at=620)
    assert (gone.scope_id, gone.tally) == ("b", Tally())
    assert await history.sample(tallies, at=630) == []
    assert [point.total for point in await history.trend("namespace", "b", 0, 1000)] == [90, 90, 90, None]


async def test_replicas_sharing_the_store_do_not_write_the_same_sample_twice(database: ConsoleDatabase):
    one, other = HistoryRecorder(database.history_store), HistoryRecorder(database.history_store)
    tallies = {("sovereign", ""): Tally(9, 10), ("namespace", "a"): Tally(9, 10)}

    assert len(await one.sample(tallies, at=1000, force=True)) == 2
    assert await other.sample(tallies, at=1002, force=True) == []  # the other replica's tick, 2 s later
    assert await other.sample({**tallies, ("namespace", "a"): Tally(10, 10)}, at=1005) != []
    assert [point.num for point in await one.trend("namespace", "a", 0, 2000)] == [9, 10]


async def test_samples_and_changes_older_than_thirty_days_are_pruned(database: ConsoleDatabase):
    history, now = HistoryRecorder(database.history_store), 100 * DAY
    for age_days in (31, 29, 0):
        await history.sample({("sovereign", ""): Tally(age_days, 40)}, at=now - age_days * DAY)
        await history.record_changes([_change(now - age_days * DAY, "probes-present", "pass", "fail", 5)])

    assert await history.prune(now) == 2  # the 31-day-old sample and change

    assert [point.num for point in await history.trend("sovereign", "", 0, now)] == [29, 0]
    assert [change.at for change in await database.history_store.changes(0, now, ChangeFilter())] == [
        now - 29 * DAY,
        now,
    ]


async def test_a_trend_is_the_scopes_samples_in_the_window(history: HistoryRecorder):
    shop = ("application", "acme-prod/shop")
    for at, tally in ((100, Tally(0, 0)), (200, Tally(3, 4)), (300, Tally(4, 4)), (400, Tally(1, 4))):
        await history.sample({APP: tally, shop: Tally(1, 1)}, at=at, force=True)

    assert await history.trend(*APP, since=100, until=300) == [
        TrendPoint(100, None, 0, 0),
        TrendPoint(200, 75, 3, 4),
        TrendPoint(300, 100, 4, 4),
    ]
    assert await history.trend(*APP, since=500, until=900) == []


async def test_a_viewers_trend_pools_the_namespaces_they_may_see(history: HistoryRecorder):
    a, b, c = ("namespace", "a"), ("namespace", "b"), ("namespace", "c")  # c: not the viewer's
    await history.sample({a: Tally(40, 50), b: Tally(50, 50), c: Tally(0, 1000)}, at=0, force=True)
    await history.sample({a: Tally(45, 50), b: Tally(50, 50), c: Tally(0, 1000)}, at=100)
    await history.sample({a: Tally(45, 50), b: Tally(50, 50), c: Tally(1, 1000)}, at=150)
    await history.sample({a: Tally(45, 50), b: Tally(30, 50), c: Tally(1, 1000)}, at=200)

    visible = frozenset({"a", "b"})
    assert await history.namespaces_trend(visible, since=50, until=250) == [
        TrendPoint(100, 95, 95, 100),  # b counts with its sample from before the window
        TrendPoint(200, 75, 75, 100),
    ]
    assert [point.total for point in await history.namespaces_trend(visible, 0, 250)] == [90, 95, 75]
    assert [point.total for point in await history.namespaces_trend(frozenset({"b"}), 0, 250)] == [100, 60]
    assert await history.namespaces_trend(frozenset(), 0, 250) == []


async def test_why_the_score_moved_since_yesterday(history: HistoryRecorder):
    await history.sample({APP: Tally(100, 120, 0, 3)}, at=YESTERDAY, force=True)
    await history.record_changes(
        [
            _change(YESTERDAY - 60, "probes-present", "pass", "fail", 5),  # before the first point
            _change(YESTERDAY, "flux-managed", "pass", "fail", 10),  # at the first point: already counted there
            _change(YESTERDAY + 3600, "image-tag-pinned", "pass", "fail", 5),
            _change(YESTERDAY + 3600, "image-tag-pinned", "pass", "fail", 5, name="web", attribution=SHOP),
        ]
    )
    await history.sample({APP: Tally(95, 120, 1, 3)}, at=YESTERDAY + 3600)
    await history.sample({APP: Tally(95, 120, 1, 3)}, at=TODAY, force=True)

    explanation = await history.explain(*APP, YESTERDAY, TODAY)

    assert explanation.text == "−4 since yesterday: image-tag-pinned now fails on acme-prod/billing-api (weight 5)"
    assert (explanation.before, explanation.after, explanation.delta) == (83, 79, -4)
    [reason] = explanation.reasons
    assert reason == Reason(
        "image-tag-pinned", "deployment/acme-prod/billing-api", "acme-prod", "pass", "fail", 5, reason.points
    )
    assert reason.points == pytest.approx(100 * 95 / 120 - 100 * 100 / 120)


async def test_history_younger_than_the_first_point_is_explained_from_its_first_sample(history: HistoryRecorder):
    started = TODAY - 3 * 3600  # the console started this morning: nothing is known of yesterday
    await history.sample({APP: Tally(100, 120, 0, 3)}, at=started, force=True)
    await history.record_changes([_change(started + 600, "image-tag-pinned", "pass", "fail", 5)])
    await history.sample({APP: Tally(95, 120, 1, 3)}, at=started + 600)

    explanation = await history.explain(*APP, YESTERDAY, TODAY)

    assert explanation.text == "−4 since 06:00: image-tag-pinned now fails on acme-prod/billing-api (weight 5)"
    assert (explanation.before, explanation.after) == (83, 79)


async def test_nothing_moved_between_two_points(history: HistoryRecorder):
    await history.sample({APP: Tally(9, 10)}, at=YESTERDAY, force=True)
    await history.sample({APP: Tally(9, 10)}, at=TODAY, force=True)

    explanation = await history.explain(*APP, YESTERDAY, TODAY)

    assert (explanation.text, explanation.delta, explanation.reasons) == ("No change between these points.", 0, [])
    assert (await history.explain(*APP, 0, 1)).text == "No change between these points."  # no history at all


async def test_several_reasons_come_biggest_effect_first(history: HistoryRecorder):
    t1, t2 = TODAY - 3 * 3600 + 300, TODAY  # 06:05 → 09:00, the same day
    await history.sample({APP: Tally(67, 96, 1, 3)}, at=t1, force=True)
    await history.record_changes(
        [
            _change(t1 + 10, "image-tag-pinned", "pass", "fail", 5),
            _change(t1 + 11, "image-tag-pinned", "pass", "fail", 5),  # the same change, seen by another replica
            _change(t1 + 20, "probes-present", "pass", "fail", 10, name="web"),
            _change(t1 + 30, "resource-limits", "fail", "pass", 8, name="worker"),
            _change(t1 + 40, "otel-injected", "", "warn", 4, name="web"),
            _change(t1 + 50, "flux-managed", "pass", "fail", 10, name="worker"),  # failed, then passed again
            _change(t1 + 60, "flux-managed", "fail", "pass", 10, name="worker"),
        ]
    )
    await history.sample({APP: Tally(60, 100, 2, 3)}, at=t2, force=True)

    explanation = await history.explain(*APP, t1, t2)

    assert [(reason.policy, round(reason.points, 2)) for reason in explanation.reasons] == [
        ("probes-present", -10.0),
        ("resource-limits", 8.0),
        ("image-tag-pinned", -5.0),
        ("otel-injected", -2.5),
    ]
    assert explanation.text == (
        "−9 since 06:05: probes-present now fails on acme-prod/web (weight 10); resource-limits now passes on "
        "acme-prod/worker (weight 8); image-tag-pinned now fails on acme-prod/billing-api (weight 5); and 1 more"
    )
    later = await history.explain(*APP, t1, t2, tz=timezone(timedelta(hours=4)))
    assert later.text.startswith("−9 since 10:05: ")


async def test_a_move_without_a_recorded_outcome_change_says_so(history: HistoryRecorder):
    await history.sample({APP: Tally(90, 100)}, at=TODAY - 40 * 3600, force=True)
    await history.sample({APP: Tally(90, 120)}, at=TODAY, force=True)  # an EnvironmentPolicy weight went up

    explanation = await history.explain(*APP, TODAY - 40 * 3600, TODAY)

    assert explanation.reasons == [] and explanation.delta == -15
    assert explanation.text == (
        "−15 since 25 Nov, but no policy outcome change is recorded in this scope: the policy weights changed, "
        "or the change is older than the recorded history."
    )


async def test_a_viewer_is_explained_only_the_namespaces_they_may_see(history: HistoryRecorder):
    await history.sample({("namespace", "acme-prod"): Tally(10, 10), ("namespace", "secret"): Tally(10, 10)}, at=0)
    await history.record_changes(
        [
            _change(50, "image-tag-pinned", "pass", "fail", 5),
            _change(60, "probes-present", "pass", "fail", 10, namespace="secret", attribution=SHOP),
        ]
    )
    await history.sample({("namespace", "acme-prod"): Tally(5, 10), ("namespace", "secret"): Tally(0, 10)}, at=100)

    mine = await history.explain("sovereign", "", 0, 100, namespaces=frozenset({"acme-prod"}))
    everyone = await history.explain("namespace", "secret", 0, 100)

    assert (mine.before, mine.after, [reason.policy for reason in mine.reasons]) == (100, 50, ["image-tag-pinned"])
    assert [reason.policy for reason in everyone.reasons] == ["probes-present"]
    hidden = await history.explain("namespace", "secret", 0, 100, namespaces=frozenset({"acme-prod"}))
    assert (hidden.before, hidden.after, hidden.reasons) == (None, None, [])
    with pytest.raises(ValueError, match="explain the sovereign"):
        await history.explain(*APP, 0, 100, namespaces=frozenset({"acme-prod"}))


async def test_reasons_follow_the_scope_of_the_explanation(history: HistoryRecorder):
    await history.record_changes(
        [
            _change(10, "image-tag-pinned", "pass", "fail", 5),
            _change(10, "probes-present", "pass", "fail", 5, name="web", attribution=SHOP),
            _change(10, "resource-limits", "fail", "", 5, name="old", namespace="acme-dev",
                    attribution=Attribution("billing", "acme-dev", "acme")),
        ]
    )  # fmt: skip

    async def policies(kind: str, scope_id: str) -> list[str]:
        return sorted(reason.policy for reason in (await history.explain(kind, scope_id, 0, 20)).reasons)

    assert await policies("application", "acme-prod/billing") == ["image-tag-pinned"]
    assert await policies("environment", "acme-prod") == ["image-tag-pinned", "probes-present"]
    assert await policies("organization", "acme") == ["image-tag-pinned", "probes-present", "resource-limits"]
    assert await policies("namespace", "acme-dev") == ["resource-limits"]
    assert (await history.explain("namespace", "acme-dev", 0, 20)).text == (
        "No score since 00:00: resource-limits no longer counts on acme-dev/old (weight 5)"
    )
