"""The process's compliance runtime against the sandbox and a real console database: the first sample is the
baseline (what the console found at start is not a move), and a Deployment fixed afterwards is recorded,
sampled and explained — the chain behind the dashboards' trend and "why did it move?"."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from console.compliance.runtime import ComplianceRuntime, compliance_lifespan
from console.database.runtime import open_database
from console.kube.api import KubeApi
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

TIMEOUT = 20.0


async def _history_written(runtime: ComplianceRuntime, after: int) -> int:
    """The next history write (awaited on the runtime's signal, never on the clock)."""
    revision = await runtime.history_writes.wait(after, TIMEOUT)
    assert revision > after, f"no history written in {TIMEOUT} s (feed {runtime.feed.status})"
    return revision


async def test_a_fix_after_the_baseline_is_recorded_and_explained(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient, tmp_path: Path
):
    database = await open_database(f"sqlite:///{tmp_path}/console.db", install=False)
    cache = WatchCache(kube_api)
    started = time.time()
    try:
        async with compliance_lifespan(cache, database.history_store) as runtime:
            assert runtime.history is not None
            written = await _history_written(runtime, 0)  # the baseline, once the reports are listed
            baseline = await runtime.history.trend("sovereign", "", started, time.time())
            assert len(baseline) == 1 and baseline[0].total is not None
            explained = await runtime.history.explain("sovereign", "", started - 86400, time.time())
            assert explained.reasons == []  # reading the cluster for the first time moved nothing

            view = runtime.scorecard.policy("probes-present", None)
            assert view is not None
            failing = next(v.resource for v in view.offending if v.resource.kind == "Deployment")
            path = f"/apis/apps/v1/namespaces/{failing.namespace}/deployments/{failing.name}"
            containers = (await cluster_http.get(path)).json()["spec"]["template"]["spec"]["containers"]
            probe = {"httpGet": {"path": "/healthz", "port": 8080}}
            patch = [
                {"op": "add", "path": f"/spec/template/spec/containers/{index}/{field}", "value": probe}
                for index, container in enumerate(containers)
                for field in ("readinessProbe", "livenessProbe")
                if field not in container
            ]
            answer = await cluster_http.patch(path, json=patch, headers={"Content-Type": "application/json-patch+json"})
            assert answer.status_code == 200, answer.text

            loop = asyncio.get_running_loop()
            deadline = loop.time() + TIMEOUT
            phrase = f"probes-present now passes on {failing.namespace}/{failing.name}"
            while True:
                written = await _history_written(runtime, written)
                explained = await runtime.history.explain("sovereign", "", started - 86400, time.time())
                if phrase in explained.text or loop.time() > deadline:
                    break
            assert phrase in explained.text
            assert any(
                (reason.resource, reason.policy, reason.after) == (failing.key, "probes-present", "pass")
                for reason in explained.reasons
            )
    finally:
        await cache.close()
        database.close()
