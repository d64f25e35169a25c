"""No compliance change is lost: 1,000 PolicyReport changes (created, rewritten, re-scoped, deleted; namespaced
and cluster-wide), with the namespace's labels moving its reports between environments now and then, made while
the API server drops watches, answers 410 Gone, restarts without its watch history and refuses lists with
429/500, end with the feed's scorecard equal to the naive formula over what the API lists afterwards: every
scope's tally, the category scores, the violations, the per-namespace result counts and the security score."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fault_schedule import inject_fault
from test_compliance_feed import converged

from console.compliance.feed import POLICY_REPORTS, ComplianceFeed
from console.compliance.scorecard import Scorecard
from console.kube.api import KubeApi
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

CHANGES = 1000
TIMEOUT = 20.0
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
REPORTS_PATH = "/apis/wgpolicyk8s.io/v1alpha2"
OUTCOMES = ("pass", "pass", "fail", "warn", "skip", "error")  # mostly counted outcomes, some that are not
# The resources reports are about (kind → names): Deployments and Pods weigh as stateless, StatefulSets as
# stateful, so an environment's weight scopes count for some and not others. None of them need exist.
SUBJECTS = {"Deployment": ("web", "api"), "StatefulSet": ("db",), "Pod": ("web-0", "api-0", "job-0")}
# How many reports may exist at once. Every report gets a new name, so one deleted stays deleted: a delete the
# feed missed is never healed by a later re-create.
NAMESPACED_AT_MOST, CLUSTER_WIDE_AT_MOST = 30, 5
# What the namespace says about itself: its organisation and environment decide whose score and which weights.
PLACES = (
    {"catalyst.openova.io/organization": "acme", "catalyst.openova.io/environment": "acme-prod"},
    {"catalyst.openova.io/organization": "acme", "catalyst.openova.io/environment": "acme-dev"},
    {"catalyst.openova.io/organization": "bankdhofar", "catalyst.openova.io/environment": None},
)


@dataclass
class Running:
    feed: ComplianceFeed
    scorecard: Scorecard
    cache: WatchCache


@pytest.fixture
async def running(kube_api: KubeApi) -> AsyncIterator[Running]:
    """A feed over its own watch cache, live before the test starts."""
    cache = WatchCache(kube_api, max_backoff_seconds=0.2)
    scorecard = Scorecard()
    feed = ComplianceFeed(cache, scorecard)
    task = asyncio.create_task(feed.run())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while feed.status != "live":
        remaining = deadline - loop.time()
        assert remaining > 0, f"the feed did not go live ({feed.status})"
        await feed.wait_changed(scorecard.revision, timeout=remaining)
    yield Running(feed, scorecard, cache)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await cache.close()


@dataclass
class Churn:
    """Random report changes through the plain HTTP listener (as Kyverno would write them)."""

    http: httpx.AsyncClient
    namespace: str
    policies: list[str]  # the ClusterPolicies the cluster has (their categories decide the buckets)
    rng: random.Random
    created: int = 0  # reports named so far
    alive: dict[bool, list[str]] = field(default_factory=lambda: {False: [], True: []})  # cluster-wide? → paths

    def _subject(self) -> dict:
        kind = self.rng.choice(sorted(SUBJECTS))
        api_version = "v1" if kind == "Pod" else "apps/v1"
        return {
            "apiVersion": api_version,
            "kind": kind,
            "name": self.rng.choice(SUBJECTS[kind]),
            "namespace": self.namespace,
        }

    def _results(self) -> list[dict]:
        results = []
        for policy in self.rng.sample(self.policies, self.rng.randint(1, 5)):
            result: dict = {"policy": policy, "rule": policy, "result": self.rng.choice(OUTCOMES), "source": "kyverno"}
            if self.rng.random() < 0.3:  # a result about another resource than the report's scope
                result["resources"] = [self._subject()]
            results.append(result)
        return results

    async def report(self) -> httpx.Response:
        """Create a report, or rewrite, re-scope or delete one that exists (one in ten cluster-wide)."""
        cluster_wide = self.rng.random() < 0.1
        alive, roll = self.alive[cluster_wide], self.rng.random()
        if not alive or (roll < 0.4 and len(alive) < (CLUSTER_WIDE_AT_MOST if cluster_wide else NAMESPACED_AT_MOST)):
            name = f"{self.namespace}-report-{self.created}" if cluster_wide else f"report-{self.created}"
            self.created += 1
            if cluster_wide:  # about the namespace itself
                collection, metadata = f"{REPORTS_PATH}/clusterpolicyreports", {"name": name}
                kind, scope = "ClusterPolicyReport", {"apiVersion": "v1", "kind": "Namespace", "name": self.namespace}
            else:  # about one of its resources
                collection = f"{REPORTS_PATH}/namespaces/{self.namespace}/policyreports"
                metadata = {"name": name, "namespace": self.namespace}
                kind, scope = "PolicyReport", self._subject()
            alive.append(f"{collection}/{name}")
            report = {"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": kind, "metadata": metadata, "scope": scope}
            return await self.http.post(collection, json={**report, "results": self._results()})
        if roll < 0.75:  # new outcomes (a merge patch replaces the results whole) …
            patch: dict = {"results": self._results()}
            if not cluster_wide and self.rng.random() < 0.3:  # … now and then about another resource
                patch["scope"] = self._subject()
            return await self.http.patch(self.rng.choice(alive), json=patch, headers=MERGE_PATCH)
        return await self.http.delete(alive.pop(self.rng.randrange(len(alive))))

    async def move_namespace(self) -> httpx.Response:
        """Relabel the namespace: its reports' resources change organisation, environment and weights."""
        patch = {"metadata": {"labels": self.rng.choice(PLACES)}}
        return await self.http.patch(f"/api/v1/namespaces/{self.namespace}", json=patch, headers=MERGE_PATCH)


async def test_a_thousand_report_changes_through_faults_end_equal_to_the_naive_score_of_a_fresh_list(
    running: Running, cluster_http: httpx.AsyncClient, sandbox
):
    namespace = f"score-churn-{uuid.uuid4().hex[:6]}"
    body = {"metadata": {"name": namespace, "labels": {"catalyst.openova.io/application": "churn", **PLACES[0]}}}
    assert (await cluster_http.post("/api/v1/namespaces", json=body)).status_code == 201
    listed = (await cluster_http.get("/apis/kyverno.io/v1/clusterpolicies")).json()["items"]
    churn = Churn(cluster_http, namespace, sorted(policy["metadata"]["name"] for policy in listed), random.Random(16))
    report_watch = running.cache.peek(POLICY_REPORTS[0])
    assert report_watch is not None
    relists_before = report_watch.relists
    try:
        for step in range(CHANGES):
            inject_fault(step, sandbox, f"{REPORTS_PATH}/policyreports")
            response = await (churn.move_namespace() if step % 40 == 39 else churn.report())
            assert response.status_code in (200, 201), response.text

        # The sandbox's Kyverno stand-in keeps rewriting the seeded pods' reports meanwhile; the feed must also be
        # live again (every report watch relisted and watching).
        ours, reports = await converged(running, cluster_http, live=True)
    finally:
        sandbox.faults.clear()
    assert running.feed.status == "live"
    # The refused lists (429, then 500) made the reports' watch list again.
    assert report_watch.relists > relists_before
    # The churn left the namespace something to score, through the reports written during the faults.
    assert ours["scopes"][("namespace", namespace)][1] > 0
    assert any(key.startswith(f"wgpolicyk8s.io/policyreports/{namespace}/") for key in reports)
