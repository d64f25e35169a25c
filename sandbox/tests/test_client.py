"""The official Python client against the sandbox over HTTPS: CRUD, selectors, chunking and watch."""

from __future__ import annotations

import json
import threading
import uuid

import httpx
import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from sovereign_sandbox.apiserver.server import Sandbox

pytestmark = pytest.mark.sandbox


def _configmap(name: str, **labels: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data={"k": "v"})


def test_health_version_and_discovery(sandbox: Sandbox, api_client: client.ApiClient) -> None:
    assert httpx.get(f"{sandbox.http_url}/healthz").text == "ok"
    assert client.VersionApi(api_client).get_code().git_version == "v1.37.0"
    groups = {group.name for group in client.ApisApi(api_client).get_api_versions().groups}
    assert {"apps", "apiextensions.k8s.io", "events.k8s.io", "rbac.authorization.k8s.io"} <= groups
    resources = client.CoreV1Api(api_client).get_api_resources().resources
    assert {"pods", "pods/log", "pods/exec", "pods/status", "namespaces"} <= {r.name for r in resources}


def test_https_requires_a_known_token(sandbox: Sandbox) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = httpx.get(f"{sandbox.https_url}/api/v1/namespaces", headers=headers, verify=str(sandbox.ca_path))
        assert response.status_code == 401
        assert response.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        }
    console = httpx.get(
        f"{sandbox.https_url}/api/v1/namespaces",
        verify=str(sandbox.ca_path),
        headers={"Authorization": f"Bearer {sandbox.console_token}"},
    )
    assert console.status_code == 200


def test_namespace_and_configmap_lifecycle(core: client.CoreV1Api, namespace: str) -> None:
    assert core.read_namespace(namespace).status.phase == "Active"
    created = core.create_namespaced_config_map(namespace, _configmap("settings", app="web"))
    assert created.metadata.uid and isinstance(created.metadata.resource_version, str)
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map(namespace, _configmap("settings"))
    assert error.value.status == 409
    patched = core.patch_namespaced_config_map("settings", namespace, {"data": {"extra": "1"}})
    assert patched.data == {"k": "v", "extra": "1"}
    core.delete_namespaced_config_map("settings", namespace)
    with pytest.raises(ApiException) as error:
        core.read_namespaced_config_map("settings", namespace)
    assert error.value.status == 404
    assert json.loads(error.value.body)["message"] == 'configmaps "settings" not found'


def test_selectors_and_chunking(core: client.CoreV1Api, namespace: str) -> None:
    for index in range(5):
        core.create_namespaced_config_map(namespace, _configmap(f"cm-{index}", tier="a" if index % 2 else "b"))
    labelled = core.list_namespaced_config_map(namespace, label_selector="tier in (a)")
    assert [item.metadata.name for item in labelled.items] == ["cm-1", "cm-3"]
    named = core.list_config_map_for_all_namespaces(
        field_selector=f"metadata.namespace={namespace},metadata.name!=cm-0"
    )
    assert len(named.items) == 4
    names, token, versions = [], None, set()
    while True:
        page = core.list_namespaced_config_map(namespace, limit=2, _continue=token)
        names += [item.metadata.name for item in page.items]
        versions.add(page.metadata.resource_version)
        token = page.metadata._continue
        if not token:
            break
    assert names == [f"cm-{index}" for index in range(5)] and len(versions) == 1
    assert core.list_namespaced_config_map(namespace, label_selector="tier=none").items == []
    with pytest.raises(ApiException) as error:
        core.list_namespaced_pod(namespace, field_selector="spec.bogus=1")
    assert error.value.status == 400


def test_watch_sees_added_modified_deleted(sandbox: Sandbox, core: client.CoreV1Api, namespace: str) -> None:
    start = core.list_namespaced_config_map(namespace).metadata.resource_version

    def write() -> None:
        core.create_namespaced_config_map(namespace, _configmap("watched"))
        core.patch_namespaced_config_map("watched", namespace, {"data": {"k": "w"}})
        core.delete_namespaced_config_map("watched", namespace)

    writer = threading.Timer(0.2, write)
    writer.start()
    seen = []
    for event in watch.Watch().stream(
        core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=10
    ):
        if event["object"].metadata.name != "watched":
            continue  # controllers (like a real cluster's) may write other configmaps, e.g. kube-root-ca.crt
        seen.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            break
    writer.join()
    assert seen == [("ADDED", "watched"), ("MODIFIED", "watched"), ("DELETED", "watched")]


def test_watch_recovers_from_410(sandbox: Sandbox, core: client.CoreV1Api, namespace: str) -> None:
    """The client re-watches once after an in-band 410 (only without timeout_seconds)."""
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    sandbox.call(sandbox.cluster.store.expire_next_watches, 1)
    name = f"after-{uuid.uuid4().hex[:6]}"
    writer = threading.Timer(0.3, lambda: core.create_namespaced_config_map(namespace, _configmap(name)))
    writer.start()
    stream = watch.Watch()
    seen = None
    for event in stream.stream(core.list_namespaced_config_map, namespace, resource_version=start):
        seen = (event["type"], event["object"].metadata.name)
        stream.stop()
    writer.join()
    assert seen == ("ADDED", name)


def test_watch_too_old_after_expired_history(sandbox: Sandbox, core: client.CoreV1Api, namespace: str) -> None:
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, _configmap("bump"))
    sandbox.call(sandbox.cluster.store.expire_history)
    with pytest.raises(ApiException) as error:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=5
        ):
            pass
    assert error.value.status == 410 and "too old resource version" in error.value.reason


def test_watch_bookmarks_and_initial_events(sandbox: Sandbox, namespace: str, core: client.CoreV1Api) -> None:
    core.create_namespaced_config_map(namespace, _configmap("one"))
    url = f"{sandbox.http_url}/api/v1/namespaces/{namespace}/configmaps"
    params = {
        "watch": "1",
        "sendInitialEvents": "true",
        "resourceVersionMatch": "NotOlderThan",
        "allowWatchBookmarks": "true",
        "timeoutSeconds": "2",
    }
    with httpx.stream("GET", url, params=params, timeout=10) as response:
        assert response.headers["content-type"] == "application/json"
        lines = [line for line in response.iter_lines() if line]
    events = [json.loads(line) for line in lines]
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "one"
    assert events[1]["type"] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_drop_watches_ends_streams(sandbox: Sandbox, namespace: str) -> None:
    url = f"{sandbox.http_url}/api/v1/namespaces/{namespace}/configmaps"
    with httpx.stream("GET", url, params={"watch": "true", "resourceVersion": "0"}, timeout=10) as response:
        sandbox.call(sandbox.cluster.store.drop_watches)
        assert [line for line in response.iter_lines() if line] == []


def test_events_are_served_in_both_groups(sandbox: Sandbox, core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_event(
        namespace,
        client.CoreV1Event(
            metadata=client.V1ObjectMeta(name="e1"),
            involved_object=client.V1ObjectReference(kind="Pod", name="p"),
            reason="Started",
            message="hello",
            type="Normal",
        ),
    )
    response = httpx.get(f"{sandbox.http_url}/apis/events.k8s.io/v1/namespaces/{namespace}/events/e1")
    body = response.json()
    assert body["apiVersion"] == "events.k8s.io/v1" and body["note"] == "hello"
    assert body["regarding"]["name"] == "p" and body["eventTime"] is None
