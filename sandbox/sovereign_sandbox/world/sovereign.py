"""The deterministic seeded Sovereign `omantel.openova.cloud`: every object as a plain manifest.

Contract with the store that loads these manifests:
- No `uid` or `resourceVersion` anywhere. `ownerReferences` name their owner by apiVersion/kind/name
  (always in the same namespace, or cluster-scoped); the store fills in `uid` once it has assigned one.
  Owners come before what they own in the returned list.
- `metadata.creationTimestamp` is set on every object (RFC 3339, "Z"), counted back from `now`, so ages
  vary like a real cluster's; nothing is in the future. `metadata.generation` is set where a controller's
  `status.observedGeneration` must match it; the store should keep given values.
- Every object carries the `metadata.managedFields` its makers would have left (`managed_fields`); their
  FieldsV1 trees are immutable and shared by copies of the object.
- Same seed (and same `now`) → identical output.
"""

from __future__ import annotations

import gc
import random
from datetime import datetime

from sovereign_sandbox.world.access import access
from sovereign_sandbox.world.admission import admission
from sovereign_sandbox.world.apps import add_application
from sovereign_sandbox.world.capacity import capacity
from sovereign_sandbox.world.catalog import APPLICATIONS, ENVIRONMENTS, REGIONS
from sovereign_sandbox.world.cluster import CLUSTER_AGE, add_namespace, add_nodes, namespace_defaults, system_workloads
from sovereign_sandbox.world.context import DAY, DOMAIN, HOUR, WorldContext, anchor, encode
from sovereign_sandbox.world.control_plane import control_plane
from sovereign_sandbox.world.controller_events import controller_events
from sovereign_sandbox.world.controller_revisions import controller_revisions
from sovereign_sandbox.world.crds import custom_resource_definitions
from sovereign_sandbox.world.csi import csi_objects
from sovereign_sandbox.world.events import events
from sovereign_sandbox.world.load import add_load
from sovereign_sandbox.world.managed_fields import managed_fields
from sovereign_sandbox.world.network import endpoint_slices, gateway, http_route, service
from sovereign_sandbox.world.platform import platform_configuration
from sovereign_sandbox.world.pods import Container, without_empty_lists
from sovereign_sandbox.world.policy import policy_library, policy_reports
from sovereign_sandbox.world.service_accounts import service_accounts
from sovereign_sandbox.world.storage import storage_classes
from sovereign_sandbox.world.tenancy import tenancy
from sovereign_sandbox.world.workloads import Workload, add_workload

__all__ = ["build_world"]

_SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_PLATFORM_NAMESPACES = ("flux-system", "cert-manager", "cnpg-system", "kyverno", "external-secrets", "catalyst-system")
_ENVIRONMENTS = {environment.name: environment for environment in ENVIRONMENTS}


def _namespaces(context: WorldContext) -> None:
    for name in _SYSTEM_NAMESPACES:
        add_namespace(context, name, CLUSTER_AGE)
    for index, name in enumerate(_PLATFORM_NAMESPACES):
        add_namespace(
            context,
            name,
            CLUSTER_AGE - HOUR - index * 60,
            {
                "openova.io/managed-by": "flux",
                "openova.io/sovereign": DOMAIN,
                "app.kubernetes.io/part-of": "catalyst-platform",
            },
        )
    add_namespace(
        context,
        "vcluster-bankdhofar-prod",
        44 * DAY,
        {
            "openova.io/organization": "bankdhofar",
            "openova.io/environment": "bankdhofar-prod",
            "openova.io/env-type": "prod",
            "openova.io/vcluster": "bankdhofar-prod",
            "openova.io/building-block": "rtz",
            "openova.io/sovereign": DOMAIN,
        },
    )
    for product in APPLICATIONS:
        environment = _ENVIRONMENTS[product.environment]
        region = environment.regions[0]
        add_namespace(
            context,
            product.namespace,
            product.age_days * DAY + HOUR,
            {
                "openova.io/organization": environment.organization,
                "openova.io/environment": environment.name,
                "openova.io/env-type": environment.env_type,
                "openova.io/region": region,
                "openova.io/provider": "hetzner",
                "openova.io/building-block": "rtz",
                "openova.io/cluster": f"hz-{region}-rtz-prod",
                "openova.io/host-cluster": f"hz-{region}-rtz-prod",
                "openova.io/sovereign": DOMAIN,
                "openova.io/managed-by": "flux",
                "openova.io/application": product.name,
                "catalyst.openova.io/application": product.name,
                "catalyst.openova.io/environment": environment.name,
                "catalyst.openova.io/organization": environment.organization,
                "pod-security.kubernetes.io/enforce": "baseline",
            },
            {"openova.io/location": REGIONS[region][0]},
        )


def _system_services(context: WorldContext) -> None:
    age = CLUSTER_AGE - HOUR
    control_plane = [node for node in context.nodes if node.control_plane]
    service(
        context,
        name="kubernetes",
        namespace="default",
        labels={"component": "apiserver", "provider": "kubernetes"},
        selector=None,
        ports=[("https", 443, 6443, "TCP")],
        age=CLUSTER_AGE,
        cluster_ip="10.96.0.1",
    )
    context.add(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {
                    "kubernetes.io/service-name": "kubernetes",
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                },
                "annotations": {},
                "creationTimestamp": context.timestamp(CLUSTER_AGE),
            },
            "addressType": "IPv4",
            "endpoints": [
                {"addresses": [node.internal_ip], "conditions": {"ready": True, "serving": True, "terminating": False}}
                for node in control_plane
            ],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        }
    )
    service(
        context,
        name="kube-dns",
        namespace="kube-system",
        labels={"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
        selector={"app.kubernetes.io/name": "coredns"},
        ports=[("dns", 53, 53, "UDP"), ("dns-tcp", 53, 53, "TCP"), ("metrics", 9153, 9153, "TCP")],
        age=age,
        cluster_ip="10.96.0.10",
    )
    service(
        context,
        name="cilium-ingress",
        namespace="kube-system",
        labels={"cilium.io/ingress": "true"},
        selector=None,
        ports=[("http", 80, 80, "TCP"), ("https", 443, 443, "TCP")],
        age=age,
        service_type="LoadBalancer",
        annotations={
            "load-balancer.hetzner.cloud/location": "fsn1",
            "load-balancer.hetzner.cloud/name": "omantel-ingress",
        },
    )
    for namespace, name, port, target in (
        ("kube-system", "metrics-server", 443, 10250),
        ("flux-system", "source-controller", 80, 9090),
        ("flux-system", "notification-controller", 80, 9090),
        ("cert-manager", "cert-manager-webhook", 443, 10250),
        ("cnpg-system", "cnpg-controller-manager", 443, 9443),
        ("kyverno", "kyverno-admission-controller", 443, 9443),
        ("external-secrets", "external-secrets-webhook", 443, 10250),
        ("catalyst-system", "catalyst-api", 80, 8080),
        ("catalyst-system", "sovereign-console", 80, 3000),
    ):
        service(
            context,
            name=name,
            namespace=namespace,
            labels={"app.kubernetes.io/name": name},
            selector={"app.kubernetes.io/name": name},
            ports=[("http", port, target, "TCP")],
            age=age,
        )
    http_route(
        context,
        name="sovereign-console",
        namespace="catalyst-system",
        labels={"app.kubernetes.io/name": "sovereign-console"},
        host=f"console.{DOMAIN}",
        service_name="sovereign-console",
        port=80,
        age=age - HOUR,
    )


def _platform_secrets(context: WorldContext) -> None:
    created = context.timestamp(CLUSTER_AGE - 2 * HOUR)
    for namespace, name, data in (
        (
            "flux-system",
            "flux-system",
            {
                "identity": "-----BEGIN OPENSSH PRIVATE KEY-----",
                "known_hosts": f"gitea.openova-prod.{DOMAIN} ssh-ed25519 AAAAC3Nza",
            },
        ),
        ("catalyst-system", "sovereign-console-oidc", {"client-id": "sovereign-console"}),
        ("cert-manager", "hetzner-dns", {"api-key": ""}),
    ):
        context.add(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": {},
                    "annotations": {},
                    "creationTimestamp": created,
                },
                "data": {key: encode(value) if value else context.secret_value(40) for key, value in data.items()}
                | {"client-secret" if name.endswith("oidc") else "token": context.secret_value(32)},
            }
        )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "sovereign-console",
                "namespace": "catalyst-system",
                "labels": {"app.kubernetes.io/name": "sovereign-console"},
                "annotations": {},
                "creationTimestamp": created,
            },
        }
    )


def _vcluster(context: WorldContext) -> None:
    labels = {
        "app": "vcluster",
        "release": "bankdhofar-prod",
        "app.kubernetes.io/name": "vcluster",
        "app.kubernetes.io/instance": "bankdhofar-prod",
        "openova.io/building-block": "rtz",
        "openova.io/organization": "bankdhofar",
        "openova.io/environment": "bankdhofar-prod",
    }
    add_workload(
        context,
        Workload(
            "StatefulSet",
            "bankdhofar-prod",
            "vcluster-bankdhofar-prod",
            labels,
            [
                Container(
                    "syncer",
                    "ghcr.io/loft-sh/vcluster-pro:0.26.0",
                    (("https", 8443),),
                    probe_path="/readyz",
                    requests=("200m", "512Mi"),
                    limits=("2", "2Gi"),
                )
            ],
            age=44 * DAY - 600,
            claim=("data", "5Gi", "hcloud-volumes"),
            service_account="vc-bankdhofar-prod",
        ),
    )
    service(
        context,
        name="bankdhofar-prod",
        namespace="vcluster-bankdhofar-prod",
        labels=labels,
        selector={"app": "vcluster", "release": "bankdhofar-prod"},
        ports=[("https", 6443, 8443, "TCP")],
        age=44 * DAY - 600,
        service_type="LoadBalancer",
        annotations={
            "load-balancer.hetzner.cloud/location": "fsn1",
            "load-balancer.hetzner.cloud/name": "omantel-vcluster-bankdhofar",
        },
    )


def _ordered(objects: list[dict]) -> list[dict]:
    """CRDs first, then Namespaces, then everything else in creation order."""
    rank = {"CustomResourceDefinition": 0, "Namespace": 1}
    return sorted(objects, key=lambda item: rank.get(item["kind"], 2))


def build_world(seed: int = 1, pods: int | None = None, *, now: datetime | None = None) -> list[dict]:
    """Every object of the seeded Sovereign as plain manifests, in creation order:
    CustomResourceDefinitions first, then Namespaces, then everything else.

    Args:
        seed: picks the details (pod suffixes, addresses, restart counts, ages); names stay the same.
        pods: about how many Pods the world should hold; extra ones are `load-<i>` Deployments in
            `load-<j>` namespaces on extra `load` nodes. None (or fewer than the base world) adds none.
        now: the anchor creation timestamps count back from (default: the current time).
    """
    # The world is millions of small dicts and no cycles: the cyclic collector would only rescan them
    # again and again (it doubles the time of a 50,000-pod world), so it is paused while building.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(seed, pods, now)
    finally:
        if collecting:
            gc.enable()


def _build(seed: int, pods: int | None, now: datetime | None) -> list[dict]:
    context = WorldContext(random.Random(seed), anchor(now), seed)
    for definition in custom_resource_definitions():
        definition["metadata"]["creationTimestamp"] = context.timestamp(CLUSTER_AGE - 1800)
        context.add(definition)
    _namespaces(context)
    add_nodes(context)
    storage_classes(context)
    namespace_defaults(context)
    access(context, CLUSTER_AGE - 2 * HOUR)
    system_workloads(context)
    _system_services(context)
    _platform_secrets(context)
    platform_configuration(context, CLUSTER_AGE - 3 * HOUR)
    gateway(context, CLUSTER_AGE - 4 * HOUR)
    policy_library(context, CLUSTER_AGE - 5 * HOUR)
    tenancy(context, 60 * DAY)
    _vcluster(context)
    for product in APPLICATIONS:
        add_application(context, product)
    endpoint_slices(context)
    policy_reports(context)
    events(context)
    # Added later than the rest: their own draws keep every older object's details for the same seed.
    with context.separate_draws("cluster administration"):
        control_plane(context)
        admission(context)
        csi_objects(context)
        capacity(context)
        controller_revisions(context)
        controller_events(context)
    if pods is not None:
        add_load(context, pods - sum(len(items) for items in context.pods_by_namespace.values()))
    service_accounts(context)
    without_empty_lists(context.objects)
    managed_fields(context)
    return _ordered(context.objects)
