"""The simulation through real clients: controllers, pod lifecycle, EndpointSlices, Events, the Kyverno
stand-in and Flux, each awaited with a watch and a deadline (no fixed sleeps)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from kubernetes import client, watch
from sovereign_sandbox.apiserver.server import Sandbox

pytestmark = [pytest.mark.sandbox]

_IMAGE = "harbor.omantel.openova.cloud/proxy-docker/library/nginx:1.27.3"


def _until(
    list_call: Callable[..., Any],
    done: Callable[[dict[str, Any]], bool],
    *args: Any,
    deadline: float = 20,
    **kwargs: Any,
) -> dict[str, Any]:
    """Watch `list_call` until `done(objects by name)` holds; returns the objects (fails at the deadline)."""
    objects: dict[str, Any] = {}
    end = time.monotonic() + deadline
    while (remaining := end - time.monotonic()) > 0:
        stream = watch.Watch().stream(list_call, *args, timeout_seconds=max(1, int(remaining)), **kwargs)
        for event in stream:
            item = event["object"]
            if event["type"] == "DELETED":
                objects.pop(item.metadata.name, None)
            else:
                objects[item.metadata.name] = item
            if done(objects):
                return objects
    raise AssertionError(f"not reached within {deadline}s: {sorted(objects)}")


def _running(pod: client.V1Pod) -> bool:
    if pod.status is None or pod.metadata.deletion_timestamp:
        return False
    conditions = pod.status.conditions or []
    return pod.status.phase == "Running" and any(c.type == "Ready" and c.status == "True" for c in conditions)


def _deployment(name: str, replicas: int = 1, *, probes: bool = True, image: str = _IMAGE) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "app",
        "image": image,
        "ports": [{"containerPort": 8080, "name": "http"}],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "32Mi"}},
    }
    if probes:
        probe = {"httpGet": {"path": "/healthz", "port": 8080}}
        container.update(livenessProbe=probe, readinessProbe=probe)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}},
        },
    }


@pytest.fixture
def apps(api_client: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api_client)


def test_kubectl_scale_makes_running_pods_owned_by_the_replica_set(kubectl, apps, core, namespace) -> None:
    apps.create_namespaced_deployment(namespace, _deployment("web"))
    kubectl.run("scale", "deployment/web", "--replicas=3", "-n", namespace)
    pods = _until(
        core.list_namespaced_pod,
        lambda found: len(found) == 3 and all(_running(pod) for pod in found.values()),
        namespace,
        label_selector="app=web",
    )
    replica_sets = apps.list_namespaced_replica_set(namespace).items
    assert len(replica_sets) == 1
    replica_set = replica_sets[0]
    template_hash = replica_set.metadata.labels["pod-template-hash"]
    nodes = {node.metadata.name: node for node in core.list_node().items}
    for name, pod in pods.items():
        assert name.startswith(f"{replica_set.metadata.name}-") and len(name) == len(replica_set.metadata.name) + 6
        assert pod.metadata.labels["pod-template-hash"] == template_hash
        assert pod.metadata.owner_references[0].uid == replica_set.metadata.uid
        assert "node-role.kubernetes.io/control-plane" not in nodes[pod.spec.node_name].metadata.labels
        assert pod.status.pod_ip and pod.status.container_statuses[0].ready
    status = _until(
        apps.list_namespaced_deployment,
        lambda found: (found["web"].status.available_replicas or 0) == 3,
        namespace,
    )["web"].status
    assert (status.replicas, status.updated_replicas, status.ready_replicas) == (3, 3, 3)
    assert {c.type: c.status for c in status.conditions} == {"Available": "True", "Progressing": "True"}
    kubectl.run("scale", "deployment/web", "--replicas=1", "-n", namespace)
    _until(core.list_namespaced_pod, lambda found: len(found) == 1, namespace, label_selector="app=web")


def test_rollout_restart_rolls_pods_and_rollout_status_completes(kubectl, apps, core, namespace) -> None:
    apps.create_namespaced_deployment(namespace, _deployment("api", 2))
    kubectl.run("rollout", "status", "deployment/api", "-n", namespace, "--timeout=30s")
    before = {pod.metadata.name for pod in core.list_namespaced_pod(namespace).items}
    kubectl.run("rollout", "restart", "deployment/api", "-n", namespace)
    result = kubectl.run("rollout", "status", "deployment/api", "-n", namespace, "--timeout=30s")
    assert 'deployment "api" successfully rolled out' in result.stdout
    replica_sets = sorted(apps.list_namespaced_replica_set(namespace).items, key=lambda rs: rs.spec.replicas)
    assert [rs.spec.replicas for rs in replica_sets] == [0, 2]
    assert replica_sets[1].metadata.annotations["deployment.kubernetes.io/revision"] == "2"
    pods = _until(
        core.list_namespaced_pod,
        lambda found: len(found) == 2 and all(_running(pod) for pod in found.values()),
        namespace,
    )
    assert not set(pods) & before
    assert all(
        pod.metadata.labels["pod-template-hash"] == replica_sets[1].metadata.labels["pod-template-hash"]
        for pod in pods.values()
    )
    events = core.list_namespaced_event(namespace, field_selector="involvedObject.name=api").items
    assert any(event.reason == "ScalingReplicaSet" for event in events)


def test_endpoint_slice_follows_ready_pods(api_client, apps, core, namespace) -> None:
    discovery = client.DiscoveryV1Api(api_client)
    core.create_namespaced_service(
        namespace,
        {
            "metadata": {"name": "web"},
            "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
        },
    )
    apps.create_namespaced_deployment(namespace, _deployment("web", 2))

    def ready_addresses(found: dict[str, Any]) -> int:
        return sum(1 for item in found.values() for endpoint in item.endpoints or () if endpoint.conditions.ready)

    slices = _until(
        discovery.list_namespaced_endpoint_slice,
        lambda found: ready_addresses(found) == 2,
        namespace,
        label_selector="kubernetes.io/service-name=web",
    )
    endpoint_slice = next(iter(slices.values()))
    assert endpoint_slice.ports[0].port == 8080 and endpoint_slice.address_type == "IPv4"
    pods = {pod.status.pod_ip for pod in core.list_namespaced_pod(namespace).items}
    assert {endpoint.addresses[0] for endpoint in endpoint_slice.endpoints} == pods
    apps.patch_namespaced_deployment_scale(namespace=namespace, name="web", body={"spec": {"replicas": 1}})
    _until(
        discovery.list_namespaced_endpoint_slice,
        lambda found: ready_addresses(found) == 1 and all(len(item.endpoints or ()) == 1 for item in found.values()),
        namespace,
        label_selector="kubernetes.io/service-name=web",
    )


def test_crash_looping_pod_restart_count_grows(core) -> None:
    """Crash-looping pods restart again and again; any pod of the namespace counts, since a rollout may replace
    the one first listed (acme-dev's billing-worker rolls to a new ReplicaSet soon after start)."""
    pods = core.list_pod_for_all_namespaces().items
    crashing = next(
        pod
        for pod in pods
        if any(
            status.state.waiting and status.state.waiting.reason == "CrashLoopBackOff"
            for status in pod.status.container_statuses or ()
        )
    )
    namespace = crashing.metadata.namespace
    first_counts: dict[str, int] = {}

    def restarted_twice(found: dict[str, Any]) -> str | None:
        for name, pod in found.items():
            statuses = pod.status.container_statuses or ()
            if statuses:
                count = statuses[0].restart_count
                if count >= first_counts.setdefault(name, count) + 2:
                    return name
        return None

    found = _until(core.list_namespaced_pod, lambda found: restarted_twice(found) is not None, namespace, deadline=30)
    status = found[restarted_twice(found)].status.container_statuses[0]
    assert status.last_state.terminated.exit_code == 1


def test_image_pull_back_off_until_the_image_is_fixed(core, namespace) -> None:
    pod = {
        "metadata": {"name": "broken"},
        "spec": {"containers": [{"name": "app", "image": "harbor.omantel.openova.cloud/acme/does-not-exist:1.0"}]},
    }
    core.create_namespaced_pod(namespace, pod)

    def waiting(reason: str) -> Callable[[dict[str, Any]], bool]:
        def check(found: dict[str, Any]) -> bool:
            pod = found.get("broken")
            statuses = pod and pod.status and pod.status.container_statuses
            return bool(statuses and statuses[0].state.waiting and statuses[0].state.waiting.reason == reason)

        return check

    _until(core.list_namespaced_pod, waiting("ImagePullBackOff"), namespace)
    core.patch_namespaced_pod("broken", namespace, {"spec": {"containers": [{"name": "app", "image": _IMAGE}]}})
    _until(core.list_namespaced_pod, lambda found: _running(found["broken"]), namespace)
    reasons = {event.reason for event in core.list_namespaced_event(namespace).items}
    assert {"Scheduled", "Pulling", "Failed", "BackOff", "Pulled", "Created", "Started"} <= reasons


def test_events_for_a_new_pod(sandbox: Sandbox, apps, core, namespace) -> None:
    apps.create_namespaced_deployment(namespace, _deployment("web"))
    pod = next(iter(_until(core.list_namespaced_pod, lambda found: any(map(_running, found.values())), namespace)))
    response = httpx.get(
        f"{sandbox.http_url}/api/v1/namespaces/{namespace}/events",
        params={"fieldSelector": f"involvedObject.name={pod}"},
    )
    events = response.json()["items"]
    by_reason = {event["reason"]: event for event in events}
    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= set(by_reason)
    started = by_reason["Started"]
    assert started["eventTime"] is None and started["count"] == 1 and started["type"] == "Normal"
    assert started["involvedObject"]["kind"] == "Pod" and started["source"]["component"] == "kubelet"
    assert started["firstTimestamp"] and started["lastTimestamp"] and started["reportingComponent"] == "kubelet"
    assert by_reason["Scheduled"]["source"]["component"] == "default-scheduler"
    replica_set_events = core.list_namespaced_event(namespace, field_selector="involvedObject.kind=ReplicaSet").items
    assert [event.reason for event in replica_set_events] == ["SuccessfulCreate"]


def test_stateful_set_and_daemon_set_pods(apps, core, namespace) -> None:
    template = _deployment("db")["spec"]["template"]
    apps.create_namespaced_stateful_set(
        namespace,
        {
            "metadata": {"name": "db"},
            "spec": {
                "replicas": 2,
                "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": template,
            },
        },
    )
    pods = _until(
        core.list_namespaced_pod,
        lambda found: len(found) == 2 and all(map(_running, found.values())),
        namespace,
        label_selector="app=db",
    )
    assert sorted(pods) == ["db-0", "db-1"]
    status = _until(apps.list_namespaced_stateful_set, lambda found: found["db"].status.ready_replicas == 2, namespace)[
        "db"
    ].status
    assert status.replicas == 2 and status.current_revision == status.update_revision
    agent = _deployment("agent")["spec"]["template"]
    agent["metadata"]["labels"] = {"app": "agent"}
    apps.create_namespaced_daemon_set(
        namespace,
        {"metadata": {"name": "agent"}, "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": agent}},
    )
    workers = [
        node for node in core.list_node().items if not any(t.effect == "NoSchedule" for t in node.spec.taints or ())
    ]
    pods = _until(
        core.list_namespaced_pod,
        lambda found: len(found) == len(workers) and all(map(_running, found.values())),
        namespace,
        label_selector="app=agent",
    )
    assert {pod.spec.node_name for pod in pods.values()} == {node.metadata.name for node in workers}
    _until(apps.list_namespaced_daemon_set, lambda found: found["agent"].status.number_ready == len(workers), namespace)


def _report(objects: client.CustomObjectsApi, namespace: str, uid: str, deadline: float = 10) -> dict[str, Any]:
    end = time.monotonic() + deadline
    stream = watch.Watch().stream(
        objects.list_namespaced_custom_object,
        "wgpolicyk8s.io",
        "v1alpha2",
        namespace,
        "policyreports",
        field_selector=f"metadata.name={uid}",
        timeout_seconds=int(deadline),
    )
    for event in stream:
        if event["type"] != "DELETED":
            return event["object"]
        if time.monotonic() > end:
            break
    raise AssertionError(f"no PolicyReport {uid}")


def _results(report: dict[str, Any]) -> dict[str, str]:
    return {result["policy"]: result["result"] for result in report["results"]}


def test_policy_report_follows_the_deployment(api_client, apps, namespace) -> None:
    objects = client.CustomObjectsApi(api_client)
    deployment = apps.create_namespaced_deployment(namespace, _deployment("web", probes=False))
    uid = deployment.metadata.uid
    report = _report(objects, namespace, uid)
    assert report["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "kyverno"
    assert report["metadata"]["ownerReferences"][0]["uid"] == uid
    assert report["scope"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
        "namespace": namespace,
        "uid": uid,
    }
    assert _results(report)["probes-present"] == "fail"
    failing = next(result for result in report["results"] if result["policy"] == "probes-present")
    assert failing["severity"] == "high" and failing["category"] and failing["source"] == "kyverno"
    assert failing["scored"] is True and set(failing["timestamp"]) == {"seconds", "nanos"}
    assert failing["properties"] == {"process": "background scan"}
    assert report["summary"]["fail"] == sum(1 for r in report["results"] if r["result"] == "fail")
    probe = {"httpGet": {"path": "/healthz", "port": 8080}}
    apps.patch_namespaced_deployment(
        "web",
        namespace,
        {
            "spec": {
                "template": {"spec": {"containers": [{"name": "app", "livenessProbe": probe, "readinessProbe": probe}]}}
            }
        },
    )
    end = time.monotonic() + 10
    while _results(report)["probes-present"] != "pass":
        assert time.monotonic() < end, "the report did not turn to pass"
        stream = watch.Watch().stream(
            objects.list_namespaced_custom_object,
            "wgpolicyk8s.io",
            "v1alpha2",
            namespace,
            "policyreports",
            field_selector=f"metadata.name={uid}",
            resource_version=report["metadata"]["resourceVersion"],
            timeout_seconds=5,
        )
        report = next(iter(stream))["object"]
    apps.delete_namespaced_deployment("web", namespace)
    reports = objects.list_namespaced_custom_object("wgpolicyk8s.io", "v1alpha2", namespace, "policyreports")
    assert uid not in {item["metadata"]["name"] for item in reports["items"]}


def test_seeded_reports_are_named_by_resource_uid(api_client, apps) -> None:
    objects = client.CustomObjectsApi(api_client)
    deployment = next(
        d
        for d in apps.list_deployment_for_all_namespaces().items
        if "catalyst.openova.io/application" in (d.metadata.labels or {})
    )
    report = _report(objects, deployment.metadata.namespace, deployment.metadata.uid)
    assert report["scope"]["name"] == deployment.metadata.name
    names = {
        item["metadata"]["name"]
        for item in objects.list_cluster_custom_object("wgpolicyk8s.io", "v1alpha2", "policyreports")["items"]
    }
    assert not any(name.startswith(("deployment-", "statefulset-")) for name in names)


def test_flux_reconcile_request_and_suspend(kubectl, api_client) -> None:
    objects = client.CustomObjectsApi(api_client)
    group, version, plural = "helm.toolkit.fluxcd.io", "v2", "helmreleases"
    releases = objects.list_cluster_custom_object(group, version, plural)["items"]

    def ready_of(item: dict[str, Any]) -> dict[str, Any]:
        return next(c for c in item["status"]["conditions"] if c["type"] == "Ready")

    assert any(ready_of(item)["status"] == "False" for item in releases), "one release is degraded"
    release = next(item for item in releases if ready_of(item)["status"] == "True")
    namespace, name = release["metadata"]["namespace"], release["metadata"]["name"]
    stamp = f"{uuid.uuid4()}"
    kubectl.run(
        "annotate", "helmrelease", name, "-n", namespace, f"reconcile.fluxcd.io/requestedAt={stamp}", "--overwrite"
    )

    def wait(check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        stream = watch.Watch().stream(
            objects.list_namespaced_custom_object,
            group,
            version,
            namespace,
            plural,
            field_selector=f"metadata.name={name}",
            timeout_seconds=10,
        )
        for event in stream:
            if check(event["object"]):
                return event["object"]
        raise AssertionError("not reached")

    wait(lambda item: item["status"].get("lastHandledReconcileAt") == stamp and ready_of(item)["status"] == "True")
    objects.patch_namespaced_custom_object(group, version, namespace, plural, name, {"spec": {"suspend": True}})
    wait(lambda item: ready_of(item)["reason"] == "Suspended" and ready_of(item)["status"] == "False")
    objects.patch_namespaced_custom_object(group, version, namespace, plural, name, {"spec": {"suspend": False}})
    wait(lambda item: ready_of(item)["status"] == "True")


def _pod_names_after_operations(seed: int) -> list[str]:
    with Sandbox(kube_port=0, seed=seed) as sandbox, httpx.Client(base_url=sandbox.http_url) as http:
        http.post("/api/v1/namespaces", json={"metadata": {"name": "same"}}).raise_for_status()
        http.post("/apis/apps/v1/namespaces/same/deployments", json=_deployment("web", 3)).raise_for_status()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pods = http.get("/api/v1/namespaces/same/pods").json()["items"]
            if len(pods) == 3 and all(pod["status"].get("phase") == "Running" for pod in pods):
                break
            http.get("/api/v1/namespaces/same/pods", params={"watch": "1", "timeoutSeconds": "1"})
        http.patch(
            "/apis/apps/v1/namespaces/same/deployments/web/scale",
            json={"spec": {"replicas": 5}},
            headers={"content-type": "application/merge-patch+json"},
        ).raise_for_status()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pods = http.get("/api/v1/namespaces/same/pods").json()["items"]
            if len(pods) == 5:
                break
            http.get("/api/v1/namespaces/same/pods", params={"watch": "1", "timeoutSeconds": "1"})
        return sorted(pod["metadata"]["name"] for pod in pods)


def test_same_seed_same_pod_names() -> None:
    first = _pod_names_after_operations(7)
    assert len(first) == 5
    assert _pod_names_after_operations(7) == first
