"""Kinds projected from core objects: worker-nodes, node-pools, load-balancers, vclusters, clusters.

worker-nodes lists Nodes; load-balancers and vclusters are subsets (`Kind.selects`) of Services and
StatefulSets and open their detail; node-pools and clusters group Nodes into rows that are no object
(`Kind.project`, `opens_detail=False`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from console.kube.api import JsonObject, ResourcePath
from console.kube.capabilities import SPEC_REPLICAS, Capability
from console.kube.kinds import Column, GraphType, Kind, KindFilter, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import field, items, text
from console.kube.kinds_catalog.core import NONE, load_balancer_addresses
from console.kube.kinds_catalog.workloads import SCALABLE_WORKLOAD, deployment_replicas, workload_row
from console.kube.objects import created_at, human_age, labels_of
from console.kube.rows import STATUS, columns, columns_in_order, object_row, ready_cell, region_of
from console.kube.tones import condition

NODES_RESOURCE = ResourcePath("", "v1", "nodes")
ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"
POOL_LABEL = "openova.io/node-pool"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
BUILDING_BLOCK_LABEL = "openova.io/building-block"

ROLE = Column("role", "ROLE")
VERSION = Column("version", "VERSION")
INTERNAL_IP = Column("internal_ip", "INTERNAL-IP")
SKU = Column("sku", "SKU")
REPLICAS = Column("replicas", "REPLICAS", numeric=True)
READY = Column("ready", "READY")
LISTENERS = Column("listeners", "LISTENERS")
EXTERNAL_IP = Column("external_ip", "EXTERNAL-IP")
HOST_CLUSTER = Column("host_cluster", "HOST CLUSTER")
ISOLATION = Column("isolation", "ISOLATION")
NODES = Column("nodes", "NODES", numeric=True)


def node_role(node: JsonObject) -> str:
    """`control-plane` for control-plane (or legacy master) nodes, another role label's name, else `worker`."""
    labels = labels_of(node)
    roles = sorted(key.removeprefix(ROLE_LABEL_PREFIX) for key in labels if key.startswith(ROLE_LABEL_PREFIX))
    roles = [role for role in roles if role] + (
        [labels["kubernetes.io/role"]] if labels.get("kubernetes.io/role") else []
    )
    if "control-plane" in roles or "master" in roles:
        return "control-plane"
    return roles[0] if roles else "worker"


def node_ready(node: JsonObject) -> bool:
    return (condition(node, "Ready") or {}).get("status") == "True"


def node_status(node: JsonObject) -> tuple[str, Tone]:
    """kubectl's node STATUS (`Ready`, `NotReady`, `Unknown`, `…,SchedulingDisabled`) and its tone."""
    ready = condition(node, "Ready")
    tone: Tone
    if ready is None:
        status, tone = "Unknown", "muted"
    elif ready.get("status") == "True":
        status, tone = "Ready", "ok"
    else:
        status, tone = "NotReady", "err"
    if field(node, "spec", "unschedulable") is True:
        status += ",SchedulingDisabled"
        tone = "warn" if tone == "ok" else tone
    return status, tone


def internal_ip(node: JsonObject) -> str:
    for address in items(node, "status", "addresses"):
        if isinstance(address, dict) and address.get("type") == "InternalIP":
            return str(address.get("address") or "")
    return NONE


def render_node(obj: JsonObject, context: RenderContext) -> Row:
    status, tone = node_status(obj)
    return object_row(
        obj,
        context,
        status=status,
        tone=tone,
        cells={
            "role": node_role(obj),
            "version": text(obj, "status", "nodeInfo", "kubeletVersion"),
            "internal_ip": internal_ip(obj),
        },
    )


def _group_status(ready: int, total: int) -> tuple[str, Tone]:
    if total == 0:
        return "Unknown", "muted"
    if ready == total:
        return "Ready", "ok"
    return ("NotReady", "err") if ready == 0 else ("Degraded", "warn")


def _common_labels(nodes: list[JsonObject]) -> dict[str, str]:
    """The labels every node of a group carries (what a label selector on the group can match)."""
    if not nodes:
        return {}
    common = dict(labels_of(nodes[0]))
    for node in nodes[1:]:
        labels = labels_of(node)
        common = {key: value for key, value in common.items() if labels.get(key) == value}
    return common


def _oldest(nodes: list[JsonObject]) -> datetime | None:
    moments = [moment for moment in (created_at(node) for node in nodes) if moment is not None]
    return min(moments) if moments else None


def _group_row(
    key: str, nodes: list[JsonObject], context: RenderContext, cells: Mapping[str, str], sort_keys: Mapping[str, float]
) -> Row:
    """A row standing for a group of nodes (a pool, the cluster): no object behind it."""
    ready = sum(1 for node in nodes if node_ready(node))
    status, tone = _group_status(ready, len(nodes))
    oldest = _oldest(nodes)
    all_cells = {
        "name": key,
        "namespace": "",
        "status": status,
        "age": human_age(oldest, context.now),
        "region": region_of(context.cluster_id),
        "ready": ready_cell(ready, len(nodes)),
        **cells,
    }
    keys: dict[str, str | float] = {column: value.lower() for column, value in all_cells.items()}
    keys.update({"age": -(oldest.timestamp() if oldest else 0.0), "ready": ready / len(nodes) if nodes else 0.0})
    keys.update(sort_keys)
    return Row(
        key=key,
        uid="",
        name=key,
        namespace="",
        labels=_common_labels(nodes),
        cells=all_cells,
        sort_keys=keys,
        tone=tone,
    )


def pool_of(node: JsonObject) -> str:
    labels = labels_of(node)
    return labels.get(POOL_LABEL) or labels.get(INSTANCE_TYPE_LABEL) or "default"


def _pool_row(pool: str, nodes: list[JsonObject], context: RenderContext) -> Row:
    skus = sorted({labels_of(node).get(INSTANCE_TYPE_LABEL, "") for node in nodes} - {""})
    return _group_row(
        pool,
        nodes,
        context,
        {"sku": ",".join(skus) or NONE, "replicas": str(len(nodes))},
        {"replicas": float(len(nodes))},
    )


def project_node_pools(nodes: list[JsonObject], context: RenderContext) -> list[Row]:
    """One row per pool: label `openova.io/node-pool`, else the instance type."""
    pools: dict[str, list[JsonObject]] = {}
    for node in nodes:
        pools.setdefault(pool_of(node), []).append(node)
    return [_pool_row(pool, members, context) for pool, members in pools.items()]


def render_node_pool(obj: JsonObject, context: RenderContext) -> Row:
    return _pool_row(pool_of(obj), [obj], context)


def project_clusters(nodes: list[JsonObject], context: RenderContext) -> list[Row]:
    """The connected cluster as one row: its id, the API server version, node count and readiness."""
    return [
        _group_row(
            context.cluster_id or "in-cluster",
            nodes,
            context,
            {"version": context.server_version or "<unknown>", "nodes": str(len(nodes))},
            {"nodes": float(len(nodes))},
        )
    ]


def render_cluster(obj: JsonObject, context: RenderContext) -> Row:
    return project_clusters([obj], context)[0]


def is_load_balancer(obj: JsonObject) -> bool:
    return text(obj, "spec", "type") == "LoadBalancer"


def listeners(obj: JsonObject) -> str:
    """`tcp:80, tcp:443`: protocol and service port of each listener (node ports are not shown)."""
    return ", ".join(
        f"{str(port.get('protocol') or 'TCP').lower()}:{port.get('port')}"
        for port in items(obj, "spec", "ports")
        if isinstance(port, dict)
    )


def render_load_balancer(obj: JsonObject, context: RenderContext) -> Row:
    addresses = load_balancer_addresses(obj)
    return object_row(
        obj,
        context,
        status="Active" if addresses else "Pending",
        tone="ok" if addresses else "warn",
        cells={"listeners": listeners(obj) or NONE, "external_ip": ",".join(addresses) or "<pending>"},
    )


def is_vcluster(obj: JsonObject) -> bool:
    return labels_of(obj).get("app") == "vcluster"


def render_vcluster(obj: JsonObject, context: RenderContext) -> Row:
    return workload_row(
        obj,
        context,
        deployment_replicas(obj),
        host_cluster=context.cluster_id,
        isolation=labels_of(obj).get(BUILDING_BLOCK_LABEL) or NONE,
    )


CLUSTERS = Kind(
    id="clusters",
    title="Clusters",
    kind="Node",
    resource=NODES_RESOURCE,
    category="compute",
    columns=columns(VERSION, NODES, namespaced=False),
    render=render_cluster,
    project=project_clusters,
    primary=True,
    short_names=("cluster", "cl"),
    opens_detail=False,
)

VCLUSTERS = Kind(
    id="vclusters",
    title="vClusters",
    kind="StatefulSet",
    resource=ResourcePath("apps", "v1", "statefulsets"),
    category="compute",
    columns=columns(HOST_CLUSTER, ISOLATION, READY, namespaced=True),
    render=render_vcluster,
    selects=is_vcluster,
    primary=True,
    short_names=("vc", "vcluster"),
    capabilities=SCALABLE_WORKLOAD,  # a vCluster is its StatefulSet
    replica_count=SPEC_REPLICAS,
    log_source="workload",
)

NODE_POOLS = Kind(
    id="node-pools",
    title="Node Pools",
    kind="Node",
    resource=NODES_RESOURCE,
    category="compute",
    columns=columns(SKU, REPLICAS, READY, namespaced=False),
    render=render_node_pool,
    project=project_node_pools,
    primary=True,
    short_names=("np", "nodepool"),
    opens_detail=False,
)

WORKER_NODES = Kind(
    id="worker-nodes",
    title="Worker Nodes",
    kind="Node",
    resource=NODES_RESOURCE,
    category="compute",
    columns=columns_in_order(STATUS, ROLE, VERSION, INTERNAL_IP, namespaced=False),
    render=render_node,
    filters=(KindFilter("role", "ROLE"),),
    short_names=("no", "node"),
    capabilities=frozenset({Capability.METRICS}),
    metrics_resource="nodes",
    graph=GraphType("compute", "Node"),
)

LOAD_BALANCERS = Kind(
    id="load-balancers",
    title="Load Balancers",
    kind="Service",
    resource=ResourcePath("", "v1", "services"),
    category="network",
    columns=columns(LISTENERS, EXTERNAL_IP, namespaced=True),
    render=render_load_balancer,
    selects=is_load_balancer,
    primary=True,
    short_names=("lb", "loadbalancer"),
    capabilities=frozenset({Capability.ENDPOINTS}),  # a LoadBalancer is its Service
)

KINDS = (CLUSTERS, VCLUSTERS, NODE_POOLS, WORKER_NODES, LOAD_BALANCERS)
