"""Benchmark scale: extra nodes, namespaces and Deployments so the world holds about N pods."""

from __future__ import annotations

import math

from sovereign_sandbox.world.cluster import add_namespace, add_nodes
from sovereign_sandbox.world.context import DAY, WorldContext, owner_reference
from sovereign_sandbox.world.pods import Container, build_pod
from sovereign_sandbox.world.workloads import Workload, add_workload

__all__ = ["add_load"]

_REPLICAS = 10  # pods per load Deployment
_DEPLOYMENTS_PER_NAMESPACE = 20
_PODS_PER_NODE = 100  # under the kubelet's 110-pod limit, like a packed but healthy node


def _daemon_pods_on_new_nodes(context: WorldContext, first_new: int) -> None:
    # DaemonSets were built before the load nodes joined; give each new node its pods and fix the counts.
    daemon_sets = [item for item in context.objects if item["kind"] == "DaemonSet"]
    new_nodes = context.nodes[first_new:]
    for daemon_set in daemon_sets:
        metadata = daemon_set["metadata"]
        template = daemon_set["spec"]["template"]
        for node in new_nodes:
            spec = dict(template["spec"])
            spec["affinity"] = {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.name]}]}
                        ]
                    }
                }
            }
            context.add(
                build_pod(
                    context,
                    name=f"{metadata['name']}-{context.suffix()}",
                    namespace=metadata["namespace"],
                    labels=dict(template["metadata"]["labels"]),
                    annotations={},
                    owner=owner_reference("apps/v1", "DaemonSet", metadata["name"]),
                    template_spec=spec,
                    node=node,
                    age=DAY + context.between(0, DAY),
                )
            )
        status = daemon_set["status"]
        total = status["desiredNumberScheduled"] + len(new_nodes)
        for key in (
            "currentNumberScheduled",
            "desiredNumberScheduled",
            "numberAvailable",
            "numberReady",
            "updatedNumberScheduled",
        ):
            status[key] = total


def add_load(context: WorldContext, extra_pods: int) -> None:
    """Add about `extra_pods` running pods (rounded up to whole Deployments); nothing when ≤ 0."""
    if extra_pods <= 0:
        return
    deployments = math.ceil(extra_pods / _REPLICAS)
    first_new = len(context.nodes)
    add_nodes_count = math.ceil(extra_pods / _PODS_PER_NODE)
    _extend_nodes(context, add_nodes_count)
    _daemon_pods_on_new_nodes(context, first_new)
    for namespace_index in range(math.ceil(deployments / _DEPLOYMENTS_PER_NAMESPACE)):
        namespace = f"load-{namespace_index}"
        add_namespace(context, namespace, 2 * DAY, {"openova.io/purpose": "benchmark"})
        context.add(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {
                    "name": "default",
                    "namespace": namespace,
                    "labels": {},
                    "annotations": {},
                    "creationTimestamp": context.timestamp(2 * DAY),
                },
            }
        )
        first = namespace_index * _DEPLOYMENTS_PER_NAMESPACE
        for index in range(first, min(first + _DEPLOYMENTS_PER_NAMESPACE, deployments)):
            name = f"load-{index}"
            add_workload(
                context,
                Workload(
                    "Deployment",
                    name,
                    namespace,
                    {
                        "app.kubernetes.io/name": name,
                        "app.kubernetes.io/instance": name,
                        "app.kubernetes.io/part-of": "benchmark",
                    },
                    [
                        Container(
                            "app",
                            "registry.k8s.io/pause:3.10",
                            (("http", 8080),),
                            requests=("10m", "16Mi"),
                            limits=("50m", "32Mi"),
                        )
                    ],
                    age=2 * DAY - index,
                    replicas=_REPLICAS,
                    pool="load",
                ),
            )


def _extend_nodes(context: WorldContext, count: int) -> None:
    # add_nodes lays out the base nodes first; build the load nodes in a scratch context and adopt them.
    scratch = WorldContext(context.rng, context.now)
    add_nodes(scratch, load_nodes=count)
    base = len(context.nodes)
    for node, manifest in zip(scratch.nodes[base:], [item for item in scratch.objects][base:], strict=True):
        context.nodes.append(node)
        context.add(manifest)
