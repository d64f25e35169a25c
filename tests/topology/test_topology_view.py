"""build_view: visibility, type chips and their counts, grouping, focus, and its errors."""

from __future__ import annotations

import pytest
from plain_graph import SeesAllBut, shop_graph

from console.topology.model import SCOPE_TYPE, EveryNode, GroupBy, ViewOptions
from console.topology.view import build_view, shown_by_default

CLUSTER = f"{SCOPE_TYPE}:sovereign"
CONFIG = "configmaps:shop/web-config"
POD = "pods:shop/web-abc-1"


def test_pods_replica_sets_config_maps_and_secrets_start_hidden() -> None:
    assert [shown_by_default(type_id) for type_id in ("pods", "replicasets", "configmaps", "secrets")] == [False] * 4
    assert shown_by_default("deployments") and shown_by_default(SCOPE_TYPE) and shown_by_default("widgets.example.com")
    view = build_view(shop_graph(), ViewOptions(), EveryNode())
    assert {node.type for node in view.nodes.values()} == {
        SCOPE_TYPE,
        "worker-nodes",
        "deployments",
        "services",
        "ingresses",
        "helmreleases",
        "applications",
        "certificates",
    }
    chips = {chip.type: chip for chip in view.types}
    assert [chips[type_id].shown for type_id in ("pods", "replicasets", "configmaps", "secrets")] == [False] * 4
    assert chips["pods"].count == 2 and not chips["pods"].hidden_by_lens


def test_type_counts_are_what_the_person_may_see_whatever_is_drawn() -> None:
    person = SeesAllBut(POD)
    for options in (ViewOptions(), ViewOptions(lens="data"), ViewOptions(types=frozenset({"pods"}))):
        view = build_view(shop_graph(), options, person, collapse_threshold=0)
        chips = {chip.type: chip.count for chip in view.types}
        assert chips["pods"] == 1 and chips["deployments"] == 1 and chips["namespaces"] == 1


def test_a_node_the_person_may_not_see_never_appears() -> None:
    person = SeesAllBut(POD, "services:shop/web")
    everything = frozenset(node.type for node in shop_graph().nodes.values())
    view = build_view(shop_graph(), ViewOptions(types=everything, group_by="none"), person)
    assert POD not in view.nodes and "services:shop/web" not in view.nodes
    assert all(POD not in (edge.source, edge.target) for edge in view.edges.values())
    assert all(edge.source in view.nodes and edge.target in view.nodes for edge in view.edges.values())
    with pytest.raises(ValueError, match="is not in your view of the graph"):
        build_view(shop_graph(), ViewOptions(focus=POD), person)


def test_an_unknown_lens_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown lens 'x'"):
        build_view(shop_graph(), ViewOptions(lens="x"), EveryNode())


def test_grouped_by_namespace_the_namespace_is_the_box_and_contains_edges_go() -> None:
    view = build_view(shop_graph(), ViewOptions(), EveryNode())
    assert set(view.groups) == {"group:namespace:shop"}
    assert view.groups["group:namespace:shop"].title == "shop"
    assert "namespaces:shop" not in view.nodes
    assert view.nodes["deployments:shop/web"].group == "group:namespace:shop"
    assert view.nodes[CLUSTER].group == "" and view.nodes["worker-nodes:node-1"].group == ""
    assert {edge.kind for edge in view.edges.values()} == {"routes-to", "reconciles", "realizes"}


def test_grouped_by_node_pods_sit_with_their_node() -> None:
    options = ViewOptions(types=frozenset({"pods", "worker-nodes", "deployments", SCOPE_TYPE}), group_by="node")
    view = build_view(shop_graph(), options, EveryNode())
    assert set(view.groups) == {"group:node:node-1", "group:node:node-2"}
    assert view.nodes["pods:shop/web-abc-1"].group == "group:node:node-2"
    assert view.nodes["worker-nodes:node-2"].group == "group:node:node-2"
    assert view.nodes["deployments:shop/web"].group == "" and view.nodes[CLUSTER].group == ""
    assert "contains" in {edge.kind for edge in view.edges.values()}  # the cluster contains its Nodes


def test_grouped_by_application() -> None:
    view = build_view(shop_graph(), ViewOptions(group_by="application"), EveryNode())
    assert set(view.groups) == {"group:application:shop", "group:application:(no application)"}
    assert view.groups["group:application:(no application)"].title == "(no application)"
    assert view.nodes["applications:shop/shop"].group == "group:application:shop"
    assert view.nodes["deployments:shop/web"].group == "group:application:shop"
    assert view.nodes["helmreleases:shop/shop"].group == "group:application:(no application)"
    assert view.nodes[CLUSTER].group == ""


@pytest.mark.parametrize("group_by", ["none", "node", "application"])
def test_outside_the_namespace_grouping_namespaces_are_nodes_with_their_edges(group_by: GroupBy) -> None:
    view = build_view(shop_graph(), ViewOptions(group_by=group_by), EveryNode())
    assert "namespaces:shop" in view.nodes
    assert "contains|namespaces:shop|deployments:shop/web" in view.edges
    if group_by == "none":
        assert view.groups == {} and all(node.group == "" for node in view.nodes.values())


def test_a_focus_draws_its_neighbourhood_with_the_types_that_start_hidden() -> None:
    options = ViewOptions(focus=CONFIG, hops=4, direction="dependents")
    view = build_view(shop_graph(), options, EveryNode())
    assert {node_id: node.focus for node_id, node in view.nodes.items()} == {
        CONFIG: "origin",
        "pods:shop/web-abc-1": "dependents",
        "pods:shop/web-abc-2": "dependents",
        "replicasets:shop/web-abc": "dependents",
        "deployments:shop/web": "dependents",
        "services:shop/web": "dependents",
        "ingresses:shop/web": "dependents",
        "applications:shop/shop": "dependents",
    }
    assert f"mounts|pods:shop/web-abc-1|{CONFIG}" in view.edges


def test_in_a_focus_chips_and_the_lens_apply_except_to_the_origin() -> None:
    graph = shop_graph()
    chips_off = ViewOptions(types=frozenset({"pods"}), focus="ingresses:shop/web", hops=2, direction="depends")
    assert set(build_view(graph, chips_off, EveryNode()).nodes) == {
        "ingresses:shop/web",  # the origin, though its chip is off
        "pods:shop/web-abc-1",
        "pods:shop/web-abc-2",
    }
    lens = ViewOptions(lens="networking", focus=POD, hops=6, direction="both")
    assert set(build_view(graph, lens, EveryNode()).nodes) == {
        POD,  # the origin, though the lens hides Pods
        "services:shop/web",
        "ingresses:shop/web",
    }


def test_builds_are_deterministic() -> None:
    options = ViewOptions(types=frozenset(node.type for node in shop_graph().nodes.values()), group_by="node")
    first = build_view(shop_graph(), options, EveryNode(), collapse_threshold=1)
    second = build_view(shop_graph(), options, EveryNode(), collapse_threshold=1)
    assert first == second
    assert list(first.nodes) == list(second.nodes) and list(first.edges) == list(second.edges)
