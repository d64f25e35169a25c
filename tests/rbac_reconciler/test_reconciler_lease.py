"""Leader election on a Lease against the sandbox: one leader at a time, a fast handover on a clean stop, a
takeover once a silent holder's lease runs out, and work stopped as soon as leadership is lost."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from reconciler_harness import NAMESPACE, eventually

from console.kube.api import KubeApi
from console.rbac.lease import LeaderElector

pytestmark = pytest.mark.sandbox

LEASES = f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases"


class Worker:
    """Work that runs while leading: records that it started and whether it was stopped."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped = asyncio.Event()

    async def __call__(self) -> None:
        self.started.set()
        try:
            await asyncio.Event().wait()  # works until cancelled
        finally:
            self.stopped.set()


def _elector(api: KubeApi, lease: str, identity: str, lease_seconds: float = 3.0) -> LeaderElector:
    return LeaderElector(
        api, NAMESPACE, lease, identity=identity, lease_seconds=lease_seconds, renew_seconds=0.5, retry_seconds=0.1
    )


@contextlib.asynccontextmanager
async def _pair(api: KubeApi, lease: str) -> AsyncIterator[tuple[list[LeaderElector], list[Worker]]]:
    electors = [_elector(api, lease, "first"), _elector(api, lease, "second")]
    workers = [Worker(), Worker()]
    async with electors[0].campaigning(workers[0]), electors[1].campaigning(workers[1]):
        yield electors, workers


async def _holder(http: httpx.AsyncClient, lease: str) -> str:
    return str((await http.get(f"{LEASES}/{lease}")).json()["spec"].get("holderIdentity") or "")


async def test_exactly_one_of_two_candidates_leads(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    async with _pair(kube_api, "one-leader") as (electors, workers):
        done, _ = await asyncio.wait(
            [asyncio.ensure_future(worker.started.wait()) for worker in workers],
            timeout=5,
            return_when=asyncio.FIRST_COMPLETED,
        )
        assert done
        leader = next(index for index, elector in enumerate(electors) if elector.leading)
        for _ in range(3):  # several renew periods later, still exactly one
            await asyncio.wait_for(_renewed(cluster_http, "one-leader"), 5)
            assert [elector.leading for elector in electors].count(True) == 1
            assert not workers[1 - leader].started.is_set()
        assert await _holder(cluster_http, "one-leader") == electors[leader].identity


async def _renewed(http: httpx.AsyncClient, lease: str) -> None:
    before = (await http.get(f"{LEASES}/{lease}")).json()["spec"]["renewTime"]
    await eventually(lambda: _renew_moved(http, lease, before), "the leader renews")


async def _renew_moved(http: httpx.AsyncClient, lease: str, before: str) -> bool:
    return (await http.get(f"{LEASES}/{lease}")).json()["spec"]["renewTime"] != before


async def test_a_stopped_leader_hands_over_at_once(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    first, second = _elector(kube_api, "handover", "first"), _elector(kube_api, "handover", "second")
    first_work, second_work = Worker(), Worker()
    campaign = asyncio.create_task(first.run(first_work))
    await asyncio.wait_for(first_work.started.wait(), 5)
    async with second.campaigning(second_work):
        await asyncio.wait_for(_renewed(cluster_http, "handover"), 5)  # `second` has looked by now: held
        assert first.leading and not second.leading and not second_work.started.is_set()
        campaign.cancel()  # the process stops (SIGTERM): work stopped, Lease released
        with contextlib.suppress(asyncio.CancelledError):
            await campaign
        stopped_at = time.monotonic()
        assert first_work.stopped.is_set() and not first.leading
        await asyncio.wait_for(second_work.started.wait(), 3.0)  # released: no need to wait out the lease
        assert time.monotonic() - stopped_at < 1.0
        assert await _holder(cluster_http, "handover") == "second"


async def test_a_silent_holders_lease_is_taken_once_it_runs_out(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
    ghost = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "ghost", "namespace": NAMESPACE},
        "spec": {"holderIdentity": "crashed-pod", "leaseDurationSeconds": 2, "renewTime": now, "acquireTime": now},
    }
    assert (await cluster_http.post(LEASES, json=ghost)).status_code == 201
    elector, worker = _elector(kube_api, "ghost", "heir"), Worker()
    started = time.monotonic()
    async with elector.campaigning(worker):
        await asyncio.wait_for(worker.started.wait(), 6)
    waited = time.monotonic() - started
    assert 2.0 <= waited < 4.0  # the holder's lease duration, as measured on our clock, plus a retry


async def test_work_stops_as_soon_as_the_lease_is_taken_away(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    elector, worker = _elector(kube_api, "taken", "first"), Worker()
    async with elector.campaigning(worker):
        await asyncio.wait_for(worker.started.wait(), 5)
        lease = (await cluster_http.get(f"{LEASES}/taken")).json()
        lease["spec"]["holderIdentity"] = "usurper"
        assert (await cluster_http.put(f"{LEASES}/taken", json=lease)).status_code == 200
        await asyncio.wait_for(worker.stopped.wait(), 2.0)  # at the next renewal (every 0.5 s here)
        assert not elector.leading
    assert await _holder(cluster_http, "taken") == "usurper"  # not ours to release
