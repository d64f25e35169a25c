"""The watch cache when the cluster is slow or misbehaves, over real HTTP: first rows before the list ends,
relists that lose nothing on the way, an unreachable server, a watch killed by a malformed answer."""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import pytest
from cutting_proxy import CuttingProxy
from watching import names, until

from console.kube.api import KubeApi, ResourcePath
from console.kube.objects import labels_of, name_of, namespace_of
from console.kube.watch_cache import KindWatch, WatchCache, wait_any

pytestmark = pytest.mark.sandbox

NAMESPACES = ResourcePath("", "v1", "namespaces")
CONFIGMAPS = ResourcePath("", "v1", "configmaps")
WATCH_TASK = "watch /api/v1/namespaces"


def _keys(watch: KindWatch) -> set[tuple[str, str]]:
    return {(namespace_of(obj), name_of(obj)) for obj in watch.objects()}


async def test_the_first_page_shows_before_the_list_ends(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    later_pages = proxy.hold("continue=")
    cache = WatchCache(api, page_size=3)
    watch = cache.acquire(NAMESPACES)
    await until(watch, lambda: len(watch) > 0)
    assert len(watch) == 3 and not watch.synced
    assert watch.status.state == "loading" and watch.status.describe() == "loading more… (3)"
    assert watch.loading
    later_pages.release()
    assert await watch.wait_synced()
    await until(watch, lambda: watch.status.state == "live")
    assert {"default", "kube-system"} <= names(watch) and len(watch) > 3
    await cache.close()


async def test_a_relist_keeps_every_object_until_the_new_list_is_complete(
    proxied_api: tuple[KubeApi, CuttingProxy], cluster_http: httpx.AsyncClient, sandbox
):
    """A 410 relist reconciles into what readers see: nothing vanishes mid-way; the deleted goes at the end."""
    api, proxy = proxied_api
    namespace = f"relist-{uuid.uuid4().hex[:6]}"
    assert (await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})).status_code == 201
    collection = f"/api/v1/namespaces/{namespace}/configmaps"
    for name in ("kept", "changed", "gone"):
        created = await cluster_http.post(collection, json={"metadata": {"name": name, "labels": {"round": "1"}}})
        assert created.status_code == 201
    first_watch = proxy.hold("watch=true")  # changes made while the watch waits here are missed by it
    cache = WatchCache(api, page_size=10)
    watch = cache.acquire(CONFIGMAPS)
    await until(watch, lambda: watch.status.state == "live")
    async with asyncio.timeout(5):
        await first_watch.reached.wait()
    before, relists = _keys(watch), watch.relists
    assert (namespace, "gone") in before and len(before) > 10  # the relist takes several pages

    sandbox.faults.expire_next_watches(1)
    assert (await cluster_http.delete(f"{collection}/gone")).status_code == 200
    patched = await cluster_http.patch(
        f"{collection}/changed",
        json={"metadata": {"labels": {"round": "2"}}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    later_pages = proxy.hold("continue=")
    first_watch.release()  # 410: the cache relists; its first page arrives, the others wait
    async with asyncio.timeout(5):
        await later_pages.reached.wait()
    assert before <= _keys(watch), "an object vanished while the relist was under way"
    assert watch.synced and watch.status.state == "resyncing" and watch.relists == relists

    later_pages.release()
    await until(watch, lambda: watch.relists > relists and watch.status.state == "live")
    assert (namespace, "gone") not in _keys(watch)
    assert (namespace, "kept") in _keys(watch)
    changed = next(obj for obj in watch.objects() if (namespace_of(obj), name_of(obj)) == (namespace, "changed"))
    assert labels_of(changed)["round"] == "2"
    await cache.close()


async def test_a_list_without_answer_turns_unreachable_within_the_sync_timeout(kube_api: KubeApi, sandbox):
    sandbox.faults.delay_next("/api/v1/namespaces", count=1, seconds=2.0)
    cache = WatchCache(kube_api, sync_timeout_seconds=0.3)
    watch = cache.acquire(NAMESPACES)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await watch.wait_synced()  # an event waiting for the list is never frozen
    await until(watch, lambda: watch.status.state == "unreachable", timeout=1.0)
    assert loop.time() - started < 1.0
    assert watch.status.describe() == "unreachable: no answer from the API server in 0.3 s"
    assert not watch.loading  # the page says the cluster is unreachable instead of spinning
    await until(watch, lambda: watch.status.state == "live", timeout=5.0)  # the late answer still counts
    assert "default" in names(watch)
    await cache.close()


async def test_an_unavailable_api_server_is_unreachable_then_live_again(kube_api: KubeApi, sandbox):
    """503s from the server (injected by the sandbox) read as unreachable, not as a refusal; retries recover."""
    sandbox.faults.fail_next("/api/v1/namespaces", count=2, status=503)
    cache = WatchCache(kube_api, max_backoff_seconds=0.2)
    watch = cache.acquire(NAMESPACES)
    await until(watch, lambda: watch.status.state == "unreachable")
    assert watch.status.describe() == "unreachable: the server is currently unable to handle the request"
    await until(watch, lambda: watch.status.state == "live")
    await cache.close()


async def test_a_cluster_that_goes_away_is_unreachable_at_once(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    cache = WatchCache(api, max_backoff_seconds=0.2, sync_timeout_seconds=2.0)
    namespaces = cache.acquire(NAMESPACES)
    await until(namespaces, lambda: namespaces.status.state == "live")
    proxy.stop()  # connections drop and new ones are refused
    await until(namespaces, lambda: namespaces.status.state == "unreachable", timeout=2.0)
    assert namespaces.status.describe().startswith("unreachable: cannot reach the API server")
    assert "default" in names(namespaces)  # what was listed stays on screen, marked by the status
    configmaps = cache.acquire(CONFIGMAPS)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await configmaps.wait_synced()
    assert loop.time() - started < 2.0 and configmaps.status.state == "unreachable"
    await cache.close()


async def test_a_watch_killed_by_a_malformed_event_restarts_and_goes_live(
    proxied_api: tuple[KubeApi, CuttingProxy], cluster_http: httpx.AsyncClient, caplog
):
    api, proxy = proxied_api
    first_watch = proxy.hold("watch=true")
    cache = WatchCache(api, max_backoff_seconds=0.2)
    watch = cache.acquire(NAMESPACES)
    await until(watch, lambda: watch.status.state == "live")
    async with asyncio.timeout(5):
        await first_watch.reached.wait()
    proxy.inject_line(b'{"type":"ADDED","object":"not an object"}')  # valid JSON the cache cannot apply
    with caplog.at_level(logging.ERROR, logger="console.kube.kind_watch"):
        first_watch.release()  # its stream starts with the injected line
        await until(watch, lambda: watch.restarts == 1)
        assert watch.status.describe().startswith("error: unexpected failure: AttributeError")
        await until(watch, lambda: watch.status.state == "live")
    died = [record for record in caplog.records if "died unexpectedly" in record.getMessage()]
    assert died and died[0].exc_info is not None and died[0].exc_info[0] is AttributeError
    name = f"after-restart-{uuid.uuid4().hex[:6]}"
    assert (await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": name}})).status_code == 201
    await until(watch, lambda: name in names(watch))
    await cache.close()


async def test_acquire_never_hands_out_a_watch_whose_task_ended(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    cache = WatchCache(kube_api)
    watch = cache.acquire(NAMESPACES)
    assert await watch.wait_synced()
    (task,) = [task for task in asyncio.all_tasks() if task.get_name() == WATCH_TASK]
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert cache.acquire(NAMESPACES) is watch  # its subscribers keep their reference: the same watch runs again
    running = [task for task in asyncio.all_tasks() if task.get_name() == WATCH_TASK]
    assert len(running) == 1 and not running[0].done()
    name = f"after-restart-{uuid.uuid4().hex[:6]}"
    assert (await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": name}})).status_code == 201
    await until(watch, lambda: name in names(watch))
    await cache.close()


async def test_wait_any_returns_on_a_change_or_a_wakeup(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    cache = WatchCache(kube_api)
    watch = cache.acquire(NAMESPACES)
    await until(watch, lambda: watch.status.state == "live")
    seen = {id(watch): watch.revision}
    wakeup = asyncio.Event()
    wakeup.set()
    await wait_any([watch], seen, timeout=30, wakeup=wakeup)  # woken already: returns at once, cleared
    assert not wakeup.is_set() and watch.revision == seen[id(watch)]
    name = f"wait-any-{uuid.uuid4().hex[:6]}"
    assert (await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": name}})).status_code == 201
    await wait_any([watch], seen, timeout=30, wakeup=wakeup)
    assert watch.revision > seen[id(watch)]
    await cache.close()
