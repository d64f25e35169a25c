"""A plain in-memory GraphReader for view tests (no watch cache, no TopologyGraph), and graphs built with it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from console.kube.kinds import Shape
from console.topology.model import SCOPE_TYPE, EdgeKind, Family, GraphEdge, GraphNode, Status, edge_id, node_id

SHAPES: Mapping[str, Shape] = {
    SCOPE_TYPE: "scope",
    "namespaces": "scope",
    "worker-nodes": "compute",
    "pods": "compute",
    "replicasets": "compute",
    "deployments": "compute",
    "statefulsets": "compute",
    "services": "network",
    "ingresses": "network",
    "configmaps": "config",
    "secrets": "config",
    "certificates": "config",
    "pvcs": "data",
    "volumes": "data",
    "helmreleases": "control",
    "applications": "control",
}
FAMILIES: Mapping[str, Family] = {"certificates": "cert-manager", "helmreleases": "flux", "applications": "catalyst"}


def make_node(
    type_id: str,
    name: str,
    namespace: str = "",
    *,
    status: Status = "healthy",
    owner: str = "",
    node_name: str = "",
    application: str = "",
) -> GraphNode:
    return GraphNode(
        id=node_id(type_id, namespace, name),
        type=type_id,
        title=type_id.rstrip("s").capitalize(),
        name=name,
        namespace=namespace,
        shape=SHAPES[type_id],
        family=FAMILIES.get(type_id, "core"),
        status=status,
        status_text=status.capitalize(),
        href=f"/cloud/resource/{type_id}/{namespace or '_'}/{name}",
        node_name=node_name,
        application=application,
        owner=owner,
    )


class PlainGraph:
    """Nodes and edges in dicts, with the two indexes GraphReader promises."""

    def __init__(self, nodes: Iterable[GraphNode] = (), edges: Iterable[tuple[EdgeKind, str, str]] = ()) -> None:
        self._nodes: dict[str, GraphNode] = {}
        self._edges: dict[str, GraphEdge] = {}
        self._from: defaultdict[str, list[GraphEdge]] = defaultdict(list)
        self._to: defaultdict[str, list[GraphEdge]] = defaultdict(list)
        for node in nodes:
            self.add(node)
        for kind, source, target in edges:
            self.link(kind, source, target)

    @property
    def nodes(self) -> Mapping[str, GraphNode]:
        return self._nodes

    @property
    def edges(self) -> Mapping[str, GraphEdge]:
        return self._edges

    def edges_from(self, node: str) -> Iterable[GraphEdge]:
        return self._from.get(node, ())

    def edges_to(self, node: str) -> Iterable[GraphEdge]:
        return self._to.get(node, ())

    def add(self, node: GraphNode) -> GraphNode:
        self._nodes[node.id] = node
        return node

    def remove(self, node_id: str) -> None:
        """Drop a node and every edge at it."""
        del self._nodes[node_id]
        for edge in (*self._from.pop(node_id, ()), *self._to.pop(node_id, ())):
            self._edges.pop(edge.id, None)
            self._from[edge.source] = [kept for kept in self._from[edge.source] if kept.id != edge.id]
            self._to[edge.target] = [kept for kept in self._to[edge.target] if kept.id != edge.id]

    def link(self, kind: EdgeKind, source: str, target: str) -> None:
        assert source in self._nodes and target in self._nodes, (source, target)
        edge = GraphEdge(edge_id(kind, source, target), kind, source, target)
        self._edges[edge.id] = edge
        self._from[source].append(edge)
        self._to[target].append(edge)


class SeesAllBut:
    """A person who may see every node except the listed ids."""

    def __init__(self, *hidden: str) -> None:
        self.hidden = set(hidden)

    def sees(self, node: GraphNode) -> bool:
        return node.id not in self.hidden


def shop_graph() -> PlainGraph:
    """One app, `shop`, in namespace `shop`, the whole chain: Ingress → Service → Pods → Node; Pods mount a
    ConfigMap and a Secret; Deployment → ReplicaSet → Pods; a HelmRelease reconciles the Deployment and an
    Application realizes it; a Certificate sits beside them."""
    graph = PlainGraph()
    cluster = graph.add(make_node(SCOPE_TYPE, "sovereign"))
    namespace = graph.add(make_node("namespaces", "shop"))
    nodes = [graph.add(make_node("worker-nodes", f"node-{index}")) for index in (1, 2)]
    deployment = graph.add(make_node("deployments", "web", "shop", application="shop"))
    replica_set = graph.add(make_node("replicasets", "web-abc", "shop", owner=deployment.id, application="shop"))
    pods = [
        graph.add(
            make_node(
                "pods",
                f"web-abc-{index}",
                "shop",
                owner=replica_set.id,
                node_name=nodes[index % 2].name,
                application="shop",
                status="failed" if index == 2 else "healthy",
            )
        )
        for index in (1, 2)
    ]
    config = graph.add(make_node("configmaps", "web-config", "shop"))
    secret = graph.add(make_node("secrets", "web-tls", "shop"))
    service = graph.add(make_node("services", "web", "shop", application="shop"))
    ingress = graph.add(make_node("ingresses", "web", "shop", application="shop"))
    release = graph.add(make_node("helmreleases", "shop", "shop"))
    application = graph.add(make_node("applications", "shop", "shop"))
    certificate = graph.add(make_node("certificates", "web-tls", "shop"))
    graph.link("contains", cluster.id, namespace.id)
    for node in nodes:
        graph.link("contains", cluster.id, node.id)
    for member in (deployment, replica_set, *pods, config, secret, service, ingress, release, application, certificate):
        graph.link("contains", namespace.id, member.id)
    graph.link("owns", deployment.id, replica_set.id)
    for index, pod in enumerate(pods):
        graph.link("owns", replica_set.id, pod.id)
        graph.link("mounts", pod.id, config.id)
        graph.link("mounts", pod.id, secret.id)
        graph.link("selects", service.id, pod.id)
        graph.link("runs-on", pod.id, nodes[(index + 1) % 2].id)
    graph.link("routes-to", ingress.id, service.id)
    graph.link("reconciles", release.id, deployment.id)
    graph.link("reconciles", release.id, service.id)
    graph.link("realizes", application.id, deployment.id)
    return graph


def synthetic_graph(
    *, namespaces: int = 50, nodes: int = 100, deployments: int = 1000, pods_per_deployment: int = 10
) -> PlainGraph:
    """A large cluster: Deployments with one ReplicaSet each and their Pods spread over Nodes, a Service per
    Deployment selecting its Pods (about 10,000 Pods and 30,000+ edges with the defaults)."""
    graph = PlainGraph()
    cluster = graph.add(make_node(SCOPE_TYPE, "sovereign"))
    workers = [graph.add(make_node("worker-nodes", f"node-{index}")) for index in range(nodes)]
    spaces = [graph.add(make_node("namespaces", f"team-{index}")) for index in range(namespaces)]
    for worker in workers:
        graph.link("contains", cluster.id, worker.id)
    for space in spaces:
        graph.link("contains", cluster.id, space.id)
    for index in range(deployments):
        space = spaces[index % namespaces]
        app = f"app-{index}"
        deployment = graph.add(make_node("deployments", app, space.name, application=app))
        replica_set = graph.add(make_node("replicasets", f"{app}-rs", space.name, owner=deployment.id))
        service = graph.add(make_node("services", app, space.name, application=app))
        graph.link("contains", space.id, deployment.id)
        graph.link("owns", deployment.id, replica_set.id)
        for number in range(pods_per_deployment):
            worker = workers[(index + number) % nodes]
            pod = graph.add(
                make_node(
                    "pods",
                    f"{app}-rs-{number}",
                    space.name,
                    owner=replica_set.id,
                    node_name=worker.name,
                    application=app,
                    status="failed" if number == 0 and index % 7 == 0 else "healthy",
                )
            )
            graph.link("owns", replica_set.id, pod.id)
            graph.link("selects", service.id, pod.id)
            graph.link("runs-on", pod.id, worker.id)
    return graph
