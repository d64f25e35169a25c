"""Neighbourhoods: what a node depends on, what depends on it, N hops each way over what the person sees."""

from __future__ import annotations

import pytest
from plain_graph import SeesAllBut, shop_graph

from console.topology.model import EDGE_KINDS, EveryNode
from console.topology.neighbourhood import DEPENDENT_END, neighbourhood

INGRESS = "ingresses:shop/web"
SERVICE = "services:shop/web"
PODS = {"pods:shop/web-abc-1", "pods:shop/web-abc-2"}
NODES = {"worker-nodes:node-1", "worker-nodes:node-2"}
CONFIG = "configmaps:shop/web-config"
REPLICA_SET = "replicasets:shop/web-abc"
DEPLOYMENT = "deployments:shop/web"
APPLICATION = "applications:shop/shop"
RELEASE = "helmreleases:shop/shop"


def test_every_edge_kind_has_a_direction_and_contains_has_none() -> None:
    assert set(DEPENDENT_END) == set(EDGE_KINDS)
    assert DEPENDENT_END["contains"] is None
    assert DEPENDENT_END["reconciles"] == "target"


def test_an_ingress_depends_on_its_service_its_pods_and_their_nodes() -> None:
    places = neighbourhood(shop_graph(), EveryNode(), INGRESS, 3, "depends")
    # the Service also needs its HelmRelease, and the Pods their ConfigMap and Secret
    needed = {SERVICE, RELEASE, *PODS, *NODES, CONFIG, "secrets:shop/web-tls"}
    assert places == {INGRESS: "origin"} | dict.fromkeys(needed, "depends")


def test_hops_limit_the_walk() -> None:
    graph = shop_graph()
    assert neighbourhood(graph, EveryNode(), INGRESS, 1, "depends") == {INGRESS: "origin", SERVICE: "depends"}
    assert set(neighbourhood(graph, EveryNode(), INGRESS, 2, "depends")) == {INGRESS, SERVICE, RELEASE, *PODS}
    assert neighbourhood(graph, EveryNode(), INGRESS, 0, "both") == {INGRESS: "origin"}


def test_what_breaks_when_a_config_map_breaks() -> None:
    places = neighbourhood(shop_graph(), EveryNode(), CONFIG, 4, "dependents")
    dependents = {node for node, place in places.items() if place == "dependents"}
    # Pods mount it; their ReplicaSet and Deployment own them (an owner needs what it owns); the Service
    # selects the Pods; the Application realizes the Deployment; the Ingress routes to the Service
    assert dependents == {*PODS, REPLICA_SET, DEPLOYMENT, SERVICE, APPLICATION, INGRESS}
    assert places[CONFIG] == "origin"
    assert RELEASE not in places  # the Deployment depends on its HelmRelease, not the other way round
    assert not NODES & set(places)  # what the Pods need is not what breaks with the ConfigMap


def test_both_directions_walk_separately_from_the_origin() -> None:
    places = neighbourhood(shop_graph(), EveryNode(), DEPLOYMENT, 1, "both")
    assert places == {
        DEPLOYMENT: "origin",
        REPLICA_SET: "depends",
        RELEASE: "depends",
        APPLICATION: "dependents",
    }


def test_contains_is_not_a_dependency() -> None:
    assert neighbourhood(shop_graph(), EveryNode(), "namespaces:shop", 6, "both") == {"namespaces:shop": "origin"}


def test_the_walk_never_enters_a_node_the_person_may_not_see() -> None:
    places = neighbourhood(shop_graph(), SeesAllBut(SERVICE), INGRESS, 6, "depends")
    assert places == {INGRESS: "origin"}


def test_an_origin_the_person_may_not_see_reads_like_one_that_does_not_exist() -> None:
    with pytest.raises(ValueError) as hidden:
        neighbourhood(shop_graph(), SeesAllBut(SERVICE), SERVICE, 2, "both")
    with pytest.raises(ValueError) as missing:
        neighbourhood(shop_graph(), EveryNode(), "services:shop/nope", 2, "both")
    assert str(hidden.value) == "'services:shop/web' is not in your view of the graph"
    assert str(missing.value).endswith("is not in your view of the graph")
