"""The score history's SQL store on SQLite and PostgreSQL: what the pure recorder relies on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from console.compliance.history import ChangeFilter, Sample
from console.compliance.model import Attribution, OutcomeChange, Tally
from console.database.history_store import SqlHistoryStore
from console.database.runtime import open_database


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlHistoryStore]:
    database = await open_database(database_url, install=False)
    yield database.history_store
    database.close()


def _change(at: float, namespace: str, attribution: Attribution, policy: str = "probes-present") -> OutcomeChange:
    return OutcomeChange(at, f"pod/{namespace}/web", namespace, attribution, policy, "pass", "fail", 5)


async def test_samples_round_trip_by_scope_and_time(store: SqlHistoryStore):
    namespaces = [f"ns-{number:04}" for number in range(1200)]  # more than one IN (…) list
    await store.add_samples([Sample("namespace", name, 100.0, Tally(1, 2, 1, 1)) for name in namespaces])
    await store.add_samples([Sample("namespace", "ns-0007", 200.5, Tally(2, 2, 0, 1))])
    await store.add_samples([Sample("sovereign", "", 150.0, Tally(1200, 2400, 1200, 1200))])

    found = await store.samples("namespace", namespaces, 0, 1000)
    assert len(found) == 1201 and [sample.at for sample in found] == sorted(sample.at for sample in found)
    assert found[-1] == Sample("namespace", "ns-0007", 200.5, Tally(2, 2, 0, 1))
    assert await store.samples("namespace", ["ns-0007"], 150, 250) == [found[-1]]
    assert [sample.at for sample in await store.recent_samples(150)] == [150.0, 200.5]

    latest = await store.samples_at("namespace", ["ns-0007", "ns-0008", "missing"], 199)
    assert [(sample.scope_id, sample.at) for sample in latest] == [("ns-0007", 100.0), ("ns-0008", 100.0)]
    assert await store.samples_at("namespace", ["ns-0007"], 99) == []


async def test_changes_are_filtered_by_scope_and_window(store: SqlHistoryStore):
    billing = Attribution("billing", "acme-prod", "acme")
    await store.add_changes(
        [
            _change(10, "acme-prod", billing),
            _change(20, "acme-prod", Attribution("shop", "acme-prod", "acme")),
            _change(30, "acme-dev", Attribution("billing", "acme-dev", "acme")),
            _change(40, "other", Attribution("", "", "other-org"), "image-tag-pinned"),
        ]
    )

    async def times(where: ChangeFilter, after: float = 0, until: float = 100) -> list[float]:
        return [change.at for change in await store.changes(after, until, where)]

    assert await times(ChangeFilter()) == [10, 20, 30, 40]
    assert await times(ChangeFilter(), after=10, until=30) == [20, 30]  # (after, until]
    assert await times(ChangeFilter(environment="acme-prod", application="billing")) == [10]
    assert await times(ChangeFilter(organization="acme")) == [10, 20, 30]
    assert await times(ChangeFilter(namespace="acme-dev")) == [30]
    assert await times(ChangeFilter(namespaces=frozenset({"acme-prod", "other"}))) == [10, 20, 40]
    assert await times(ChangeFilter(namespaces=frozenset())) == []
    [first] = await store.changes(0, 10, ChangeFilter())
    assert first == _change(10, "acme-prod", billing)


async def test_pruning_removes_only_what_is_older(store: SqlHistoryStore):
    await store.add_samples([Sample("sovereign", "", at, Tally(1, 1)) for at in (1.0, 2.0, 3.0)])
    await store.add_changes([_change(at, "a", Attribution()) for at in (1.0, 3.0)])

    assert await store.prune(before=3.0) == 3
    assert [sample.at for sample in await store.recent_samples(0)] == [3.0]
    assert [change.at for change in await store.changes(0, 10, ChangeFilter())] == [3.0]
