"""Every edge kind on the sandbox's seeded Sovereign (seed 1, fixed clock), derived in full by TopologyGraph."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext
from console.kube.registry import KINDS
from console.topology.graph import TopologyGraph, graph_kinds
from console.topology.model import EDGE_KINDS, SCOPE_TYPE, edge_id, node_id

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
CLUSTER = "sovereign-omantel.openova.cloud"
CONTEXT = RenderContext(now=NOW, cluster_id=CLUSTER)
SCOPE = node_id(SCOPE_TYPE, "", CLUSTER)
WORDPRESS = "acme-prod-wordpress"


def seeded_objects() -> dict[str, list[dict]]:
    """The seeded world's objects of every graph kind, by kind id."""
    drawn = {(kind.resource.group, kind.kind): kind.id for kind in graph_kinds(KINDS).values() if kind.resource}
    objects: dict[str, list[dict]] = defaultdict(list)
    for obj in build_world(seed=1, now=NOW):
        kind_id = drawn.get((obj["apiVersion"].rpartition("/")[0], obj["kind"]))
        if kind_id is not None:
            objects[kind_id].append(obj)
    return objects


@pytest.fixture(scope="module")
def graph() -> TopologyGraph:
    built = TopologyGraph(KINDS, CLUSTER, CONTEXT)
    built.rebuild(seeded_objects())
    return built


def _targets(graph: TopologyGraph, source: str, kind: str) -> set[str]:
    return {edge.target for edge in graph.edges_from(source) if edge.kind == kind}


def _sources(graph: TopologyGraph, target: str, kind: str) -> set[str]:
    return {edge.source for edge in graph.edges_to(target) if edge.kind == kind}


def _pods(graph: TopologyGraph, namespace: str, prefix: str) -> set[str]:
    return {
        node.id
        for node in graph.nodes.values()
        if node.type == "pods" and node.namespace == namespace and node.name.startswith(prefix)
    }


def test_every_edge_kind_is_drawn_and_every_edge_has_both_ends(graph: TopologyGraph):
    assert {edge.kind for edge in graph.edges.values()} == set(EDGE_KINDS)
    for edge in graph.edges.values():
        assert edge.source in graph.nodes and edge.target in graph.nodes, edge.id
        assert edge.source != edge.target
        assert edge.id == edge_id(edge.kind, edge.source, edge.target)


def test_a_service_selects_its_pods_and_policies_select_theirs(graph: TopologyGraph):
    app_pods = _pods(graph, WORDPRESS, "wordpress-") - _pods(graph, WORDPRESS, "wordpress-mariadb")
    app_pods -= _pods(graph, WORDPRESS, "wordpress-cron")
    assert len(app_pods) == 2
    assert _targets(graph, f"services:{WORDPRESS}/wordpress", "selects") == app_pods
    assert _targets(graph, f"poddisruptionbudgets:{WORDPRESS}/wordpress", "selects") == app_pods
    every_pod = _pods(graph, WORDPRESS, "")
    assert _targets(graph, f"networkpolicies:{WORDPRESS}/default-deny-ingress", "selects") == every_pod  # {}
    # endpointSelector {app.kubernetes.io/instance: wordpress}: the app's pods, its database's and its cron's
    cilium = _targets(graph, f"ciliumnetworkpolicies:{WORDPRESS}/allow-same-namespace", "selects")
    assert app_pods < cilium <= every_pod


def test_routes_reach_services_and_gateways_reach_routes(graph: TopologyGraph):
    assert _targets(graph, f"ingresses:{WORDPRESS}/wordpress", "routes-to") == {f"services:{WORDPRESS}/wordpress"}
    route = "httproutes:catalyst-system/sovereign-console"
    assert _targets(graph, route, "routes-to") == {"services:catalyst-system/sovereign-console"}
    assert _sources(graph, route, "routes-to") == {"gateways:catalyst-system/public"}


def test_pods_mount_config_and_claims_and_run_on_nodes(graph: TopologyGraph):
    (pod, *_) = sorted(_pods(graph, WORDPRESS, "wordpress-vfnr"))
    mounted = _targets(graph, pod, "mounts")
    assert mounted == {f"configmaps:{WORDPRESS}/wordpress-config", f"configmaps:{WORDPRESS}/kube-root-ca.crt"}
    database = f"pods:{WORDPRESS}/wordpress-mariadb-0"
    assert f"pvcs:{WORDPRESS}/data-wordpress-mariadb-0" in _targets(graph, database, "mounts")
    (node,) = _targets(graph, pod, "runs-on")
    assert node.startswith("worker-nodes:") and graph.nodes[pod].node_name == graph.nodes[node].name
    assert all(_targets(graph, pod_id, "runs-on") for pod_id in _pods(graph, "kube-system", ""))


def test_claims_bind_volumes_and_volumes_bind_storage_classes(graph: TopologyGraph):
    claim = "pvcs:vcluster-bankdhofar-prod/data-bankdhofar-prod-0"
    (volume,) = _targets(graph, claim, "binds")
    assert volume.startswith("volumes:pvc-")
    assert _targets(graph, volume, "binds") == {"storage-classes:hcloud-volumes"}
    assert _targets(graph, claim, "binds") == {volume}  # bound: the class is reached through the volume


def test_owners_own_and_nodes_remember_their_controller(graph: TopologyGraph):
    deployment = f"deployments:{WORDPRESS}/wordpress"
    replica_sets = _targets(graph, deployment, "owns")
    assert replica_sets and all(target.startswith(f"replicasets:{WORDPRESS}/wordpress-") for target in replica_sets)
    for pod in _pods(graph, WORDPRESS, "wordpress-vfnr"):
        (owner,) = _sources(graph, pod, "owns")
        assert graph.nodes[pod].owner == owner and graph.nodes[owner].owner == deployment
    assert graph.nodes[deployment].owner == ""


def test_flux_reconciles_what_it_labelled(graph: TopologyGraph):
    release = f"helmreleases:flux-system/{WORDPRESS}"
    reconciled = _targets(graph, release, "reconciles")
    assert {f"deployments:{WORDPRESS}/wordpress", f"services:{WORDPRESS}/wordpress"} <= reconciled
    assert _sources(graph, release, "reconciles") == {"kustomizations:flux-system/acme-prod"}


def test_an_application_realizes_its_workloads_and_depends_on_its_database(graph: TopologyGraph):
    application = f"applications:{WORDPRESS}/wordpress"
    assert _targets(graph, application, "realizes") == {
        f"deployments:{WORDPRESS}/wordpress",
        f"statefulsets:{WORDPRESS}/wordpress-mariadb",
    }
    # `spec.dependsOn: [{name: keycloak-db}]` names the app's CNPG Cluster (the "Database" node)
    keycloak = "applications:openova-prod-keycloak/keycloak"
    assert _targets(graph, keycloak, "depends-on") == {"cnpg-clusters:openova-prod-keycloak/keycloak-db"}
    assert _targets(graph, f"applications:{WORDPRESS}/wordpress", "depends-on") == set()


def test_the_cluster_contains_namespaces_and_nodes_and_namespaces_their_objects(graph: TopologyGraph):
    contained = _targets(graph, SCOPE, "contains")
    namespaces = {node.id for node in graph.nodes.values() if node.type == "namespaces"}
    nodes = {node.id for node in graph.nodes.values() if node.type == "worker-nodes"}
    assert contained == namespaces | nodes and len(nodes) == 9
    in_wordpress = {node.id for node in graph.nodes.values() if node.namespace == WORDPRESS}
    assert _targets(graph, f"namespaces:{WORDPRESS}", "contains") == in_wordpress
    assert _sources(graph, "storage-classes:hcloud-volumes", "contains") == set()  # cluster-scoped, not a member


def test_nodes_carry_what_the_view_draws(graph: TopologyGraph):
    scope = graph.nodes[SCOPE]
    assert (scope.title, scope.shape, scope.family, scope.name) == ("Cluster", "scope", "core", CLUSTER)
    deployment = graph.nodes[f"deployments:{WORDPRESS}/wordpress"]
    assert (deployment.title, deployment.shape, deployment.family) == ("Deployment", "compute", "core")
    assert (deployment.status, deployment.status_text, deployment.application) == ("healthy", "Ready", "wordpress")
    assert deployment.href == f"/cloud/resource/deployments/{WORDPRESS}/wordpress/overview"
    release = graph.nodes[f"helmreleases:flux-system/{WORDPRESS}"]
    assert (release.shape, release.family) == ("control", "flux")
    assert graph.nodes[f"applications:{WORDPRESS}/wordpress"].family == "catalyst"
    assert graph.nodes["cnpg-clusters:openova-prod-keycloak/keycloak-db"].title == "Database"
    assert graph.nodes["worker-nodes:omantel-fsn-cp-1"].title == "Node"
    crash_looping = graph.nodes["deployments:acme-dev-wordpress/wordpress"]
    assert crash_looping.status == "drifted" and crash_looping.status_text == "NotReady"
