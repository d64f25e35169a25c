"""A watch's change journal (`change_count`, `changed_since`): readers follow a kind without diffing it whole."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sovereign_sandbox.apiserver.server import Sandbox
from watching import until

from console.kube import kind_watch
from console.kube.api import KubeApi, ResourcePath
from console.kube.watch_cache import WatchCache

pytestmark = pytest.mark.sandbox

CONFIGMAPS = ResourcePath("", "v1", "configmaps")
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


async def _namespace(cluster_http: httpx.AsyncClient) -> str:
    namespace = f"journal-{uuid.uuid4().hex[:6]}"
    response = await cluster_http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}})
    assert response.status_code == 201, response.text
    return namespace


async def _create(cluster_http: httpx.AsyncClient, namespace: str, name: str) -> None:
    body = {"metadata": {"name": name}, "data": {"k": "v"}}
    response = await cluster_http.post(f"/api/v1/namespaces/{namespace}/configmaps", json=body)
    assert response.status_code == 201, response.text


async def test_the_journal_names_what_changed_since_a_bookmark(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    cache = WatchCache(kube_api)
    namespace = await _namespace(cluster_http)
    async with cache.subscribe(CONFIGMAPS) as watch:
        await until(watch, lambda: watch.status.state == "live")
        bookmark = watch.change_count
        assert watch.changed_since(bookmark) == []
        await _create(cluster_http, namespace, "a")
        await _create(cluster_http, namespace, "b")
        patched = await cluster_http.patch(
            f"/api/v1/namespaces/{namespace}/configmaps/a", json={"data": {"k2": "v2"}}, headers=MERGE_PATCH
        )
        assert patched.status_code == 200
        assert (await cluster_http.delete(f"/api/v1/namespaces/{namespace}/configmaps/b")).status_code == 200
        ours = {f"{namespace}/a", f"{namespace}/b"}

        def journalled() -> list[str]:
            return [key for key in watch.changed_since(bookmark) or [] if key in ours]

        expected = [f"{namespace}/a", f"{namespace}/b", f"{namespace}/a", f"{namespace}/b"]
        await until(watch, lambda: journalled() == expected)
        assert watch.change_count >= bookmark + 4
        assert watch.get(f"{namespace}/b") is None  # deleted: the reader drops it
        changed = watch.get(f"{namespace}/a")
        assert changed is not None and set(changed["data"]) == {"k", "k2"}
        later = watch.change_count
        assert watch.changed_since(later) == []
        assert watch.changed_since(later + 1) is None  # a bookmark from the future: compare everything
    await cache.close()


async def test_a_reader_further_behind_than_the_journal_gets_none(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(kind_watch, "JOURNAL_LENGTH", 3)
    cache = WatchCache(kube_api)
    namespace = await _namespace(cluster_http)
    async with cache.subscribe(CONFIGMAPS) as watch:
        await until(watch, lambda: watch.status.state == "live")
        bookmark = watch.change_count
        for index in range(5):
            await _create(cluster_http, namespace, f"cm-{index}")
        await until(watch, lambda: watch.get(f"{namespace}/cm-4") is not None)
        assert watch.changed_since(bookmark) is None
        assert watch.changed_since(watch.change_count - 1) == [f"{namespace}/cm-4"]
    await cache.close()


async def test_a_relist_journals_what_it_brought(kube_api: KubeApi, cluster_http: httpx.AsyncClient, sandbox: Sandbox):
    """Watches dropped and the next one answered 410: what the relist brings is in the journal too."""
    cache = WatchCache(kube_api)
    namespace = await _namespace(cluster_http)
    async with cache.subscribe(CONFIGMAPS) as watch:
        await until(watch, lambda: watch.status.state == "live")
        relists, bookmark = watch.relists, watch.change_count
        store = sandbox.cluster.store
        sandbox.call(store.expire_next_watches, 1)
        sandbox.call(store.drop_watches)
        await _create(cluster_http, namespace, "after-expiry")
        key = f"{namespace}/after-expiry"
        await until(watch, lambda: key in (watch.changed_since(bookmark) or []))
        assert watch.relists > relists
    await cache.close()
