"""metrics.k8s.io/v1beta1 through discovery, `kubectl top` and the Python client."""

from __future__ import annotations

import re

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException
from sovereign_sandbox.node.metrics import container_usage, parse_quantity

pytestmark = [pytest.mark.sandbox]

_CPU = re.compile(r"^\d+n$")
_MEMORY = re.compile(r"^\d+Ki$")


def test_discovery_lists_the_group(api_client: client.ApiClient) -> None:
    groups = client.ApisApi(api_client).get_api_versions().groups
    metrics = next(group for group in groups if group.name == "metrics.k8s.io")
    assert metrics.preferred_version.group_version == "metrics.k8s.io/v1beta1"
    resources = client.CustomObjectsApi(api_client).get_api_resources("metrics.k8s.io", "v1beta1").resources
    assert {(resource.name, resource.kind, resource.namespaced) for resource in resources} == {
        ("nodes", "NodeMetrics", False),
        ("pods", "PodMetrics", True),
    }
    assert all(resource.verbs == ["get", "list"] for resource in resources)


def test_kubectl_top(kubectl, pod_where) -> None:
    namespace, _, _ = pod_where(
        lambda pod: pod["status"].get("phase") == "Running" and "storefront" in str(pod["spec"])
    )
    pods = kubectl.run("top", "pods", "-n", namespace).stdout.splitlines()
    assert pods[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert len(pods) > 1 and all(re.match(r"^\S+\s+\d+m\s+\d+Mi\s*$", row) for row in pods[1:])
    nodes = kubectl.run("top", "nodes").stdout.splitlines()
    assert nodes[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    assert len(nodes) == 10  # 3 control-plane + 6 workers


def test_pod_metrics_shape_and_selectors(api_client: client.ApiClient, core: client.CoreV1Api, pod_where) -> None:
    custom = client.CustomObjectsApi(api_client)
    namespace, name, pod = pod_where(
        lambda pod: (
            pod["status"].get("phase") == "Running"
            and all(
                "running" in (status.get("state") or {}) for status in pod["status"].get("containerStatuses") or [{}]
            )
            and bool(pod["metadata"].get("labels"))
        )
    )
    listing = custom.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", namespace, "pods")
    assert listing["kind"] == "PodMetricsList" and listing["apiVersion"] == "metrics.k8s.io/v1beta1"
    item = next(item for item in listing["items"] if item["metadata"]["name"] == name)
    assert item["window"] == "15s" and item["metadata"]["namespace"] == namespace
    assert [container["name"] for container in item["containers"]] == [c["name"] for c in pod["spec"]["containers"]]
    usage = item["containers"][0]["usage"]
    assert _CPU.match(usage["cpu"]) and _MEMORY.match(usage["memory"])
    one = custom.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", namespace, "pods", name)
    assert one["kind"] == "PodMetrics" and one["metadata"]["name"] == name
    key, value = next(iter(pod["metadata"]["labels"].items()))
    selected = custom.list_namespaced_custom_object(
        "metrics.k8s.io", "v1beta1", namespace, "pods", label_selector=f"{key}={value}"
    )
    assert name in [item["metadata"]["name"] for item in selected["items"]]
    assert all(item["metadata"]["labels"][key] == value for item in selected["items"])
    everywhere = custom.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "pods")
    running = [p for p in core.list_pod_for_all_namespaces().items if p.status.phase == "Running"]
    assert 0 < len(everywhere["items"]) <= len(running)


def test_only_running_pods_report(api_client: client.ApiClient, pod_where) -> None:
    namespace, name, _ = pod_where(lambda pod: pod["status"].get("phase") == "Succeeded")
    with pytest.raises(ApiException) as raised:
        client.CustomObjectsApi(api_client).get_namespaced_custom_object(
            "metrics.k8s.io", "v1beta1", namespace, "pods", name
        )
    assert raised.value.status == 404
    assert f'podmetrics.metrics.k8s.io \\"{namespace}/{name}\\" not found' in raised.value.body


def test_node_metrics(api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    nodes = custom.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")["items"]
    assert len(nodes) == 9
    first = nodes[0]
    assert _CPU.match(first["usage"]["cpu"]) and _MEMORY.match(first["usage"]["memory"])
    one = custom.get_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes", first["metadata"]["name"])
    assert one["kind"] == "NodeMetrics"


def test_usage_varies_slowly_within_limits() -> None:
    container = {
        "resources": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
    }
    samples = [container_usage("uid/app", container, window) for window in range(1000, 1040)]
    assert samples[0] == container_usage("uid/app", container, 1000)  # deterministic
    cores = [cpu for cpu, _ in samples]
    assert all(0 < cpu <= 0.98 for cpu in cores)
    assert all(abs(a - b) <= 0.5 * max(a, b) for a, b in zip(cores, cores[1:], strict=False))
    assert all(size <= 0.97 * 512 * 2**20 for _, size in samples)
    assert parse_quantity("250m") == 0.25 and parse_quantity("1Gi") == 2**30
