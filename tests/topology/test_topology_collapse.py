"""Collapse: above the threshold Pods (and ReplicaSets) fold under their top owner; expand; folded edges."""

from __future__ import annotations

from plain_graph import SeesAllBut, make_node, shop_graph, synthetic_graph

from console.topology.collapse import COLLAPSE_THRESHOLD, pod_summary
from console.topology.model import EveryNode, Status, ViewEdge, ViewOptions
from console.topology.view import build_view

WEB = "collapsed:deployments:shop/web"
ALL_ON = frozenset({"pods", "replicasets", "deployments", "services", "configmaps", "worker-nodes"})


def test_pods_above_the_threshold_collapse_under_their_deployment() -> None:
    view = build_view(shop_graph(), ViewOptions(types=frozenset({"pods"})), EveryNode(), collapse_threshold=1)
    assert set(view.nodes) == {WEB}
    node = view.nodes[WEB]
    assert (node.type, node.title, node.name, node.count, node.collapsed, node.href) == (
        "pods",
        "Pods",
        "2 pods",
        2,
        True,
        "",
    )
    assert node.summary == "1 running · 1 failing"
    assert node.status == "failed"  # the worst member
    assert node.group == "group:namespace:shop"
    assert view.notice == "Pods are collapsed under their owners (2 pods): click one to expand it"


def test_at_the_threshold_nothing_collapses() -> None:
    view = build_view(shop_graph(), ViewOptions(types=frozenset({"pods"})), EveryNode(), collapse_threshold=2)
    assert set(view.nodes) == {"pods:shop/web-abc-1", "pods:shop/web-abc-2"}
    assert view.notice == ""


def test_an_expanded_collapse_shows_its_members() -> None:
    options = ViewOptions(types=frozenset({"pods"}), expanded=frozenset({WEB}))
    view = build_view(shop_graph(), options, EveryNode(), collapse_threshold=1)
    assert set(view.nodes) == {"pods:shop/web-abc-1", "pods:shop/web-abc-2"}
    assert view.notice == ""


def test_members_edges_move_to_the_collapsed_node_and_fold() -> None:
    view = build_view(shop_graph(), ViewOptions(types=ALL_ON), EveryNode(), collapse_threshold=1)
    assert "replicasets:shop/web-abc" not in view.nodes  # folded into its Deployment's Pods
    assert {edge.id: edge for edge in view.edges.values()} == {
        f"owns|deployments:shop/web|{WEB}": ViewEdge(
            f"owns|deployments:shop/web|{WEB}", "owns", "deployments:shop/web", WEB
        ),
        f"selects|services:shop/web|{WEB}": ViewEdge(
            f"selects|services:shop/web|{WEB}", "selects", "services:shop/web", WEB, 2
        ),
        f"mounts|{WEB}|configmaps:shop/web-config": ViewEdge(
            f"mounts|{WEB}|configmaps:shop/web-config", "mounts", WEB, "configmaps:shop/web-config", 2
        ),
        f"runs-on|{WEB}|worker-nodes:node-1": ViewEdge(
            f"runs-on|{WEB}|worker-nodes:node-1", "runs-on", WEB, "worker-nodes:node-1", 1
        ),
        f"runs-on|{WEB}|worker-nodes:node-2": ViewEdge(
            f"runs-on|{WEB}|worker-nodes:node-2", "runs-on", WEB, "worker-nodes:node-2", 1
        ),
    }


def test_pods_without_an_owner_stay_single_and_a_hidden_owner_keeps_its_collapse() -> None:
    graph = shop_graph()
    graph.add(make_node("pods", "debug", "shop", node_name="node-1"))
    view = build_view(graph, ViewOptions(types=frozenset({"pods"})), EveryNode(), collapse_threshold=1)
    assert set(view.nodes) == {WEB, "pods:shop/debug"}  # the Deployment's chip is off; its Pods still show


def test_the_owner_chain_stops_at_what_the_person_may_not_see() -> None:
    person = SeesAllBut("replicasets:shop/web-abc")
    view = build_view(shop_graph(), ViewOptions(types=frozenset({"pods"})), person, collapse_threshold=1)
    assert set(view.nodes) == {"collapsed:replicasets:shop/web-abc"}


def test_the_summary_counts_by_status_mildest_first_without_zeros() -> None:
    counts: dict[Status, int] = {"healthy": 38, "failed": 2, "reconciling": 1, "drifted": 3, "unknown": 1}
    statuses = [status for status, count in counts.items() for _ in range(count)]
    pods = [make_node("pods", f"p{index}", "shop", status=status) for index, status in enumerate(statuses)]
    assert pod_summary(pods) == "38 running · 1 starting · 1 unknown · 3 degraded · 2 failing"
    assert pod_summary(pods[:38]) == "38 running"


def test_a_large_cluster_collapses_at_the_default_threshold() -> None:
    graph = synthetic_graph(namespaces=2, nodes=3, deployments=40, pods_per_deployment=10)
    view = build_view(graph, ViewOptions(types=frozenset({"pods"}), group_by="node"), EveryNode())
    assert 400 > COLLAPSE_THRESHOLD
    assert len(view.nodes) == 40 and all(node.collapsed for node in view.nodes.values())
    first = view.nodes["collapsed:deployments:team-0/app-0"]
    assert (first.name, first.summary, first.status) == ("10 pods", "9 running · 1 failing", "failed")
    assert first.group == ""  # its Pods run on three Nodes; a Deployment sits in no Node's box
    assert view.notice == "Pods are collapsed under their owners (400 pods): click one to expand it"


def test_a_focus_collapses_only_when_its_own_pods_exceed_the_threshold() -> None:
    graph = synthetic_graph(namespaces=1, nodes=3, deployments=2, pods_per_deployment=5)
    focus = ViewOptions(focus="services:team-0/app-0", hops=1)
    small = build_view(graph, focus, EveryNode(), collapse_threshold=5)
    assert {node.type for node in small.nodes.values()} == {"services", "pods"} and small.notice == ""
    large = build_view(graph, focus, EveryNode(), collapse_threshold=4)
    assert set(large.nodes) == {"services:team-0/app-0", "collapsed:deployments:team-0/app-0"}
    assert large.nodes["collapsed:deployments:team-0/app-0"].focus == "depends"
