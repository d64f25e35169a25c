"""Writes through real clients: strategic merge, server-side apply and managedFields, 422/400/415 bodies,
and deletion (preconditions, finalizers, garbage collection, graceful pods, namespaces)."""

from __future__ import annotations

import inspect
import json
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.storage.patches import strategic_merge_patch
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.strategic_merge import strategic_merge

APPLY = "application/apply-patch+yaml"


@pytest.fixture(scope="module")
def quiet() -> Iterator[Sandbox]:
    """A sandbox of its own with no simulation, so no controller touches the objects these tests own."""
    options = {"simulate": False} if "simulate" in inspect.signature(Sandbox).parameters else {}
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1, pods=0, **options) as running:
        yield running


@pytest.fixture(scope="module")
def api(quiet: Sandbox) -> Iterator[client.ApiClient]:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(quiet.kubeconfig_path), client_configuration=configuration)
    with client.ApiClient(configuration) as api_client:
        yield api_client


@pytest.fixture(scope="module")
def http(quiet: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=quiet.http_url, timeout=10) as http_client:
        yield http_client


@pytest.fixture
def ns(http: httpx.Client) -> str:
    name = f"w-{uuid.uuid4().hex[:8]}"
    http.post("/api/v1/namespaces", json={"metadata": {"name": name}}).raise_for_status()
    return name


def _deployment(name: str, *containers: dict, replicas: int = 1) -> dict:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": list(containers) or [{"name": "web", "image": "nginx:1"}]},
            },
        },
    }


def _wait(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.02)


def _status(error: ApiException) -> dict:
    return json.loads(error.body)


def test_strategic_merge_by_merge_keys(api: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(api)
    containers = (
        {"name": "web", "image": "nginx:1", "env": [{"name": "A", "value": "1"}], "ports": [{"containerPort": 80}]},
        {"name": "side", "image": "busybox"},
    )
    apps.create_namespaced_deployment(ns, _deployment("web", *containers))
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:2",
                            "env": [{"name": "B", "value": "2"}],
                            "ports": [{"containerPort": 443}],
                        }
                    ]
                }
            }
        }
    }
    patched = apps.patch_namespaced_deployment("web", ns, patch)  # a dict body → strategic merge
    web, side = patched.spec.template.spec.containers
    assert (web.image, side.name) == ("nginx:2", "side")
    assert [env.name for env in web.env] == ["A", "B"]
    assert [port.container_port for port in web.ports] == [80, 443]
    deleted = {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}
    assert [c.name for c in apps.patch_namespaced_deployment("web", ns, deleted).spec.template.spec.containers] == [
        "web"
    ]
    merged = apps.patch_namespaced_deployment(
        "web", ns, {"spec": {"replicas": 3}}, _content_type="application/merge-patch+json"
    )
    assert merged.spec.replicas == 3
    json_patched = apps.patch_namespaced_deployment(
        "web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 1}]
    )
    assert json_patched.spec.replicas == 1


def test_strategic_merge_directives() -> None:
    pod = {
        "metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}},
        "spec": {
            "containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "2"}],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "tolerations": [{"key": "k"}],
        },
    }
    patch = {
        "metadata": {"labels": {"x": None}, "$deleteFromPrimitiveList/finalizers": ["a"], "finalizers": ["c"]},
        "spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [{"name": "a", "image": "3"}],
            "volumes": [{"name": "v", "$retainKeys": ["name", "configMap"], "configMap": {"name": "cm"}}],
            "tolerations": [{"key": "other"}],
        },
    }
    result = strategic_merge(pod, patch, "Pod")
    assert result["metadata"] == {"finalizers": ["b", "c"], "labels": {"y": "2"}}
    assert result["spec"]["containers"] == [{"name": "b", "image": "2"}, {"name": "a", "image": "3"}]
    assert result["spec"]["volumes"] == [{"name": "v", "configMap": {"name": "cm"}}]
    assert result["spec"]["tolerations"] == [{"key": "other"}]  # no merge key: replaced
    replaced = strategic_merge(
        pod, {"spec": {"containers": [{"$patch": "replace"}, {"name": "z", "image": "9"}]}}, "Pod"
    )
    assert replaced["spec"]["containers"] == [{"name": "z", "image": "9"}]
    assert "spec" not in strategic_merge(pod, {"spec": {"$patch": "delete"}}, "Pod")
    service = {"spec": {"ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}]}}
    ports = strategic_merge(service, {"spec": {"ports": [{"port": 443, "targetPort": 8443}]}}, "Service")
    assert ports["spec"]["ports"][1] == {"port": 443, "name": "https", "targetPort": 8443}
    widgets = ResourceType("example.com", "v1", "widgets", "widget", "Widget", True, custom=True)
    with pytest.raises(ApiError) as error:
        strategic_merge_patch({}, {}, widgets)
    assert error.value.code == 415
    assert error.value.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )


def _fields_of(obj: client.V1Deployment, manager: str) -> dict:
    return next(entry for entry in obj.metadata.managed_fields if entry.manager == manager)


def test_server_side_apply_ownership_and_conflicts(api: client.ApiClient, ns: str) -> None:
    apps = client.AppsV1Api(api)
    config_body = _deployment("ssa", {"name": "web", "image": "nginx:1", "env": [{"name": "A", "value": "1"}]})
    config_body["metadata"]["labels"] = {"team": "a"}
    created = apps.patch_namespaced_deployment("ssa", ns, config_body, _content_type=APPLY, field_manager="tool")
    entry = _fields_of(created, "tool")
    assert (entry.operation, entry.api_version, entry.fields_type) == ("Apply", "apps/v1", "FieldsV1")
    fields = entry.fields_v1
    assert fields["f:metadata"]["f:labels"] == {".": {}, "f:team": {}}
    assert fields["f:spec"]["f:replicas"] == {} and fields["f:spec"]["f:selector"] == {}
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']
    assert container["."] == {} and container["f:env"]['k:{"name":"A"}'] == {".": {}, "f:name": {}, "f:value": {}}
    other = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ssa"}, "spec": {"replicas": 5}}
    with pytest.raises(ApiException) as conflict:
        apps.patch_namespaced_deployment("ssa", ns, other, _content_type=APPLY, field_manager="other")
    assert conflict.value.status == 409
    assert _status(conflict.value) == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Apply failed with 1 conflict: conflict with "tool": .spec.replicas',
        "reason": "Conflict",
        "details": {
            "causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "tool"', "field": ".spec.replicas"}]
        },
        "code": 409,
    }
    forced = apps.patch_namespaced_deployment("ssa", ns, other, _content_type=APPLY, field_manager="other", force=True)
    assert forced.spec.replicas == 5
    assert "f:replicas" not in _fields_of(forced, "tool").fields_v1["f:spec"]
    # The first manager stops managing the label and replicas: the label goes, replicas stay (owned by "other").
    del config_body["metadata"]["labels"]
    del config_body["spec"]["replicas"]
    reapplied = apps.patch_namespaced_deployment("ssa", ns, config_body, _content_type=APPLY, field_manager="tool")
    assert reapplied.metadata.labels is None and reapplied.spec.replicas == 5
    # An Update manager (a patch) conflicts too, named with its apiVersion.
    apps.patch_namespaced_deployment("ssa", ns, {"spec": {"replicas": 2}}, field_manager="kubectl-edit")
    with pytest.raises(ApiException) as update_conflict:
        apps.patch_namespaced_deployment("ssa", ns, other, _content_type=APPLY, field_manager="other")
    assert _status(update_conflict.value)["message"] == (
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas'
    )


def test_apply_options_and_managers_from_user_agent(http: httpx.Client, api: client.ApiClient, ns: str) -> None:
    url = f"/api/v1/namespaces/{ns}/configmaps/c"
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}})
    missing = http.patch(url, content=body, headers={"content-type": APPLY})
    assert missing.status_code == 422
    assert missing.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    created = http.patch(
        url, params={"fieldManager": "me"}, content="data:\n  a: '1'\n", headers={"content-type": APPLY}
    )
    assert created.status_code == 201 and created.json()["data"] == {"a": "1"}
    forbidden = http.patch(
        url,
        params={"force": "true"},
        content='{"data":{"b":"2"}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert forbidden.status_code == 422
    assert forbidden.json()["details"]["causes"] == [
        {
            "reason": "FieldValueForbidden",
            "message": "Forbidden: may not be specified for non-apply patch",
            "field": "force",
        }
    ]
    core = client.CoreV1Api(api)
    made = core.create_namespaced_config_map(
        ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="ua"), data={"k": "v"})
    )
    (entry,) = made.metadata.managed_fields
    assert (entry.manager, entry.operation) == ("OpenAPI-Generator", "Update")
    assert entry.fields_v1 == {"f:data": {".": {}, "f:k": {}}}


def test_invalid_bad_and_unsupported_bodies(http: httpx.Client, ns: str) -> None:
    pods = f"/api/v1/namespaces/{ns}/pods"
    no_containers = http.post(pods, json={"metadata": {"name": "p"}, "spec": {}})
    assert no_containers.status_code == 422
    assert no_containers.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'Pod "p" is invalid: spec.containers: Required value',
        "reason": "Invalid",
        "details": {
            "name": "p",
            "kind": "Pod",
            "causes": [{"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers"}],
        },
        "code": 422,
    }
    unnamed = http.post(pods, json={"metadata": {"name": "p"}, "spec": {"containers": [{}]}}).json()
    assert unnamed["message"] == (
        'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]'
    )
    deployments = f"/apis/apps/v1/namespaces/{ns}/deployments"
    mismatched = _deployment("d")
    mismatched["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    body = http.post(deployments, json=mismatched).json()
    assert body["details"]["group"] == "apps" and body["details"]["kind"] == "Deployment"
    assert body["message"] == (
        'Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: '
        'map[string]string{"app":"d"}: `selector` does not match template `labels`'
    )
    assert http.post(deployments, json=_deployment("d")).status_code == 201
    changed = _deployment("d")
    changed["spec"]["selector"]["matchLabels"]["tier"] = "x"
    changed["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    immutable = http.put(f"{deployments}/d", json=changed).json()
    assert immutable["code"] == 422
    assert immutable["message"] == (
        'Deployment.apps "d" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:'
        'map[string]string{"app":"d", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: '
        "field is immutable"
    )
    services = f"/api/v1/namespaces/{ns}/services"
    portless = http.post(services, json={"metadata": {"name": "s"}, "spec": {"ports": [{"name": "a"}]}}).json()
    assert portless["details"]["causes"][0]["field"] == "spec.ports[0].port"
    service = {"metadata": {"name": "s"}, "spec": {"clusterIP": "10.96.0.10", "ports": [{"port": 80}]}}
    assert http.post(services, json=service).status_code == 201
    service["spec"]["clusterIP"] = "10.96.0.11"
    moved = http.put(f"{services}/s", json=service).json()
    assert moved["message"].endswith(
        'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'
    )
    bad_name = http.post("/api/v1/namespaces", json={"metadata": {"name": "Bad.Name"}}).json()
    assert bad_name["code"] == 422 and bad_name["details"]["causes"][0]["field"] == "metadata.name"
    assert http.post(pods, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert http.post(pods, content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    patched = http.patch(f"{services}/s", content=b"{}", headers={"content-type": "application/json"})
    assert patched.status_code == 415 and patched.json()["reason"] == "UnsupportedMediaType"
    weird = http.patch(
        f"{services}/s", content=b'{"spec": "x"}', headers={"content-type": "application/merge-patch+json"}
    )
    assert weird.status_code in (400, 422)


def _owned(kind: str, owner: dict) -> dict:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _family(http: httpx.Client, ns: str, name: str) -> tuple[dict, dict, dict]:
    """A Deployment, its ReplicaSet and a scheduled Pod, linked by ownerReferences."""
    deployment = http.post(f"/apis/apps/v1/namespaces/{ns}/deployments", json=_deployment(name)).json()
    replica_set = _deployment(f"{name}-rs")
    replica_set.update(kind="ReplicaSet")
    replica_set["spec"]["selector"]["matchLabels"] = {"app": name}
    replica_set["spec"]["template"]["metadata"]["labels"] = {"app": name}
    replica_set["metadata"]["ownerReferences"] = [_owned("Deployment", deployment)]
    replica_set = http.post(f"/apis/apps/v1/namespaces/{ns}/replicasets", json=replica_set).json()
    pod = {
        "metadata": {
            "name": f"{name}-pod",
            "labels": {"app": name},
            "ownerReferences": [_owned("ReplicaSet", replica_set)],
        },
        "spec": {"nodeName": "worker-1", "containers": [{"name": "web", "image": "nginx"}]},
    }
    pod = http.post(f"/api/v1/namespaces/{ns}/pods", json=pod).json()
    return deployment, replica_set, pod


def _exists(http: httpx.Client, path: str) -> bool:
    return http.get(path).status_code == 200


def test_delete_propagation_policies(http: httpx.Client, quiet: Sandbox, ns: str) -> None:
    deployments, replicasets = (
        f"/apis/apps/v1/namespaces/{ns}/deployments",
        f"/apis/apps/v1/namespaces/{ns}/replicasets",
    )
    _family(http, ns, "orphan")
    orphaned = http.request("DELETE", f"{deployments}/orphan", json={"propagationPolicy": "Orphan"})
    assert orphaned.status_code == 200 and orphaned.json()["status"] == "Success"
    assert "ownerReferences" not in http.get(f"{replicasets}/orphan-rs").json()["metadata"]
    _family(http, ns, "fg")
    marked = http.delete(f"{deployments}/fg", params={"propagationPolicy": "Foreground"}).json()
    assert marked["metadata"]["finalizers"] == ["foregroundDeletion"] and marked["metadata"]["deletionTimestamp"]
    assert http.get(f"/api/v1/namespaces/{ns}/pods/fg-pod").json()["metadata"]["deletionTimestamp"]
    _wait(lambda: not _exists(http, f"{deployments}/fg"))
    assert not _exists(http, f"{replicasets}/fg-rs") and not _exists(http, f"/api/v1/namespaces/{ns}/pods/fg-pod")
    _family(http, ns, "bg")
    assert http.delete(f"{deployments}/bg").json()["status"] == "Success"
    assert not _exists(http, f"{replicasets}/bg-rs")  # collected at once; its pod terminates gracefully
    _wait(lambda: not _exists(http, f"/api/v1/namespaces/{ns}/pods/bg-pod"))


def test_preconditions_finalizers_and_graceful_pods(http: httpx.Client, ns: str) -> None:
    configmaps = f"/api/v1/namespaces/{ns}/configmaps"
    made = http.post(configmaps, json={"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}).json()
    stale = http.request("DELETE", f"{configmaps}/held", json={"preconditions": {"uid": "wrong"}})
    assert stale.status_code == 409
    assert stale.json()["message"] == (
        f'Operation cannot be fulfilled on configmaps "held": Precondition failed: UID in precondition: wrong, '
        f"UID in object meta: {made['metadata']['uid']}"
    )
    held = http.delete(f"{configmaps}/held").json()
    assert held["metadata"]["deletionTimestamp"] and held["metadata"]["deletionGracePeriodSeconds"] == 0
    unrelated = http.patch(
        f"{configmaps}/held", content=b'{"data":{"a":"1"}}', headers={"content-type": "application/merge-patch+json"}
    )
    assert unrelated.status_code == 200  # still there: finalizers hold it
    http.patch(
        f"{configmaps}/held",
        content=b'{"metadata":{"finalizers":null}}',
        headers={"content-type": "application/merge-patch+json"},
    )
    assert not _exists(http, f"{configmaps}/held")
    pods = f"/api/v1/namespaces/{ns}/pods"
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "x"}]}}
    http.post(pods, json=pod).raise_for_status()
    terminating = http.delete(f"{pods}/p")
    assert terminating.status_code == 200
    assert terminating.json()["metadata"]["deletionGracePeriodSeconds"] == 30
    assert _exists(http, f"{pods}/p")
    _wait(lambda: not _exists(http, f"{pods}/p"))
    http.post(pods, json=pod).raise_for_status()
    http.request("DELETE", f"{pods}/p", json={"gracePeriodSeconds": 0}).raise_for_status()
    assert not _exists(http, f"{pods}/p")
    dry = http.request("DELETE", f"{configmaps}/none", params={"dryRun": "All"})
    assert dry.status_code == 404


def test_namespace_deletion_terminates_then_disappears(http: httpx.Client, ns: str) -> None:
    http.post(f"/api/v1/namespaces/{ns}/configmaps", json={"metadata": {"name": "a"}}).raise_for_status()
    response = http.delete(f"/api/v1/namespaces/{ns}")
    assert response.status_code == 200
    namespace = response.json()
    assert namespace["status"]["phase"] == "Terminating" and namespace["metadata"]["deletionTimestamp"]
    refused = http.post(f"/api/v1/namespaces/{ns}/configmaps", json={"metadata": {"name": "b"}})
    if refused.status_code == 403:  # still terminating
        assert refused.json()["message"].endswith(
            f"unable to create new content in namespace {ns} because it is being terminated"
        )
    assert not _exists(http, f"/api/v1/namespaces/{ns}/configmaps/a")
    started = time.monotonic()
    _wait(lambda: not _exists(http, f"/api/v1/namespaces/{ns}"), timeout=2)
    assert time.monotonic() - started < 1


def test_the_record_of_writes_holds_accepted_writes_only(quiet: Sandbox, http: httpx.Client, ns: str) -> None:
    """What tests read "no unintended write" off: who wrote what, after impersonation; never a refused write,
    a dry run or an access review."""
    before = len(quiet.cluster.api_writes)
    created = http.post(f"/api/v1/namespaces/{ns}/configmaps", json={"metadata": {"name": "recorded"}})
    dry = http.post(f"/api/v1/namespaces/{ns}/configmaps?dryRun=All", json={"metadata": {"name": "dry"}})
    refused = http.post(
        f"/api/v1/namespaces/{ns}/configmaps",
        json={"metadata": {"name": "refused"}},
        headers={"Impersonate-User": "nobody"},
    )
    review = http.post(
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        json={"spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}},
    )
    assert (created.status_code, dry.status_code, refused.status_code, review.status_code) == (201, 201, 403, 201)

    written = list(quiet.cluster.api_writes)[before:]

    assert [(w.verb, w.path, w.status) for w in written] == [("POST", f"/api/v1/namespaces/{ns}/configmaps", 201)]
    assert written[0].user == "system:admin"
