"""The object store: identity, versions, concurrency, patches, lists, deletes and watch semantics."""

from __future__ import annotations

import pytest
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.storage.patches import JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.store import Store


@pytest.fixture
def cluster() -> Cluster:
    cluster = Cluster(history_size=50)
    cluster.load([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}])
    return cluster


@pytest.fixture
def store(cluster: Cluster) -> Store:
    return cluster.store


def _type(cluster: Cluster, group: str, version: str, plural: str) -> ResourceType:
    resource = cluster.catalogue.get(group, version, plural)
    assert resource is not None
    return resource


@pytest.fixture
def configmaps(cluster: Cluster) -> ResourceType:
    return _type(cluster, "", "v1", "configmaps")


@pytest.fixture
def deployments(cluster: Cluster) -> ResourceType:
    return _type(cluster, "apps", "v1", "deployments")


def _configmap(name: str, **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}


def test_create_fills_identity_and_versions(store: Store, configmaps: ResourceType) -> None:
    before = store.resource_version
    created = store.create(configmaps, "shop", _configmap("a"))
    metadata = created["metadata"]
    assert metadata["namespace"] == "shop"
    assert metadata["resourceVersion"] == str(before + 1)
    assert metadata["uid"] and metadata["creationTimestamp"].endswith("Z")
    assert created["kind"] == "ConfigMap" and created["apiVersion"] == "v1"
    with pytest.raises(ApiError) as error:
        store.create(configmaps, "shop", _configmap("a"))
    assert error.value.code == 409 and error.value.message == 'configmaps "a" already exists'


def test_generate_name_and_invalid_names(store: Store, configmaps: ResourceType) -> None:
    created = store.create(configmaps, "shop", {"metadata": {"generateName": "job-"}})
    assert created["metadata"]["name"].startswith("job-") and len(created["metadata"]["name"]) == 9
    with pytest.raises(ApiError) as error:
        store.create(configmaps, "shop", {"metadata": {"name": "Bad_Name"}})
    assert error.value.code == 422 and error.value.status["details"]["kind"] == "ConfigMap"
    with pytest.raises(ApiError) as error:
        store.create(configmaps, "nowhere", _configmap("a"))
    assert error.value.message == 'namespaces "nowhere" not found'


def test_update_conflicts_on_stale_version(store: Store, deployments: ResourceType) -> None:
    created = store.create(deployments, "shop", {"metadata": {"name": "web"}, "spec": {"replicas": 1}})
    stale = dict(created, spec={"replicas": 2})
    store.update(deployments, "shop", "web", stale)
    with pytest.raises(ApiError) as error:
        store.update(deployments, "shop", "web", dict(created, spec={"replicas": 3}))
    assert error.value.code == 409
    assert error.value.message == (
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply '
        "your changes to the latest version and try again"
    )


def test_generation_bumps_on_spec_only(store: Store, deployments: ResourceType) -> None:
    store.create(deployments, "shop", {"metadata": {"name": "web"}, "spec": {"replicas": 1}})
    labelled, _ = store.patch(deployments, "shop", "web", MERGE_PATCH, {"metadata": {"labels": {"a": "b"}}})
    assert labelled["metadata"]["generation"] == 1
    scaled, _ = store.patch(deployments, "shop", "web", MERGE_PATCH, {"spec": {"replicas": 2}})
    assert scaled["metadata"]["generation"] == 2
    status, _ = store.patch(deployments, "shop", "web", MERGE_PATCH, {"status": {"replicas": 2}}, subresource="status")
    assert status["metadata"]["generation"] == 2 and status["status"] == {"replicas": 2}
    ignored, _ = store.patch(deployments, "shop", "web", MERGE_PATCH, {"status": {"replicas": 5}})
    assert ignored["status"] == {"replicas": 2}  # status changes need the status subresource


def test_noop_write_keeps_resource_version(store: Store, configmaps: ResourceType) -> None:
    created = store.create(configmaps, "shop", _configmap("a"))
    same, _ = store.patch(configmaps, "shop", "a", MERGE_PATCH, {"data": {"k": "v"}})
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


def test_patch_types(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a"))
    merged, _ = store.patch(configmaps, "shop", "a", MERGE_PATCH, {"data": {"k": None, "n": "1"}})
    assert merged["data"] == {"n": "1"}
    patched, _ = store.patch(
        configmaps,
        "shop",
        "a",
        JSON_PATCH,
        [
            {"op": "add", "path": "/data/m", "value": "2"},
            {"op": "remove", "path": "/data/n"},
            {"op": "test", "path": "/data/m", "value": "2"},
        ],
    )
    assert patched["data"] == {"m": "2"}
    strategic, _ = store.patch(configmaps, "shop", "a", STRATEGIC_MERGE_PATCH, {"data": {"x": "y"}})
    assert strategic["data"] == {"m": "2", "x": "y"}
    with pytest.raises(ApiError) as error:
        store.patch(configmaps, "shop", "a", JSON_PATCH, [{"op": "test", "path": "/data/m", "value": "3"}])
    assert error.value.code == 422


def test_dry_run_changes_nothing(store: Store, configmaps: ResourceType) -> None:
    version = store.resource_version
    created = store.create(configmaps, "shop", _configmap("a"), dry_run=True)
    assert created["metadata"]["uid"]
    assert store.resource_version == version and not store.exists(configmaps, "shop", "a")


def test_list_pages_share_a_snapshot(store: Store, configmaps: ResourceType) -> None:
    for index in range(5):
        store.create(configmaps, "shop", _configmap(f"cm-{index}"))
    first = store.list(configmaps, "shop", limit=2)
    assert [obj["metadata"]["name"] for obj in first.items] == ["cm-0", "cm-1"]
    assert first.remaining == 3 and first.continue_token
    store.create(configmaps, "shop", _configmap("cm-2a"))
    second = store.list(configmaps, "shop", limit=2, continue_token=first.continue_token)
    assert [obj["metadata"]["name"] for obj in second.items] == ["cm-2", "cm-3"]
    assert second.resource_version == first.resource_version
    last = store.list(configmaps, "shop", limit=2, continue_token=second.continue_token)
    assert [obj["metadata"]["name"] for obj in last.items] == ["cm-4"] and not last.continue_token
    store.expire_history()
    with pytest.raises(ApiError) as error:
        store.list(configmaps, "shop", limit=2, continue_token=first.continue_token)
    assert error.value.code == 410 and error.value.reason == "Expired"


def test_list_selectors(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a", app="web"))
    store.create(configmaps, "shop", _configmap("b", app="db"))
    page = store.list(configmaps, label_selector="app in (web)", field_selector="metadata.namespace=shop")
    assert [obj["metadata"]["name"] for obj in page.items] == ["a"]
    with pytest.raises(ApiError) as error:
        store.list(configmaps, field_selector="data.k=v")
    assert error.value.code == 400


def test_namespace_deletion_cascades(store: Store, cluster: Cluster, configmaps: ResourceType) -> None:
    namespaces = _type(cluster, "", "v1", "namespaces")
    assert store.get(namespaces, None, "shop")["status"]["phase"] == "Active"
    store.create(configmaps, "shop", _configmap("a"))
    store.delete(namespaces, None, "shop")
    assert not store.exists(configmaps, "shop", "a")


def test_owner_reference_garbage_collection(store: Store, cluster: Cluster, deployments: ResourceType) -> None:
    replicasets = _type(cluster, "apps", "v1", "replicasets")
    owner = store.create(deployments, "shop", {"metadata": {"name": "web"}, "spec": {}})
    reference = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": owner["metadata"]["uid"]}
    store.create(replicasets, "shop", {"metadata": {"name": "web-1", "ownerReferences": [reference]}})
    store.create(replicasets, "shop", {"metadata": {"name": "web-2", "ownerReferences": [reference]}})
    store.delete(deployments, "shop", "web")
    assert store.list(replicasets, "shop").items == []


def test_finalizers_delay_deletion(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", {"metadata": {"name": "a", "finalizers": ["example.com/hold"]}})
    marked, deleted = store.delete(configmaps, "shop", "a")
    assert not deleted and marked["metadata"]["deletionTimestamp"]
    store.patch(configmaps, "shop", "a", MERGE_PATCH, {"metadata": {"finalizers": None}})
    assert not store.exists(configmaps, "shop", "a")


def _drain(watcher) -> list[tuple[str, str]]:
    events = []
    while not watcher.queue.empty():
        item = watcher.queue.get_nowait()
        if item is None:
            events.append(("END", ""))
            break
        events.append((item[0], item[1].get("metadata", {}).get("name") or item[1].get("message", "")))
    return events


def test_watch_from_now_and_replay(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a"))
    start = store.resource_version
    initial = store.watch(configmaps, "shop")
    assert _drain(initial) == [("ADDED", "a")]
    store.patch(configmaps, "shop", "a", MERGE_PATCH, {"data": {"k": "w"}})
    store.delete(configmaps, "shop", "a")
    assert _drain(initial) == [("MODIFIED", "a"), ("DELETED", "a")]
    replay = store.watch(configmaps, "shop", resource_version=str(start))
    assert _drain(replay) == [("MODIFIED", "a"), ("DELETED", "a")]


def test_watch_selector_transitions(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a", app="db"))
    watcher = store.watch(configmaps, "shop", resource_version=str(store.resource_version), label_selector="app=web")
    store.patch(configmaps, "shop", "a", MERGE_PATCH, {"metadata": {"labels": {"app": "web"}}})
    store.patch(configmaps, "shop", "a", MERGE_PATCH, {"metadata": {"labels": {"app": "db"}}})
    assert _drain(watcher) == [("ADDED", "a"), ("DELETED", "a")]


def test_watch_too_old_gets_in_band_410(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a"))
    old = store.resource_version
    store.patch(configmaps, "shop", "a", MERGE_PATCH, {"data": {"k": "w"}})
    store.expire_history()
    events = _drain(store.watch(configmaps, "shop", resource_version=str(old)))
    assert events == [("ERROR", f"too old resource version: {old} ({store.resource_version})"), ("END", "")]


def test_history_is_bounded(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a"))
    first = store.resource_version
    for index in range(60):
        store.patch(configmaps, "shop", "a", MERGE_PATCH, {"data": {"k": str(index)}})
    assert _drain(store.watch(configmaps, "shop", resource_version=str(first)))[0][0] == "ERROR"


def test_send_initial_events_ends_with_bookmark(store: Store, configmaps: ResourceType) -> None:
    store.create(configmaps, "shop", _configmap("a"))
    watcher = store.watch(configmaps, "shop", send_initial_events=True)
    first, second = watcher.queue.get_nowait(), watcher.queue.get_nowait()
    assert first[0] == "ADDED"
    assert second[0] == "BOOKMARK"
    assert second[1]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_drop_watches_and_forced_expiry(store: Store, configmaps: ResourceType) -> None:
    watcher = store.watch(configmaps, "shop")
    assert store.drop_watches() == 1
    assert _drain(watcher) == [("END", "")]
    store.expire_next_watches()
    forced = store.watch(configmaps, "shop", resource_version=str(store.resource_version))
    assert _drain(forced)[0][0] == "ERROR"
    assert _drain(store.watch(configmaps, "shop", resource_version=str(store.resource_version))) == []
