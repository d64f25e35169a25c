"""Projected kinds (worker-nodes, node-pools, load-balancers, vclusters, clusters) from the seeded world."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext, rows_for
from console.kube.kinds_catalog.projected import CLUSTERS, LOAD_BALANCERS, NODE_POOLS, VCLUSTERS, WORKER_NODES
from console.kube.query import ListQuery, run_query
from console.kube.registry import KINDS

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
CLUSTER_ID = "sovereign-omantel.openova.cloud"
CONTEXT = RenderContext(now=NOW, cluster_id=CLUSTER_ID, server_version="v1.37.0")


@pytest.fixture(scope="module")
def world() -> list[dict]:
    return build_world(seed=1, now=NOW)


def _of(world: list[dict], kind: str) -> list[dict]:
    return [obj for obj in world if obj["kind"] == kind]


def test_worker_nodes_have_roles_and_a_role_filter(world):
    rows = rows_for(WORKER_NODES, _of(world, "Node"), CONTEXT)
    by_name = {row.name: row for row in rows}
    assert by_name["omantel-fsn-cp-1"].cells["role"] == "control-plane"
    assert by_name["omantel-fsn-general-1"].cells["role"] == "worker"
    row = by_name["omantel-fsn-general-1"]
    assert row.cells["status"] == "Ready" and row.tone == "ok"
    assert row.cells["version"] == "v1.37.1" and row.cells["internal_ip"] == "10.0.1.5"
    result = run_query(WORKER_NODES, rows, ListQuery(filters=(("role", "worker"),)))
    assert result.counts["role"] == {"control-plane": 3, "worker": 6}
    assert result.matched == 6 and all(row.cells["role"] == "worker" for row in result.rows)


def test_node_status_words(world):
    node = copy.deepcopy(_of(world, "Node")[0])
    node["spec"]["unschedulable"] = True
    row = WORKER_NODES.render(node, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Ready,SchedulingDisabled", "warn")
    for entry in node["status"]["conditions"]:
        if entry["type"] == "Ready":
            entry["status"] = "Unknown"
    assert WORKER_NODES.render(node, CONTEXT).cells["status"] == "NotReady,SchedulingDisabled"
    assert WORKER_NODES.render(node, CONTEXT).tone == "err"


def test_node_pools_group_nodes_by_pool_label(world):
    rows = {row.key: row for row in rows_for(NODE_POOLS, _of(world, "Node"), CONTEXT)}
    assert set(rows) == {"control-plane", "general", "highmem"}
    control_plane = rows["control-plane"]
    assert control_plane.cells["sku"] == "cx32"
    assert control_plane.cells["replicas"] == "3" and control_plane.sort_keys["replicas"] == 3.0
    assert control_plane.cells["ready"] == "3/3" and control_plane.tone == "ok"
    workers = sum(int(rows[pool].cells["replicas"]) for pool in ("general", "highmem"))
    assert workers == 6
    assert rows["general"].labels["openova.io/node-pool"] == "general"
    assert "kubernetes.io/hostname" not in rows["general"].labels
    assert not NODE_POOLS.opens_detail


def test_node_pool_falls_back_to_instance_type_and_turns_amber_when_a_node_is_down(world):
    nodes = copy.deepcopy([node for node in _of(world, "Node") if "general" in node["metadata"]["name"]])
    for node in nodes:
        del node["metadata"]["labels"]["openova.io/node-pool"]
    for entry in nodes[0]["status"]["conditions"]:
        if entry["type"] == "Ready":
            entry["status"] = "False"
    (row,) = rows_for(NODE_POOLS, nodes, CONTEXT)
    assert row.key == "cpx41" and row.cells["ready"] == "3/4"
    assert (row.cells["status"], row.tone) == ("Degraded", "warn")


def test_load_balancers_are_the_load_balancer_services(world):
    rows = {row.key: row for row in rows_for(LOAD_BALANCERS, _of(world, "Service"), CONTEXT)}
    assert set(rows) == {
        "kube-system/cilium-ingress",
        "catalyst-system/cilium-gateway-public",
        "vcluster-bankdhofar-prod/bankdhofar-prod",
    }
    assert rows["kube-system/cilium-ingress"].cells["listeners"] == "tcp:80, tcp:443"
    assert rows["kube-system/cilium-ingress"].cells["external_ip"] == "168.119.41.17"
    assert rows["vcluster-bankdhofar-prod/bankdhofar-prod"].cells["listeners"] == "tcp:6443"
    assert all("NodePort" not in row.cells["listeners"] for row in rows.values())
    assert all(row.tone == "ok" for row in rows.values())


def test_vclusters_are_labelled_stateful_sets(world):
    (row,) = rows_for(VCLUSTERS, _of(world, "StatefulSet"), CONTEXT)
    assert row.key == "vcluster-bankdhofar-prod/bankdhofar-prod"
    assert row.cells["host_cluster"] == CLUSTER_ID
    assert row.cells["isolation"] == "rtz"
    assert row.cells["ready"] == "1/1" and row.tone == "ok"


def test_clusters_is_one_row_for_the_connected_cluster(world):
    (row,) = rows_for(CLUSTERS, _of(world, "Node"), CONTEXT)
    assert row.name == CLUSTER_ID
    assert row.cells["version"] == "v1.37.0" and row.cells["nodes"] == "9"
    assert (row.cells["status"], row.tone) == ("Ready", "ok")
    assert row.cells["region"] == "primary"
    assert not CLUSTERS.opens_detail
    (empty,) = rows_for(CLUSTERS, [], CONTEXT)
    assert (empty.cells["nodes"], empty.cells["status"], empty.tone) == ("0", "Unknown", "muted")


def test_the_primary_chips():
    assert {kind.id for kind in KINDS.values() if kind.primary} >= {
        "clusters",
        "vclusters",
        "node-pools",
        "pvcs",
        "load-balancers",
    }
