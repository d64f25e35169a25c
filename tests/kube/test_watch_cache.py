"""The shared watch cache against the sandbox API server, over HTTPS as the console's service account."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sovereign_sandbox.apiserver.server import Sandbox
from watching import names, until

from console.kube.api import KubeApi, ResourcePath
from console.kube.objects import name_of
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

NAMESPACES = ResourcePath("", "v1", "namespaces")
CONFIGMAPS = ResourcePath("", "v1", "configmaps")


async def _in_batches(requests, size: int = 25) -> None:
    """Send writes concurrently, a batch at a time, checking every answer."""
    pending = list(requests)
    for start in range(0, len(pending), size):
        for response in await asyncio.gather(*pending[start : start + size]):
            assert response.status_code in (200, 201), response.text


async def test_first_list_holds_the_seeded_namespaces(kube_api: KubeApi):
    cache = WatchCache(kube_api, page_size=3)
    async with cache.subscribe(NAMESPACES) as watch:
        await watch.wait_synced()
        assert {"default", "kube-system", "acme-prod-wordpress"} <= names(watch)
        await until(watch, lambda: watch.status.state == "live")
    await cache.close()


async def test_created_and_deleted_objects_follow_the_cluster(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    cache = WatchCache(kube_api)
    name = f"cache-{uuid.uuid4().hex[:6]}"
    async with cache.subscribe(NAMESPACES) as watch:
        await watch.wait_synced()
        created = await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": name}})
        assert created.status_code == 201
        await until(watch, lambda: name in names(watch))
        deleted = await cluster_http.delete(f"/api/v1/namespaces/{name}")
        assert deleted.status_code in (200, 202)
        await until(watch, lambda: name not in names(watch))
    await cache.close()


async def test_a_too_old_watch_relists_and_reconciles(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient, sandbox: Sandbox
):
    """Watches dropped and the next watch answered 410: the cache relists and misses nothing."""
    cache = WatchCache(kube_api)
    async with cache.subscribe(CONFIGMAPS) as watch:
        await until(watch, lambda: watch.status.state == "live")
        relists = watch.relists
        store = sandbox.cluster.store
        sandbox.call(store.expire_next_watches, 1)
        sandbox.call(store.drop_watches)
        name = f"after-expiry-{uuid.uuid4().hex[:6]}"
        response = await cluster_http.post(
            "/api/v1/namespaces/default/configmaps", json={"metadata": {"name": name}, "data": {"k": "v"}}
        )
        assert response.status_code == 201
        await until(watch, lambda: name in names(watch))
        assert watch.relists > relists
        await until(watch, lambda: watch.status.state == "live")
    await cache.close()


async def test_no_update_is_lost_under_churn(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    """A thousand writes (creates, patches, deletes) while watching: the cache ends equal to a fresh list."""
    cache = WatchCache(kube_api)
    namespace = f"churn-{uuid.uuid4().hex[:6]}"
    await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})
    async with cache.subscribe(CONFIGMAPS) as watch:
        await until(watch, lambda: watch.status.state == "live")
        collection = f"/api/v1/namespaces/{namespace}/configmaps"
        await _in_batches(
            cluster_http.post(collection, json={"metadata": {"name": f"cm-{index}"}, "data": {"n": str(index)}})
            for index in range(500)
        )
        await _in_batches(
            cluster_http.patch(
                f"{collection}/cm-{index}",
                json={"data": {"n": "patched"}},
                headers={"Content-Type": "application/merge-patch+json"},
            )
            for index in range(250)
        )
        await _in_batches(cluster_http.delete(f"{collection}/cm-{index}") for index in range(250, 500))

        fresh = (await cluster_http.get("/api/v1/configmaps")).json()
        expected = {
            (item["metadata"]["namespace"], item["metadata"]["name"]): item["metadata"]["resourceVersion"]
            for item in fresh["items"]
        }

        def cached() -> dict:
            return {
                (obj["metadata"]["namespace"], obj["metadata"]["name"]): obj["metadata"]["resourceVersion"]
                for obj in watch.objects()
            }

        await until(watch, lambda: cached() == expected)
    await cache.close()


async def test_a_failing_list_reports_an_error_status(kube_api: KubeApi, sandbox: Sandbox):
    """A failing request surfaces as `error: …` with the server's answer, then keeps retrying.

    An unserved group gets a real server's plain-text 404; an unknown resource of a served group its NotFound
    Status: both mean "not served".
    """
    cache = WatchCache(kube_api, max_backoff_seconds=0.2)
    async with cache.subscribe(ResourcePath("example.invalid", "v1", "gizmos")) as watch:
        await until(watch, lambda: watch.status.state == "error")
        assert watch.status.describe() == "error: 404 page not found"
        assert watch.status.not_served
    async with cache.subscribe(ResourcePath("apps", "v1", "gizmos")) as watch:
        await until(watch, lambda: watch.status.state == "error")
        assert watch.status.describe() == "error: the server could not find the requested resource"
        assert watch.status.not_served
    await cache.close()


async def test_watch_stops_after_the_grace_period_and_restarts_on_demand(kube_api: KubeApi):
    cache = WatchCache(kube_api, grace_seconds=0.05)
    async with cache.subscribe(NAMESPACES) as watch:
        await watch.wait_synced()
    assert cache.running() == [NAMESPACES]
    stopped = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(0.2, stopped.set_result, None)
    await stopped
    assert cache.running() == []
    async with cache.subscribe(NAMESPACES) as again:
        await again.wait_synced()
        assert "default" in names(again)
    await cache.close()


async def test_two_subscribers_share_one_watch(kube_api: KubeApi):
    cache = WatchCache(kube_api)
    async with cache.subscribe(NAMESPACES) as first, cache.subscribe(NAMESPACES) as second:
        assert first is second
        assert cache.running() == [NAMESPACES]
    await cache.close()


async def test_secret_and_configmap_values_never_enter_the_cache(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    name = f"token-{uuid.uuid4().hex[:6]}"
    created = await cluster_http.post(
        "/api/v1/namespaces/default/secrets",
        json={"metadata": {"name": name}, "stringData": {"password": "hunter2"}, "data": {"key": "c2VjcmV0"}},
    )
    assert created.status_code == 201
    cache = WatchCache(kube_api)
    async with cache.subscribe(ResourcePath("", "v1", "secrets")) as watch:
        await until(watch, lambda: any(name_of(obj) == name for obj in watch.objects()))
        cached = next(obj for obj in watch.objects() if name_of(obj) == name)
        assert set(cached["data"]) == {"key", "password"}
        assert set(cached["data"].values()) == {""}
        assert "hunter2" not in str(watch.objects()) and "c2VjcmV0" not in str(watch.objects())
    await cache.close()
