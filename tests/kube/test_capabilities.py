"""What each kind's objects offer is declared by the kind (`Kind.capabilities` and its descriptors)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from console.kube.capabilities import SPEC_REPLICAS, Capability, ReplicaCount, crd_capabilities, replica_path
from console.kube.discovery import custom_kind
from console.kube.kinds import RenderContext, rows_for
from console.kube.registry import KINDS, kind_for

LOGS, EXEC, SCALE, RESTART = Capability.LOGS, Capability.EXEC, Capability.SCALE, Capability.RESTART
METRICS, RECONCILE, REVEAL, ENDPOINTS = (
    Capability.METRICS,
    Capability.RECONCILE,
    Capability.REVEAL,
    Capability.ENDPOINTS,
)
COMPLIANCE = Capability.COMPLIANCE

# Every registered kind that offers something; each other registered kind offers nothing.
OFFERS: dict[str, set[Capability]] = {
    "pods": {LOGS, EXEC, METRICS, COMPLIANCE},
    "deployments": {SCALE, RESTART, LOGS, COMPLIANCE},
    "statefulsets": {SCALE, RESTART, LOGS, COMPLIANCE},
    "vclusters": {SCALE, RESTART, LOGS},  # a vCluster is its StatefulSet
    "daemonsets": {RESTART, LOGS, COMPLIANCE},  # one pod per node: nothing to scale
    "secrets": {REVEAL},
    "services": {ENDPOINTS},
    "load-balancers": {ENDPOINTS},  # a LoadBalancer is its Service
    "helmreleases": {RECONCILE},
    "kustomizations": {RECONCILE},
    "gitrepositories": {RECONCILE},
    "worker-nodes": {METRICS},
}
NOTHING = sorted(set(KINDS) - set(OFFERS))
NOW = RenderContext(now=datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC), cluster_id="sovereign-x")


def test_the_table_names_registered_kinds_and_leaves_out_plain_ones():
    assert set(OFFERS) <= set(KINDS)
    assert {"configmaps", "replicasets", "namespaces", "persistentvolumes", "ingresses"} <= set(NOTHING)


@pytest.mark.parametrize("kind_id", sorted(OFFERS))
def test_kinds_that_offer_something(kind_id: str):
    assert kind_for(kind_id).capabilities == OFFERS[kind_id]


@pytest.mark.parametrize("kind_id", NOTHING)
def test_every_other_kind_offers_nothing(kind_id: str):
    kind = kind_for(kind_id)
    assert kind.capabilities == frozenset()
    assert (kind.replica_count, kind.log_source, kind.metrics_resource) == (None, None, "")


def test_how_logs_and_metrics_are_read():
    assert kind_for("pods").log_source == "pod"
    assert {kind_for(k).log_source for k in ("deployments", "statefulsets", "daemonsets", "vclusters")} == {"workload"}
    assert (kind_for("pods").metrics_resource, kind_for("worker-nodes").metrics_resource) == ("pods", "nodes")


def test_the_wanted_replica_count_comes_from_the_kind():
    deployments = kind_for("deployments")
    assert deployments.replicas({"spec": {"replicas": 3}, "status": {"readyReplicas": 1}}) == 3
    assert deployments.replicas({"spec": {}}) == 1  # the API server's default
    assert kind_for("daemonsets").replicas({"status": {"desiredNumberScheduled": 4}}) is None
    assert kind_for("pods").replicas({"spec": {}}) is None


def test_list_rows_carry_the_wanted_count_not_the_ready_cell():
    deployment = {
        "metadata": {"name": "web", "namespace": "shop", "uid": "u", "creationTimestamp": "2026-11-27T11:00:00Z"},
        "spec": {"replicas": 5},
        "status": {"readyReplicas": 2, "replicas": 5},
    }
    [row] = rows_for(kind_for("deployments"), [deployment], NOW)
    assert (row.cells["ready"], row.wanted_replicas) == ("2/5", 5)
    [daemon_row] = rows_for(kind_for("daemonsets"), [deployment], NOW)
    assert daemon_row.wanted_replicas is None


def test_a_capability_needs_its_descriptor():
    with pytest.raises(ValueError, match="scale and its descriptor go together"):
        dataclasses.replace(kind_for("configmaps"), capabilities=frozenset({SCALE}))
    with pytest.raises(ValueError, match="logs and its descriptor go together"):
        dataclasses.replace(kind_for("pods"), log_source=None)
    with pytest.raises(ValueError, match="metrics and its descriptor go together"):
        dataclasses.replace(kind_for("configmaps"), metrics_resource="pods")


def test_namespaced_is_stated_once_by_the_columns():
    assert kind_for("pods").namespaced and not kind_for("worker-nodes").namespaced
    for kind in KINDS.values():
        assert kind.namespaced == any(column.key == "namespace" for column in kind.columns)


def test_replica_paths_of_a_scale_subresource():
    assert replica_path(".spec.replicas") == ("spec", "replicas")
    assert replica_path(".spec.workers.count") == ("spec", "workers", "count")
    assert replica_path("spec.replicas") is None
    assert replica_path(".spec.replicas[0]") is None
    assert ReplicaCount(("spec", "workers", "count")).of({"spec": {"workers": {"count": 7}}}) == 7
    assert SPEC_REPLICAS.of({"spec": {"replicas": "3"}}) == 1  # not a number: the default


def _crd(group: str, scale: dict | None = None) -> dict:
    version = {"name": "v1", "served": True, "storage": True}
    if scale is not None:
        version["subresources"] = {"status": {}, "scale": scale}
    return {
        "spec": {
            "group": group,
            "names": {"plural": "widgets", "kind": "Widget"},
            "scope": "Namespaced",
            "versions": [version],
        }
    }


def test_discovered_kinds_get_what_their_definition_implies():
    flux = custom_kind(_crd("source.toolkit.fluxcd.io"))
    assert flux is not None and flux.capabilities == {RECONCILE}
    scalable = custom_kind(_crd("example.com", {"specReplicasPath": ".spec.replicas"}))
    assert scalable is not None and scalable.capabilities == {SCALE}
    assert scalable.replicas({"spec": {"replicas": 4}}) == 4
    plain = custom_kind(_crd("example.com"))
    assert plain is not None and plain.capabilities == frozenset()
    assert crd_capabilities("example.com", {"subresources": {"scale": {"specReplicasPath": ".spec.a[0]"}}}) == (
        frozenset(),
        None,
    )
