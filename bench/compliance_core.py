"""Speed figures for the compliance core (no cluster): 100,000 results in 2,000 reports.

1. ingest: every report applied to a fresh Scorecard (context already set), then the full dashboard (every
   namespace visible), then the same for one namespace; target: well under a second together;
2. one report change (a rescan flipping results): incremental apply + the dashboard of that report's
   namespace, median and worst of 200; target < 10 ms; also the full dashboard after a change;
3. the other views once: a policy page, an application page, scope tallies (history samples).

Run: `.venv/bin/python bench/compliance_core.py`; prints figures, asserts nothing.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from console.compliance.scorecard import Scorecard, collector_paused

REPORTS = 2_000
RESULTS_PER_REPORT = 50
NAMESPACES = 200
ORGANIZATIONS = ("acme", "bankdhofar", "openova", "globex")
ENV_TYPES = ("prod", "stg", "dev")
POLICIES = [f"policy-{index:02d}" for index in range(RESULTS_PER_REPORT)]
CATEGORIES = ("Security", "Reliability", "Governance", "Pod Security Standards (Baseline)", "")
CHANGES = 200


def _context(rng: random.Random) -> dict[str, list[dict]]:
    namespaces, deployments = [], []
    for index in range(NAMESPACES):
        org, env_type = ORGANIZATIONS[index % len(ORGANIZATIONS)], ENV_TYPES[index % len(ENV_TYPES)]
        labels = {"catalyst.openova.io/organization": org, "catalyst.openova.io/environment": f"{org}-{env_type}"}
        namespaces.append({"metadata": {"name": f"ns-{index:03d}", "labels": labels, "resourceVersion": "1"}})
    for index in range(REPORTS):
        namespace = f"ns-{index % NAMESPACES:03d}"
        labels = {"catalyst.openova.io/application": f"app-{index % NAMESPACES:03d}-{index % 3}"}
        meta = {"name": f"workload-{index}", "namespace": namespace, "labels": labels, "resourceVersion": "1"}
        deployments.append({"metadata": meta})
    environments = [
        {"metadata": {"name": f"{org}-{env_type}"}, "spec": {"policyRef": "production" if env_type == "prod" else ""}}
        for org in ORGANIZATIONS
        for env_type in ENV_TYPES
    ]
    weights = {
        policy: {"weight": rng.randint(0, 20), "scope": rng.choice(("all", "all", "stateless"))} for policy in POLICIES
    }
    policies = [{"metadata": {"name": "production"}, "spec": {"compliance": {"weights": weights}}}]
    cluster_policies = [
        {"metadata": {"name": policy, "annotations": {"policies.kyverno.io/category": CATEGORIES[i % len(CATEGORIES)]}}}
        for i, policy in enumerate(POLICIES)
    ]
    return {
        "Namespace": namespaces,
        "Deployment": deployments,
        "Environment": environments,
        "EnvironmentPolicy": policies,
        "ClusterPolicy": cluster_policies,
    }


def _report(index: int, rng: random.Random, seconds: int) -> dict:
    namespace, name = f"ns-{index % NAMESPACES:03d}", f"workload-{index}"
    results = [
        {
            "policy": policy,
            "rule": policy,
            "result": rng.choices(("pass", "fail", "warn", "skip"), (70, 20, 5, 5))[0],
            "severity": "medium",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "source": "kyverno",
            "message": f"validation rule '{policy}' checked.",
            "timestamp": {"seconds": seconds, "nanos": 0},
        }
        for i, policy in enumerate(POLICIES)
    ]
    return {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "PolicyReport",
        "metadata": {"name": f"uid-{index}", "namespace": namespace, "resourceVersion": str(seconds)},
        "scope": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "namespace": namespace},
        "results": results,
    }


@contextmanager
def _collector_time() -> Iterator[list[float]]:
    """Seconds CPython's cyclic garbage collector ran inside the block (it walks every object the block keeps)."""
    spent, started = [0.0], [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    try:
        yield spent
    finally:
        gc.callbacks.remove(callback)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def measure_core() -> tuple[float, float]:
    """Prints the figures; returns (ingest + full dashboard seconds, median seconds of one change + its namespace)."""
    rng = random.Random(7)
    context = _context(rng)
    reports = {
        f"wgpolicyk8s.io/policyreports/ns/{index}": _report(index, rng, 1_800_000_000) for index in range(REPORTS)
    }
    results = sum(len(report["results"]) for report in reports.values())
    scorecard = Scorecard()
    for kind, objects in context.items():
        scorecard.set_context(kind, objects, at=0.0)

    with _collector_time() as collecting:
        started = time.perf_counter()
        with collector_paused():  # as the feed applies a batch of changes
            for key, report in reports.items():
                scorecard.apply_report(key, report, at=1.0)
        ingested = time.perf_counter()
        dashboard = scorecard.dashboard(None)
        full = time.perf_counter()
    scorecard.dashboard(frozenset({"ns-007"}))
    one = time.perf_counter()
    print(f"{results:,} results in {len(reports):,} reports, {len(dashboard.applications)} applications")
    print(f"ingest (apply every report)          {_ms(ingested - started)}")
    print(f"full dashboard (everything visible)  {_ms(full - ingested)}  ({len(dashboard.violations):,} violations)")
    print(f"dashboard of one namespace           {_ms(one - full)}")
    print(f"ingest + full dashboard              {_ms(full - started)}  (target < 1 s)")
    without = full - started - collecting[0]
    print(f"  of which the cyclic GC             {_ms(collecting[0])}  (without it: {_ms(without)})")
    print(f"sovereign {dashboard.sovereign.total}% = {dashboard.sovereign.num:,} of {dashboard.sovereign.den:,}")

    keys = list(reports)
    timings, full_timings = [], []
    for change in range(CHANGES):
        index = rng.randrange(REPORTS)
        report = _report(index, rng, 1_800_000_001 + change)
        namespaces = frozenset({report["metadata"]["namespace"]})
        before = time.perf_counter()
        scorecard.apply_report(keys[index], report, at=2.0 + change)
        scorecard.dashboard(namespaces)
        timings.append(time.perf_counter() - before)
        if change % 20 == 0:
            before = time.perf_counter()
            scorecard.dashboard(None)
            full_timings.append(time.perf_counter() - before)
    print(
        f"one report change + its namespace's dashboard: median {_ms(statistics.median(timings))}, "
        f"worst {_ms(max(timings))} over {CHANGES} (target < 10 ms)"
    )
    print(f"full dashboard after a change: median {_ms(statistics.median(full_timings))}")

    before = time.perf_counter()
    scorecard.policy(POLICIES[3], None)
    policy = time.perf_counter()
    scorecard.application("app-007-1", None)
    application = time.perf_counter()
    tallies = scorecard.scope_tallies()
    scopes = time.perf_counter()
    print(f"policy page {_ms(policy - before)}, application page {_ms(application - policy)}, ", end="")
    print(f"scope tallies {_ms(scopes - application)} ({len(tallies)} scopes)")
    return full - started, statistics.median(timings)


def main() -> None:
    measure_core()


if __name__ == "__main__":
    main()
