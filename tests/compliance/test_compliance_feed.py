"""The feed against the sandbox cluster: its scorecard equals the naive formula over what the API lists, and
a Deployment change moves exactly its report (the sandbox's Kyverno stand-in rescans within about a second)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import naive_compliance as naive
import pytest
from sovereign_sandbox.world.people import subject_of

from console.compliance.feed import CONTEXT_RESOURCES, REPORT_RESOURCES, ComplianceFeed, report_key
from console.compliance.model import OutcomeChange, Tally
from console.compliance.modes import set_mode
from console.compliance.scorecard import Scorecard
from console.identity.claims import identity_from_claims
from console.kube.api import ActingAs, KubeApi, KubeApiError
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

TIMEOUT = 15.0


@dataclass
class Running:
    feed: ComplianceFeed
    scorecard: Scorecard
    moves: list[OutcomeChange]

    async def until(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        """Wait on the feed's changes (never on the clock) until `condition` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            assert remaining > 0, f"not reached in {timeout} s (feed {self.feed.status})"
            await self.feed.wait_changed(self.scorecard.revision, timeout=remaining)


@pytest.fixture
async def running(kube_api: KubeApi) -> AsyncIterator[Running]:
    cache = WatchCache(kube_api)
    scorecard = Scorecard()
    moves: list[OutcomeChange] = []
    feed = ComplianceFeed(cache, scorecard, moves.extend)
    task = asyncio.create_task(feed.run())
    state = Running(feed, scorecard, moves)
    await state.until(lambda: feed.status == "live")
    yield state
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await cache.close()


async def _raw(http: httpx.AsyncClient) -> tuple[dict[str, dict], list[dict]]:
    """What `kubectl get -o json` would show: the reports (keyed as the feed keys them) and the context
    objects (with their kinds set, as kubectl sets them)."""
    reports: dict[str, dict] = {}
    for resource in REPORT_RESOURCES:
        answer = await http.get(resource.collection())
        if answer.status_code == 404:
            continue
        for item in answer.json()["items"]:
            reports[report_key(resource, item)] = item
    context = []
    for resource, kind in CONTEXT_RESOURCES.items():
        answer = await http.get(resource.collection())
        if answer.status_code == 404:
            continue
        context.extend({**item, "kind": kind} for item in answer.json()["items"])
    return reports, context


def _as_tuple(tally: Tally) -> tuple[int, int, int, int]:
    return (tally.num, tally.den, tally.violations, tally.resources)


def _numbers(scorecard: Scorecard) -> dict:
    dashboard = scorecard.dashboard(None)
    return {
        "scopes": {scope: _as_tuple(tally) for scope, tally in scorecard.scope_tallies().items()},
        "categories": {name: (s.score, s.num, s.den, s.policy_count) for name, s in dashboard.categories.items()},
        "violations": sorted((v.resource.key, v.policy) for v in dashboard.violations),
        "counts": {
            n.namespace: (n.passed, n.warned, n.failed, n.skipped, n.errored)
            for n in dashboard.namespaces
            if (n.passed, n.warned, n.failed, n.skipped, n.errored) != (0, 0, 0, 0, 0)
        },
        "security": _as_tuple(scorecard.dashboard(None, security_only=True).sovereign),
    }


def _naive_numbers(reports: dict[str, dict], context: list[dict]) -> dict:
    resources = naive.resources_of(reports, context)
    everything = list(resources.values())
    return {
        "scopes": naive.scope_tallies(resources),
        "categories": naive.category_scores(everything),
        "violations": naive.violations(everything),
        "counts": naive.result_counts(everything),
        "security": naive.pooled(everything, security_only=True).as_tuple(),
    }


async def converged(
    running: Running, cluster_http: httpx.AsyncClient, *, live: bool = False
) -> tuple[dict, dict[str, object]]:
    """The feed's numbers once they equal the naive formula over what the API lists (and, with `live`, the feed
    watches every report again), and the listed reports; fails with the difference after TIMEOUT.

    Lists and watches are not read at one instant: while they differ, the feed is behind (wait for its next
    change) or ahead (list again); a difference that outlasts the timeout is a real mismatch."""
    scorecard = running.scorecard
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while True:
        revision = scorecard.revision
        reports, context = await _raw(cluster_http)
        ours, expected = _numbers(scorecard), _naive_numbers(reports, context)
        if (ours == expected and (not live or running.feed.status == "live")) or loop.time() > deadline:
            break
        await running.feed.wait_changed(revision, timeout=1.0)
    assert {key: ours[key] for key in ours if ours[key] != expected[key]} == {
        key: expected[key] for key in ours if ours[key] != expected[key]
    }
    return ours, reports


async def test_the_feed_equals_the_naive_formula_over_the_listed_objects(
    running: Running, cluster_http: httpx.AsyncClient
):
    """Lists and watches are not read at one instant: while they differ, the feed is behind (wait for its
    next change) or ahead (list again); a difference that outlasts the timeout is a real mismatch."""
    assert running.scorecard.reports > 100
    ours, _ = await converged(running, cluster_http)
    assert ours["scopes"][("sovereign", "")][1] > 0
    assert {"acme", "bankdhofar", "openova"} <= {scope for kind, scope in ours["scopes"] if kind == "organization"}
    assert running.feed.updated_at is not None


async def test_a_deployment_change_moves_exactly_its_report(running: Running, cluster_http: httpx.AsyncClient):
    feed, scorecard = running.feed, running.scorecard
    view = scorecard.policy("probes-present", None)
    assert view is not None
    failing = next(v.resource for v in view.offending if v.resource.kind == "Deployment")
    path = f"/apis/apps/v1/namespaces/{failing.namespace}/deployments/{failing.name}"
    deployment = (await cluster_http.get(path)).json()
    probe = {"httpGet": {"path": "/healthz", "port": 8080}}
    patch = [
        {"op": "add", "path": f"/spec/template/spec/containers/{index}/{field}", "value": probe}
        for index, container in enumerate(deployment["spec"]["template"]["spec"]["containers"])
        for field in ("readinessProbe", "livenessProbe")
        if field not in container
    ]
    applied_before, moves_before = len(feed.applied_log), len(running.moves)
    answer = await cluster_http.patch(path, json=patch, headers={"Content-Type": "application/json-patch+json"})
    assert answer.status_code == 200, answer.text

    def moved() -> bool:
        return any(
            (m.resource, m.policy, m.before, m.after) == (failing.key, "probes-present", "fail", "pass")
            for m in running.moves[moves_before:]
        )

    await running.until(moved)
    own_report = f"wgpolicyk8s.io/policyreports/{failing.namespace}/{deployment['metadata']['uid']}"
    applied = list(feed.applied_log)[applied_before:]
    assert applied.count(own_report) == 1
    assert scorecard.report_resources(own_report) == {failing.key}
    # Anything else applied is about pods: the rollout's (new reports, old ones gone), and pods the
    # sandbox's controllers replace meanwhile anywhere. No other workload's report moved.
    others = {resource for key in applied if key != own_report for resource in scorecard.report_resources(key)}
    assert {resource.split("/")[0] for resource in others} <= {"pod"}
    assert {m.resource for m in running.moves[moves_before:] if not m.resource.startswith("pod/")} == {failing.key}
    resource = scorecard.resource(failing)
    assert next(f for f in resource.findings if f.policy == "probes-present").result == "pass"
    assert all(v.resource != failing for v in scorecard.policy("probes-present", None).offending)  # type: ignore[union-attr]


def _person(username: str, tier: str) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": [f"/tiers/{tier}"]}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


async def test_a_mode_change_is_made_as_the_person(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    viewer = kube_api.as_person(_person("viewer", "viewer"))
    with pytest.raises(KubeApiError) as refused:
        await set_mode(viewer, "development", "probes-present", "enforcing")
    assert refused.value.status == 403
    owner = kube_api.as_person(_person("owner", "owner"))
    patched = await set_mode(owner, "development", "probes-present", "enforcing")
    assert patched["spec"]["compliance"]["modes"]["probes-present"] == "enforcing"
    stored = (await cluster_http.get("/apis/catalyst.openova.io/v1alpha1/environmentpolicies/development")).json()
    modes = stored["spec"]["compliance"]["modes"]
    assert modes["probes-present"] == "enforcing" and modes["resource-requests"] == "permissive"  # others untouched
