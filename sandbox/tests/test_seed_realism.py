"""The seeded world as real tools leave a cluster: every service account a pod names exists, every object
carries the managedFields of the managers that made it (so server-side apply meets real conflicts), the
controllers' recent Events are there, and the simulation keeps writing them and the sets' revisions."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubectl_runner import Kubectl
from kubernetes import client, watch
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.storage.apply import _decode, _encode, field_paths
from sovereign_sandbox.storage.resources import Catalogue
from sovereign_sandbox.world import managed_fields as managed_fields_module
from sovereign_sandbox.world.pods import pod_spec
from sovereign_sandbox.world.sovereign import build_world

NOW = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)
Obj = dict[str, Any]


@pytest.fixture(scope="module")
def world() -> list[Obj]:
    return build_world(1, now=NOW)


def _managers(obj: Obj) -> dict[tuple[str, str, str], set]:
    return {
        (entry["manager"], entry["operation"], entry.get("subresource", "")): _decode(entry["fieldsV1"])
        for entry in obj["metadata"]["managedFields"]
    }


def _find(world: list[Obj], kind: str, name: str, namespace: str | None = None) -> Obj:
    return next(
        item
        for item in world
        if item["kind"] == kind and item["metadata"]["name"] == name and item["metadata"].get("namespace") == namespace
    )


def test_every_service_account_a_pod_or_template_names_exists(world: list[Obj]) -> None:
    accounts = {
        (item["metadata"]["namespace"], item["metadata"]["name"]) for item in world if item["kind"] == "ServiceAccount"
    }
    named = {
        (item["metadata"]["namespace"], (pod_spec(item) or {}).get("serviceAccountName") or "default")
        for item in world
        if pod_spec(item) is not None
    }
    assert len(named) > 30
    assert sorted(named - accounts) == []
    namespaces = {item["metadata"]["name"] for item in world if item["kind"] == "Namespace"}
    assert {(namespace, "default") for namespace in namespaces} <= accounts


def test_chart_service_accounts_carry_the_chart_labels(world: list[Obj]) -> None:
    account = _find(world, "ServiceAccount", "storefront", "acme-prod-storefront")
    assert account["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert account["metadata"]["managedFields"][0]["manager"] == "helm-controller"


def test_every_object_has_managed_fields_covering_exactly_its_fields(world: list[Obj]) -> None:
    types = {(resource.api_version, resource.kind): resource for resource in Catalogue.builtin()}
    checked = 0
    for item in world:
        resource = types.get((item["apiVersion"], item["kind"]))
        entries = item["metadata"].get("managedFields")
        assert entries, (item["kind"], item["metadata"]["name"])
        if resource is None:
            continue  # custom kinds: covered by the same code, with their CRD's status subresource
        owned = [_decode(entry["fieldsV1"]) for entry in entries]
        everything = field_paths(resource, item)
        if resource.subresource("status") is not None and item.get("status"):
            status = field_paths(resource, item, "status")
            if status and any(entry.get("subresource") == "status" for entry in entries):
                everything |= status
        union = set().union(*owned)
        assert union <= everything, (item["kind"], item["metadata"]["name"])
        # Unowned only: maps whose every key a controller set (a Deployment's revision annotation).
        for missing in everything - union:
            assert any(path[: len(missing)] == missing for path in union), (item["kind"], missing)
        assert sum(len(paths) for paths in owned) == len(union), "two managers own one field"
        checked += 1
    assert checked > 800


def test_seeded_field_sets_are_encoded_as_the_field_manager_encodes_them(world: list[Obj]) -> None:
    """The seed builds FieldsV1 trees in one pass; they are byte for byte what `storage.apply` writes."""
    for item in world:
        for entry in item["metadata"]["managedFields"]:
            assert json.dumps(_encode(_decode(entry["fieldsV1"]))) == json.dumps(entry["fieldsV1"]), item["kind"]


def test_field_sets_do_not_depend_on_the_clock() -> None:
    """Sandboxes built one after another remember the field sets of the last world of their seed: sound
    only because a world's shape (what each object sets) does not change with `now`."""
    sets = []
    for now in (NOW, NOW + timedelta(days=3, hours=5, minutes=7)):
        managed_fields_module._REMEMBERED.clear()
        sets.append(
            {
                (item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]): [
                    (entry["manager"], json.dumps(entry["fieldsV1"])) for entry in item["metadata"]["managedFields"]
                ]
                for item in build_world(1, now=now)
            }
        )
    shared = sets[0].keys() & sets[1].keys()
    assert len(shared) > len(sets[0]) - 20  # only the CronJobs' last jobs (their pods, events) are named by the clock
    assert all(sets[0][key] == sets[1][key] for key in shared)


def test_seeded_field_sets_are_shared_not_copied(world: list[Obj]) -> None:
    """The store copies every seeded object; the immutable trees are shared by the copies instead."""
    item = next(item for item in world if item["kind"] == "Deployment")
    tree = item["metadata"]["managedFields"][0]["fieldsV1"]
    assert copy.deepcopy(item)["metadata"]["managedFields"][0]["fieldsV1"] is tree
    with pytest.raises(TypeError):
        tree["f:spec"] = {}


def test_who_made_what(world: list[Obj]) -> None:
    deployment = _managers(_find(world, "Deployment", "billing-api", "acme-dev-billing"))
    helm = deployment[("helm-controller", "Update", "")]
    assert ("f:spec", "f:replicas") in helm
    kcm = deployment[("kube-controller-manager", "Update", "")]
    assert kcm == {("f:metadata", "f:annotations", "f:deployment.kubernetes.io/revision")}
    status = deployment[("kube-controller-manager", "Update", "status")]
    assert ("f:status", "f:conditions", 'k:{"type":"Available"}', "f:status") in status
    scaled = _managers(_find(world, "Deployment", "mobile-api", "bankdhofar-prod-mobile-api"))
    assert scaled[("kube-controller-manager", "Update", "scale")] == {("f:spec", "f:replicas")}
    release = _managers(next(item for item in world if item["kind"] == "HelmRelease"))
    assert ("kustomize-controller", "Apply", "") in release
    assert ("helm-controller", "Update", "status") in release
    pod = next(
        item for item in world if item["kind"] == "Pod" and item["metadata"]["namespace"] == "acme-prod-storefront"
    )
    assert set(_managers(pod)) == {("kube-controller-manager", "Update", ""), ("kubelet", "Update", "status")}
    node = _managers(next(item for item in world if item["kind"] == "Node"))
    assert ("kubelet", "Update", "") in node and ("kubelet", "Update", "status") in node
    assert ("f:spec", "f:podCIDR") in node[("kube-controller-manager", "Update", "")]
    assert set(_managers(_find(world, "Namespace", "kube-system"))) == {("kube-apiserver", "Update", "")}
    schema = _managers(_find(world, "FlowSchema", "catch-all"))
    assert ("api-priority-and-fairness-config-consumer-v1", "Apply", "status") in schema


def test_seeded_controller_events(world: list[Obj]) -> None:
    events = [item for item in world if item["kind"] == "Event"]
    by_reason = {(event["reason"], event["source"]["component"]) for event in events}
    for expected in (
        ("ScalingReplicaSet", "deployment-controller"),
        ("SuccessfulRescale", "horizontal-pod-autoscaler"),
        ("SuccessfulCreate", "replicaset-controller"),
        ("SuccessfulCreate", "job-controller"),
        ("SuccessfulCreate", "cronjob-controller"),
        ("SawCompletedJob", "cronjob-controller"),
        ("Scheduled", "default-scheduler"),
        ("Pulled", "kubelet"),
        ("Started", "kubelet"),
    ):
        assert expected in by_reason, expected
    scaling = next(event for event in events if event["reason"] == "ScalingReplicaSet")
    replica_set = scaling["message"].split()[4]
    assert scaling["message"] == f"Scaled up replica set {replica_set} from 2 to 3"
    assert _find(world, "ReplicaSet", replica_set, scaling["metadata"]["namespace"])["spec"]["replicas"] == 3
    names = {(item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]) for item in world}
    for event in events:
        involved = event["involvedObject"]
        assert (involved["kind"], involved.get("namespace"), involved["name"]) in names, event["message"]
        assert datetime.fromisoformat(event["lastTimestamp"].replace("Z", "+00:00")) > NOW.replace(hour=10)


@pytest.fixture(scope="module")
def quiet() -> Iterator[Sandbox]:
    """A sandbox with no simulation: nothing but the test writes the seeded Deployment."""
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1, simulate=False) as running:
        yield running


def test_server_side_apply_meets_the_seeded_manager(quiet: Sandbox, tmp_path) -> None:
    kc = Kubectl(quiet.kubeconfig_path, tmp_path / "cache")
    manifest = json.dumps(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "billing-api", "namespace": "acme-dev-billing"},
            "spec": {"replicas": 5},
        }
    )
    apply = ("apply", "--server-side", "--field-manager=sovereign-console", "-f", "-")
    refused = kc.run(*apply, stdin=manifest, check=False)
    assert refused.returncode != 0
    assert 'conflict with "helm-controller" using apps/v1: .spec.replicas' in refused.stderr
    kc.run(*apply, "--force-conflicts", stdin=manifest)
    live = json.loads(
        kc.run("get", "deploy/billing-api", "-n", "acme-dev-billing", "-o", "json", "--show-managed-fields").stdout
    )
    assert live["spec"]["replicas"] == 5
    managers = _managers(live)
    assert ("f:spec", "f:replicas") in managers[("sovereign-console", "Apply", "")]
    assert ("f:spec", "f:replicas") not in managers[("helm-controller", "Update", "")]
    assert ("f:spec", "f:template") in {path[:2] for path in managers[("helm-controller", "Update", "")]}


def _await_event(core: client.CoreV1Api, namespace: str, wanted: Callable[[Any], bool], deadline: float = 20) -> Any:
    end = time.monotonic() + deadline
    while (remaining := end - time.monotonic()) > 0:
        for event in watch.Watch().stream(
            core.list_namespaced_event, namespace, timeout_seconds=max(1, int(remaining))
        ):
            if wanted(event["object"]):
                return event["object"]
    raise AssertionError(f"no such event in {namespace} within {deadline}s")


def test_simulation_writes_rollout_and_scaling_events(kubectl: Kubectl, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    namespace = f"ev-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", namespace)
    try:
        kubectl.run("create", "deployment", "web", "-n", namespace, "--image=nginx:1.27", "--replicas=1")
        up = _await_event(core, namespace, lambda event: event.reason == "ScalingReplicaSet")
        assert up.source.component == "deployment-controller"
        first = up.message.split()[4]
        assert up.message == f"Scaled up replica set {first} from 0 to 1"
        kubectl.run("scale", "deployment/web", "-n", namespace, "--replicas=3")
        _await_event(core, namespace, lambda event: event.message == f"Scaled up replica set {first} from 1 to 3")
        created = _await_event(core, namespace, lambda event: event.reason == "SuccessfulCreate")
        assert created.source.component == "replicaset-controller"
        assert created.message.startswith(f"Created pod: {first}-")
        kubectl.run("rollout", "restart", "deployment/web", "-n", namespace)
        down = _await_event(
            core, namespace, lambda event: event.message.startswith(f"Scaled down replica set {first} ")
        )
        assert down.involved_object.kind == "Deployment"
    finally:
        kubectl.run("delete", "namespace", namespace, "--wait=false")


def test_simulation_keeps_a_revision_per_daemon_set_template(kubectl: Kubectl, api_client: client.ApiClient) -> None:
    apps = client.AppsV1Api(api_client)
    namespace = f"rev-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", namespace)
    daemon_set = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "agent", "image": "busybox:1.36"}]},
            },
        },
    }
    try:
        kubectl.run("apply", "-f", "-", stdin=json.dumps(daemon_set))

        def revisions(count: int) -> list[Any]:
            end = time.monotonic() + 20
            while (remaining := end - time.monotonic()) > 0:
                stream = watch.Watch().stream(
                    apps.list_namespaced_controller_revision, namespace, timeout_seconds=max(1, int(remaining))
                )
                for _ in stream:
                    found = apps.list_namespaced_controller_revision(namespace).items
                    if len(found) >= count:
                        return sorted(found, key=lambda item: item.revision)
            raise AssertionError(f"fewer than {count} revisions")

        [first] = revisions(1)
        assert first.revision == 1 and first.metadata.owner_references[0].name == "agent"
        kubectl.run("set", "image", "daemonset/agent", "agent=busybox:1.37", "-n", namespace)
        second = revisions(2)[-1]
        assert second.revision == 2
        assert second.data["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.37"
    finally:
        kubectl.run("delete", "namespace", namespace, "--wait=false")
