"""The seeded world: deterministic, self-consistent, complete enough for every console view."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.crds import custom_resource_definitions
from sovereign_sandbox.world.people import PEOPLE, subject_of
from sovereign_sandbox.world.sovereign import build_world

NOW = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)
# Kinds the core API serves (not from CRDs), with whether they are namespaced.
BUILT_IN = {
    "Namespace": False,
    "Node": False,
    "PersistentVolume": False,
    "StorageClass": False,
    "ClusterRole": False,
    "ClusterRoleBinding": False,
    "CustomResourceDefinition": False,
    "Pod": True,
    "Service": True,
    "ConfigMap": True,
    "Secret": True,
    "ServiceAccount": True,
    "Event": True,
    "PersistentVolumeClaim": True,
    "Deployment": True,
    "ReplicaSet": True,
    "StatefulSet": True,
    "DaemonSet": True,
    "Job": True,
    "CronJob": True,
    "Ingress": True,
    "NetworkPolicy": True,
    "EndpointSlice": True,
    "PodDisruptionBudget": True,
    "RoleBinding": True,
    # The cluster-administration kinds (world/control_plane, admission, csi, capacity, controller_revisions).
    "PriorityClass": False,
    "FlowSchema": False,
    "PriorityLevelConfiguration": False,
    "APIService": False,
    "CertificateSigningRequest": False,
    "RuntimeClass": False,
    "ValidatingWebhookConfiguration": False,
    "MutatingWebhookConfiguration": False,
    "ValidatingAdmissionPolicy": False,
    "ValidatingAdmissionPolicyBinding": False,
    "CSIDriver": False,
    "CSINode": False,
    "VolumeAttachment": False,
    "ResourceQuota": True,
    "LimitRange": True,
    "HorizontalPodAutoscaler": True,
    "ControllerRevision": True,
}


@pytest.fixture(scope="module")
def world() -> list[dict]:
    return build_world(1, now=NOW)


def _crd_kinds(world: list[dict]) -> dict[tuple[str, str], bool]:
    kinds = {}
    for item in world:
        if item["kind"] == "CustomResourceDefinition":
            spec = item["spec"]
            for version in spec["versions"]:
                kinds[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = spec["scope"] == "Namespaced"
    return kinds


def _namespaced(world: list[dict]) -> dict[str, bool]:
    namespaced = dict(BUILT_IN)
    namespaced.update({kind: scoped for (_, kind), scoped in _crd_kinds(world).items()})
    return namespaced


def test_same_seed_gives_the_same_world(world):
    assert build_world(1, now=NOW) == world


def test_another_seed_gives_another_world(world):
    assert build_world(2, now=NOW) != world


def test_every_manifest_has_identity(world):
    for item in world:
        assert item["apiVersion"] and item["kind"] and item["metadata"]["name"], item
        assert "uid" not in item["metadata"] and "resourceVersion" not in item["metadata"]


def test_creation_timestamps_are_in_the_past(world):
    for item in world:
        created = datetime.strptime(item["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
        assert created.replace(tzinfo=UTC) <= NOW, item["metadata"]


def test_crds_first_then_namespaces(world):
    ranks = [{"CustomResourceDefinition": 0, "Namespace": 1}.get(item["kind"], 2) for item in world]
    assert ranks == sorted(ranks)
    assert ranks[0] == 0


def test_namespaced_objects_live_in_existing_namespaces(world):
    namespaces = {item["metadata"]["name"] for item in world if item["kind"] == "Namespace"}
    namespaced = _namespaced(world)
    for item in world:
        assert item["kind"] in namespaced, f"unknown kind {item['kind']}"
        if namespaced[item["kind"]]:
            assert item["metadata"].get("namespace") in namespaces, item["metadata"]
        else:
            assert "namespace" not in item["metadata"], item["metadata"]


def test_every_custom_kind_has_a_crd(world):
    crd_kinds = _crd_kinds(world)
    for item in world:
        if item["kind"] not in BUILT_IN:
            assert (item["apiVersion"], item["kind"]) in crd_kinds, (item["apiVersion"], item["kind"])


def test_objects_are_unique(world):
    keys = Counter((item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]) for item in world)
    assert [key for key, count in keys.items() if count > 1] == []


def test_owner_references_point_at_earlier_objects(world):
    seen: set[tuple[str, str | None, str]] = set()
    namespaced = _namespaced(world)
    for item in world:
        namespace = item["metadata"].get("namespace")
        for owner in item["metadata"].get("ownerReferences", ()):
            assert "uid" not in owner
            owner_namespace = namespace if namespaced[owner["kind"]] else None
            assert (owner["kind"], owner_namespace, owner["name"]) in seen, (item["kind"], item["metadata"], owner)
        seen.add((item["kind"], namespace, item["metadata"]["name"]))


def test_seeded_tenancy_is_present(world):
    names = {(item["kind"], item["metadata"]["name"]) for item in world}
    for organization in ("openova", "acme", "bankdhofar"):
        assert ("Organization", organization) in names
    for environment in ("acme-prod", "acme-dev", "bankdhofar-prod", "openova-prod"):
        assert ("Environment", environment) in names
    assert sum(1 for item in world if item["kind"] == "Application") >= 15
    assert any(kind == "EnvironmentPolicy" for kind, _ in names)


def test_seeded_people_have_grants_except_the_newcomer(world):
    grants = {item["metadata"]["name"]: item for item in world if item["kind"] == "UserAccess"}
    for person in PEOPLE:
        if person.tier is None:
            assert person.username not in grants
            continue
        grant = grants[person.username]
        assert grant["spec"]["tier"] == person.tier
        assert grant["spec"]["user"]["keycloakSubject"] == subject_of(person.username)
        bound = [
            item
            for item in world
            if item["kind"] in ("RoleBinding", "ClusterRoleBinding")
            and item["metadata"]["labels"].get("access.openova.io/useraccess") == person.username
        ]
        assert bound and len(bound) == len(grant["status"]["bindings"])
        assert all(
            {"kind": "User", "name": f"oidc:{subject_of(person.username)}", "apiGroup": "rbac.authorization.k8s.io"}
            in binding["subjects"]
            for binding in bound
        )
    developer = [
        binding
        for binding in world
        if binding["kind"] == "RoleBinding"
        and binding["metadata"]["labels"].get("access.openova.io/useraccess") == "developer"
    ]
    assert {binding["metadata"]["namespace"] for binding in developer} == {"acme-dev-wordpress", "acme-dev-billing"}


def test_tier_roles_exist(world):
    roles = {item["metadata"]["name"] for item in world if item["kind"] == "ClusterRole"}
    assert {f"openova:tier-{tier}" for tier in ("viewer", "developer", "operator", "admin", "owner")} <= roles


def test_pod_states_cover_what_the_console_shows(world):
    pods = [item for item in world if item["kind"] == "Pod"]
    waiting = Counter(
        status["state"].get("waiting", {}).get("reason")
        for pod in pods
        for status in pod["status"].get("containerStatuses", ())
    )
    assert waiting["CrashLoopBackOff"] >= 2 and waiting["ImagePullBackOff"] >= 1
    phases = Counter(pod["status"]["phase"] for pod in pods)
    assert phases["Succeeded"] >= 1 and phases["Running"] > 100
    assert any(pod["status"]["phase"] == "Pending" and "nodeName" not in pod["spec"] for pod in pods)
    nodes = {item["metadata"]["name"] for item in world if item["kind"] == "Node"}
    assert all(pod["spec"]["nodeName"] in nodes for pod in pods if "nodeName" in pod["spec"])


def test_cluster_shape(world):
    nodes = [item for item in world if item["kind"] == "Node"]
    control_plane = [node for node in nodes if "node-role.kubernetes.io/control-plane" in node["metadata"]["labels"]]
    assert len(control_plane) == 3 and len(nodes) == 9
    assert {node["metadata"]["labels"]["openova.io/region"] for node in nodes} == {"fsn", "nbg"}
    balancers = [item for item in world if item["kind"] == "Service" and item["spec"]["type"] == "LoadBalancer"]
    assert len(balancers) >= 2 and all(item["status"]["loadBalancer"]["ingress"] for item in balancers)
    releases = [item for item in world if item["kind"] == "HelmRelease"]
    assert any(
        condition["reason"] == "RetriesExceeded" and condition["status"] == "False"
        for release in releases
        for condition in release["status"]["conditions"]
        if condition["type"] == "Ready"
    )


def test_claims_are_bound_to_existing_volumes(world):
    volumes = {item["metadata"]["name"]: item for item in world if item["kind"] == "PersistentVolume"}
    classes = {item["metadata"]["name"] for item in world if item["kind"] == "StorageClass"}
    for claim in (item for item in world if item["kind"] == "PersistentVolumeClaim"):
        volume = volumes[claim["spec"]["volumeName"]]
        assert volume["spec"]["claimRef"]["name"] == claim["metadata"]["name"]
        assert claim["spec"]["storageClassName"] in classes


def test_no_object_buckets(world):
    assert not any("objectbucket" in item["apiVersion"] for item in world)
    assert not any("objectbucket" in item["metadata"]["name"] for item in custom_resource_definitions())


def test_crds_are_real_manifests():
    for definition in custom_resource_definitions():
        spec = definition["spec"]
        assert definition["metadata"]["name"] == f"{spec['names']['plural']}.{spec['group']}"
        assert sum(version["storage"] for version in spec["versions"]) == 1
        for version in spec["versions"]:
            assert version["schema"]["openAPIV3Schema"]["type"] == "object"
    blueprint = next(
        item for item in custom_resource_definitions() if item["metadata"]["name"] == "blueprints.catalyst.openova.io"
    )
    assert [(version["name"], version["served"], version["storage"]) for version in blueprint["spec"]["versions"]] == [
        ("v1alpha1", True, False),
        ("v1", True, True),
    ]


def test_scaled_world_is_big_and_fast():
    started = time.perf_counter()
    scaled = build_world(1, pods=5000, now=NOW)
    elapsed = time.perf_counter() - started
    assert sum(1 for item in scaled if item["kind"] == "Pod") >= 5000
    assert elapsed < 20, elapsed  # coarse guard; it takes well under a second
