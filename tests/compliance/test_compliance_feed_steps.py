"""The feed's bookkeeping without a cluster: what it applies when watches move, and the status it reports."""

from __future__ import annotations

import asyncio

from console.compliance.feed import CONTEXT_RESOURCES, OPENREPORTS, POLICY_REPORTS, REPORT_RESOURCES, ComplianceFeed
from console.compliance.scorecard import Scorecard
from console.kube.api import ResourcePath
from console.kube.kind_watch import CacheStatus


class FakeWatch:
    """What the feed reads of a KindWatch."""

    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.revision = 0
        self.status = CacheStatus("connecting")
        self.synced = False

    def objects(self) -> list[dict]:
        return list(self.items.values())

    def put(self, name: str, version: str, *results: tuple[str, str], namespace: str = "shop") -> None:
        self.items[name] = {
            "kind": "PolicyReport",
            "metadata": {"name": name, "namespace": namespace, "resourceVersion": version},
            "scope": {"kind": "Deployment", "name": name, "namespace": namespace},
            "results": [{"policy": policy, "result": result} for policy, result in results],
        }
        self.revision += 1

    def live(self) -> None:
        self.status, self.synced = CacheStatus("live"), True
        self.revision += 1


def _feed() -> tuple[ComplianceFeed, dict[ResourcePath, FakeWatch], list]:
    watches = {resource: FakeWatch() for resource in [*CONTEXT_RESOURCES, *REPORT_RESOURCES]}
    moves: list = []
    feed = ComplianceFeed(None, Scorecard(), moves.extend, clock=lambda: 42.0)  # type: ignore[arg-type]
    return feed, watches, moves


def test_only_new_changed_and_vanished_reports_are_applied():
    feed, watches, moves = _feed()
    reports = watches[POLICY_REPORTS[0]]
    reports.put("web", "1", ("probes", "fail"))
    reports.put("db", "1", ("probes", "pass"))
    feed.step(watches)  # type: ignore[arg-type]
    assert sorted(feed.applied_log) == ["wgpolicyk8s.io/policyreports/shop/db", "wgpolicyk8s.io/policyreports/shop/web"]
    assert feed.scorecard.reports == 2 and feed.updated_at == 42.0
    reports.put("web", "2", ("probes", "pass"))
    feed.step(watches)  # type: ignore[arg-type]
    assert list(feed.applied_log)[2:] == ["wgpolicyk8s.io/policyreports/shop/web"]
    assert [(m.resource, m.before, m.after) for m in moves[-1:]] == [("deployment/shop/web", "fail", "pass")]
    reports.revision += 1  # the watch moved (a status, a bookmark) but no report did
    feed.step(watches)  # type: ignore[arg-type]
    assert len(feed.applied_log) == 3
    del reports.items["db"]
    reports.revision += 1
    feed.step(watches)  # type: ignore[arg-type]
    assert list(feed.applied_log)[3:] == ["wgpolicyk8s.io/policyreports/shop/db"]
    assert feed.scorecard.reports == 1


def test_context_reaches_the_scorecard_before_the_reports():
    feed, watches, _ = _feed()
    namespaces = watches[ResourcePath("", "v1", "namespaces")]
    namespaces.items["shop"] = {"metadata": {"name": "shop", "labels": {"openova.io/environment": "acme-prod"}}}
    namespaces.revision += 1
    watches[POLICY_REPORTS[0]].put("web", "1", ("probes", "fail"))
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.scorecard.resource_attribution("deployment/shop/web").environment == "acme-prod"  # type: ignore[union-attr]


def test_status_loading_live_reconnecting_and_not_served():
    feed, watches, _ = _feed()
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.status == "loading"
    for resource in REPORT_RESOURCES:
        watches[resource].live()
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.status == "live"
    watches[POLICY_REPORTS[1]].status = CacheStatus("resyncing")
    watches[POLICY_REPORTS[1]].revision += 1
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.status == "reconnecting"


def test_a_cluster_serving_no_report_api_says_so_and_stays_so_while_retrying():
    feed, watches, _ = _feed()
    for resource in REPORT_RESOURCES:
        watches[resource].status = CacheStatus("error", "404 NotFound", not_served=True)
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.status == "not_served"
    for resource in REPORT_RESOURCES:  # the watch retries: its status goes back to resyncing meanwhile
        watches[resource].status = CacheStatus("resyncing", "404 NotFound")
        watches[resource].revision += 1
    feed.step(watches)  # type: ignore[arg-type]
    assert feed.status == "not_served"
    assert not feed.openreports_only


def test_only_openreports_served():
    feed, watches, _ = _feed()
    for resource in POLICY_REPORTS:
        watches[resource].status = CacheStatus("error", "404", not_served=True)
    for resource in OPENREPORTS:
        watches[resource].live()
    feed.step(watches)  # type: ignore[arg-type]
    assert (feed.status, feed.openreports_only) == ("live", True)


async def test_wait_changed_wakes_on_a_change_and_on_a_status_move():
    feed, watches, _ = _feed()
    revision = feed.scorecard.revision
    waiting = asyncio.ensure_future(feed.wait_changed(revision, timeout=5))
    await asyncio.sleep(0)
    watches[POLICY_REPORTS[0]].put("web", "1", ("probes", "fail"))
    feed.step(watches)  # type: ignore[arg-type]
    assert await waiting > revision
    waiting = asyncio.ensure_future(feed.wait_changed(feed.scorecard.revision, timeout=5))
    await asyncio.sleep(0)
    for resource in REPORT_RESOURCES:
        watches[resource].live()
    feed.step(watches)  # type: ignore[arg-type]
    await asyncio.wait_for(waiting, 1)  # the status moved (loading → live): pages wake to say so
    assert await feed.wait_changed(feed.scorecard.revision, timeout=0.01) == feed.scorecard.revision
