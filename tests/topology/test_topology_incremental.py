"""Incremental == full derivation: random events applied one by one leave exactly what a rebuild derives."""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import Callable

import pytest
from test_topology_relations import CLUSTER, CONTEXT, seeded_objects

from console.kube.objects import cache_key
from console.kube.registry import KINDS
from console.topology.graph import TopologyGraph

Key = tuple[str, str]  # (kind id, cache key)
LABEL_POOL = {
    "app.kubernetes.io/name": ["wordpress", "keycloak", "web", "coredns"],
    "app.kubernetes.io/instance": ["wordpress", "keycloak", "web", "billing"],
    "catalyst.openova.io/application": ["wordpress", "billing", "gitea"],
    "helm.toolkit.fluxcd.io/name": ["acme-prod-wordpress", "openova-prod-keycloak", "gone"],
    "helm.toolkit.fluxcd.io/namespace": ["flux-system"],
    "tier": ["a", "b"],
}


class World:
    """The objects as a watch cache would hold them, and the random events that change them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.objects: dict[Key, dict] = {
            (kind_id, cache_key(obj)): obj for kind_id, objects in seeded_objects().items() for obj in objects
        }
        self.deleted: dict[Key, dict] = {}
        self.namespaces = sorted({obj["metadata"].get("namespace", "") for obj in self.objects.values()} - {""})
        self.names: dict[str, list[str]] = defaultdict(list)
        for kind_id, key in self.objects:
            self.names[kind_id].append(key.rpartition("/")[2])
        self.created = 0

    def by_kind(self) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = defaultdict(list)
        for (kind_id, _), obj in self.objects.items():
            grouped[kind_id].append(obj)
        return grouped

    def _pick(self, *kind_ids: str) -> Key:
        return self.rng.choice(sorted(key for key in self.objects if key[0] in kind_ids))

    def _labels(self) -> dict[str, str]:
        chosen = self.rng.sample(sorted(LABEL_POOL), self.rng.randint(0, 4))
        return {key: self.rng.choice(LABEL_POOL[key]) for key in chosen}

    def _name(self, kind_id: str) -> str:
        return self.rng.choice([*self.names[kind_id][:40], "missing"])

    def _selector(self) -> dict | None:
        shape = self.rng.random()
        if shape < 0.15:
            return None
        if shape < 0.3:
            return {}
        selector: dict = {"matchLabels": self._labels()}
        if self.rng.random() < 0.3:
            key = self.rng.choice(sorted(LABEL_POOL))
            operator = self.rng.choice(["In", "NotIn", "Exists", "DoesNotExist"])
            values = [self.rng.choice(LABEL_POOL[key])] if operator in ("In", "NotIn") else []
            selector["matchExpressions"] = [{"key": key, "operator": operator, "values": values}]
        return selector

    def _pod_spec(self, namespace: str) -> dict:
        volumes = [
            {"name": "a", "configMap": {"name": self._name("configmaps")}},
            {"name": "b", "secret": {"secretName": self._name("secrets")}},
            {"name": "c", "persistentVolumeClaim": {"claimName": self._name("pvcs")}},
        ]
        return {
            "nodeName": self._name("worker-nodes"),
            "volumes": self.rng.sample(volumes, self.rng.randint(0, 3)),
            "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": self._name("configmaps")}}]}],
        }

    def _owners(self, namespace: str) -> list[dict]:
        kind = self.rng.choice([("apps/v1", "ReplicaSet", "replicasets"), ("apps/v1", "StatefulSet", "statefulsets")])
        name = self.rng.choice([key[1].rpartition("/")[2] for key in self.objects if key[0] == kind[2]] or ["none"])
        return [{"apiVersion": kind[0], "kind": kind[1], "name": name, "controller": self.rng.random() < 0.8}]

    def event(self) -> tuple[str, Key, dict | None]:
        """One random change: ("upsert", key, object) or ("delete", key, None)."""
        roll = self.rng.random()
        if roll < 0.08 and self.deleted:
            key = self.rng.choice(sorted(self.deleted))
            return "upsert", key, self.deleted.pop(key)
        if roll < 0.2:
            key = self._pick(*KINDS_DELETABLE)
            self.deleted[key] = self.objects[key]
            return "delete", key, None
        if roll < 0.3:
            namespace = self.rng.choice([*self.namespaces, "nowhere"])
            self.created += 1
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"new-{self.created}", "namespace": namespace, "labels": self._labels()},
                "spec": self._pod_spec(namespace),
                "status": {"phase": self.rng.choice(["Running", "Pending", "Failed"])},
            }
            if self.rng.random() < 0.5:
                pod["metadata"]["ownerReferences"] = self._owners(namespace)
            return "upsert", ("pods", f"{namespace}/new-{self.created}"), pod
        key = self._pick(*MUTATIONS)
        obj = copy.deepcopy(self.objects[key])
        MUTATIONS[key[0]](self, obj)
        return "upsert", key, obj


def _relabel(world: World, obj: dict) -> None:
    obj["metadata"]["labels"] = world._labels()


def _reselect(world: World, obj: dict) -> None:
    selector = world._selector()
    if obj["kind"] == "Service":
        obj["spec"]["selector"] = (selector or {}).get("matchLabels")
    elif obj["kind"] == "PodDisruptionBudget":
        obj["spec"]["selector"] = selector
    elif obj["kind"] == "NetworkPolicy":
        obj["spec"]["podSelector"] = selector
    else:
        obj["spec"]["endpointSelector"] = selector


def _change_pod(world: World, obj: dict) -> None:
    change = world.rng.choice(["labels", "spec", "owners", "node"])
    if change == "labels":
        _relabel(world, obj)
    elif change == "spec":
        obj["spec"] = world._pod_spec(obj["metadata"]["namespace"])
    elif change == "owners":
        obj["metadata"]["ownerReferences"] = world._owners(obj["metadata"]["namespace"])
    else:
        obj["spec"]["nodeName"] = world._name("worker-nodes")


def _change_claim(world: World, obj: dict) -> None:
    obj["spec"]["volumeName"] = world.rng.choice(["", world._name("volumes")])
    obj["spec"]["storageClassName"] = world.rng.choice(["hcloud-volumes", "local-path", "missing"])


def _change_application(world: World, obj: dict) -> None:
    obj["spec"]["dependsOn"] = [{"name": world.rng.choice(["keycloak-db", "billing-db", "wordpress", "missing"])}]
    _relabel(world, obj)


MUTATIONS: dict[str, Callable[[World, dict], None]] = {
    "pods": _change_pod,
    "deployments": _relabel,
    "statefulsets": _relabel,
    "replicasets": _relabel,
    "configmaps": _relabel,
    "services": _reselect,
    "poddisruptionbudgets": _reselect,
    "networkpolicies": _reselect,
    "ciliumnetworkpolicies": _reselect,
    "pvcs": _change_claim,
    "applications": _change_application,
}
KINDS_DELETABLE = (*MUTATIONS, "namespaces", "worker-nodes", "volumes", "storage-classes", "helmreleases", "secrets")


def _assert_same(incremental: TopologyGraph, rebuilt: TopologyGraph) -> None:
    assert dict(incremental.nodes) == dict(rebuilt.nodes)
    assert dict(incremental.edges) == dict(rebuilt.edges)
    for node in rebuilt.nodes:
        assert sorted(e.id for e in incremental.edges_from(node)) == sorted(e.id for e in rebuilt.edges_from(node))
        assert sorted(e.id for e in incremental.edges_to(node)) == sorted(e.id for e in rebuilt.edges_to(node))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_thousand_random_events_equal_a_rebuild(seed: int):
    world = World(random.Random(seed))
    graph = TopologyGraph(KINDS, CLUSTER, CONTEXT)
    graph.rebuild(world.by_kind())
    snapshots = []
    for number in range(1000):
        if number % 250 == 0:
            snapshots.append((graph.revision, dict(graph.nodes), dict(graph.edges)))
        action, (kind_id, key), obj = world.event()
        if action == "delete":
            del world.objects[(kind_id, key)]
            graph.delete(KINDS[kind_id], key)
        else:
            assert obj is not None
            world.objects[(kind_id, key)] = obj
            graph.upsert(KINDS[kind_id], obj)
    rebuilt = TopologyGraph(KINDS, CLUSTER, CONTEXT)
    rebuilt.rebuild(world.by_kind())
    _assert_same(graph, rebuilt)
    assert len(graph.edges) > 1000 and {edge.kind for edge in graph.edges.values()} >= {"selects", "mounts", "owns"}
    for revision, nodes, edges in snapshots:
        changes = graph.changes_since(revision)
        assert changes is not None
        for node in changes.nodes_removed:
            del nodes[node]
        for node in changes.nodes_added | changes.nodes_changed:
            nodes[node] = graph.nodes[node]
        for edge in changes.edges_removed:
            del edges[edge]
        for edge in changes.edges_added:
            edges[edge] = graph.edges[edge]
        assert nodes == dict(graph.nodes) and edges == dict(graph.edges)


def test_an_edge_waits_for_its_far_end_and_goes_with_either_end():
    objects = seeded_objects()
    graph = TopologyGraph(KINDS, CLUSTER, CONTEXT)
    graph.rebuild({kind_id: found for kind_id, found in objects.items() if kind_id != "configmaps"})
    pod = next(obj for obj in objects["pods"] if obj["metadata"]["name"].startswith("wordpress-vfnr"))
    pod_id = f"pods:acme-prod-wordpress/{pod['metadata']['name']}"
    mount = f"mounts|{pod_id}|configmaps:acme-prod-wordpress/wordpress-config"
    assert mount not in graph.edges  # declared by the pod, waiting for the ConfigMap
    config = next(obj for obj in objects["configmaps"] if obj["metadata"]["name"] == "wordpress-config")
    before = graph.revision
    graph.upsert(KINDS["configmaps"], config)
    assert mount in graph.edges and graph.revision == before + 1
    changes = graph.changes_since(before)
    assert changes is not None and mount in changes.edges_added
    assert "configmaps:acme-prod-wordpress/wordpress-config" in changes.nodes_added
    graph.delete(KINDS["pods"], f"acme-prod-wordpress/{pod['metadata']['name']}")
    assert mount not in graph.edges and pod_id not in graph.nodes
    graph.upsert(KINDS["pods"], pod)
    assert mount in graph.edges


def test_nothing_moves_when_nothing_changed():
    objects = seeded_objects()
    graph = TopologyGraph(KINDS, CLUSTER, CONTEXT)
    graph.rebuild(objects)
    revision = graph.revision
    for kind_id in ("pods", "services", "namespaces"):
        graph.upsert(KINDS[kind_id], copy.deepcopy(objects[kind_id][0]))
    graph.delete(KINDS["pods"], "nowhere/nothing")
    graph.upsert(KINDS["persistentvolumes"], objects["volumes"][0])  # not a graph kind: ignored
    graph.upsert(KINDS["events"], {"metadata": {"name": "e", "namespace": "default"}})
    assert graph.revision == revision
    assert graph.changes_since(revision) is not None and not graph.changes_since(revision)
    assert graph.changes_since(revision - 1) is None  # before the rebuild: recompute
