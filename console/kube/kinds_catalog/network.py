"""Network kinds: ingresses, networkpolicies (networking.k8s.io/v1) and endpointslices (discovery.k8s.io/v1).

Network policies are "deduplicated across regions" (UAT 209): the shared cache holds one list per cluster
and rows are keyed by namespace/name, so one policy is one row however many regions apply it.
"""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row
from console.kube.kinds_catalog._fields import field, items, text
from console.kube.kinds_catalog.core import NONE, load_balancer_addresses
from console.kube.rows import columns, object_row
from console.kube.selectors import format_label_selector

CLASS = Column("class", "CLASS")
HOSTS = Column("hosts", "HOSTS")
ADDRESS = Column("address", "ADDRESS")
PORTS = Column("ports", "PORTS")
POD_SELECTOR = Column("pod_selector", "POD-SELECTOR")
ADDRESS_TYPE = Column("address_type", "ADDRESSTYPE")
ENDPOINTS = Column("endpoints", "ENDPOINTS")

_SHOWN_ENDPOINTS = 3  # kubectl's cut-off before "+ N more..."


def render_ingress(obj: JsonObject, context: RenderContext) -> Row:
    hosts = [str(rule.get("host") or "*") for rule in items(obj, "spec", "rules") if isinstance(rule, dict)]
    address = ",".join(load_balancer_addresses(obj))
    ingress_class = text(obj, "spec", "ingressClassName") or text(
        obj, "metadata", "annotations", "kubernetes.io/ingress.class"
    )
    return object_row(
        obj,
        context,
        status="Active" if address else "Pending",
        tone="ok" if address else "warn",
        cells={
            "class": ingress_class or NONE,
            "hosts": ",".join(hosts) or "*",
            "address": address,
            "ports": "80, 443" if items(obj, "spec", "tls") else "80",
        },
    )


def render_network_policy(obj: JsonObject, context: RenderContext) -> Row:
    selector = format_label_selector(field(obj, "spec", "podSelector"))
    return object_row(obj, context, cells={"pod_selector": selector or "(all pods)"})


def endpoint_addresses(obj: JsonObject) -> list[str]:
    return [
        str(address)
        for endpoint in items(obj, "endpoints")
        if isinstance(endpoint, dict)
        for address in endpoint.get("addresses") or ()
    ]


def render_endpoint_slice(obj: JsonObject, context: RenderContext) -> Row:
    ports = [str(port.get("port")) for port in items(obj, "ports") if isinstance(port, dict) and port.get("port")]
    addresses = endpoint_addresses(obj)
    shown = ",".join(addresses[:_SHOWN_ENDPOINTS])
    if len(addresses) > _SHOWN_ENDPOINTS:
        shown += f" + {len(addresses) - _SHOWN_ENDPOINTS} more..."
    return object_row(
        obj,
        context,
        cells={
            "address_type": text(obj, "addressType"),
            "ports": ",".join(ports) or "<unset>",
            "endpoints": shown or "<unset>",
        },
    )


INGRESSES = Kind(
    id="ingresses",
    title="Ingresses",
    kind="Ingress",
    resource=ResourcePath("networking.k8s.io", "v1", "ingresses"),
    category="network",
    columns=columns(CLASS, HOSTS, ADDRESS, PORTS, namespaced=True),
    render=render_ingress,
    short_names=("ing", "ingress"),
    graph=GraphType("network"),
)

NETWORK_POLICIES = Kind(
    id="networkpolicies",
    title="Network Policies",
    kind="NetworkPolicy",
    resource=ResourcePath("networking.k8s.io", "v1", "networkpolicies"),
    category="network",
    columns=columns(POD_SELECTOR, namespaced=True, status=False),
    render=render_network_policy,
    short_names=("netpol", "networkpolicy"),
    graph=GraphType("network"),
)

ENDPOINT_SLICES = Kind(
    id="endpointslices",
    title="EndpointSlices",
    kind="EndpointSlice",
    resource=ResourcePath("discovery.k8s.io", "v1", "endpointslices"),
    category="network",
    columns=columns(ADDRESS_TYPE, PORTS, ENDPOINTS, namespaced=True, status=False),
    render=render_endpoint_slice,
    short_names=("eps", "endpointslice"),
)

KINDS = (INGRESSES, NETWORK_POLICIES, ENDPOINT_SLICES)
