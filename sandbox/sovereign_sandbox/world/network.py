"""Networking: Services and their EndpointSlices, Ingresses, the Gateway API objects, network policies."""

from __future__ import annotations

from sovereign_sandbox.world.context import DAY, DOMAIN, WorldContext, owner_reference

__all__ = ["endpoint_slices", "gateway", "ingress", "http_route", "network_policies", "service", "LOAD_BALANCER_IPS"]

# Public addresses of the Hetzner load balancers the cloud controller creates (fixed: DNS points at them).
LOAD_BALANCER_IPS = {
    "cilium-ingress": "168.119.41.17",
    "cilium-gateway-public": "168.119.41.18",
    "bankdhofar-prod": "49.12.112.36",
}


def service(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    labels: dict,
    selector: dict | None,
    ports: list[tuple[str, int, int, str]],
    age: float,
    service_type: str = "ClusterIP",
    cluster_ip: str | None = None,
    headless: bool = False,
    annotations: dict | None = None,
) -> dict:
    """A Service; `ports` are (name, port, target port number, protocol)."""
    ip = "None" if headless else cluster_ip or context.service_ip()
    spec: dict = {
        "type": service_type,
        "clusterIP": ip,
        "clusterIPs": [ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "sessionAffinity": "None",
        "ports": [
            {"name": port_name, "port": port, "targetPort": target, "protocol": protocol}
            for port_name, port, target, protocol in ports
        ],
    }
    if selector is not None:
        spec["selector"] = dict(selector)
    status: dict = {"loadBalancer": {}}
    if service_type == "LoadBalancer":
        spec["externalTrafficPolicy"] = "Cluster"
        spec["allocateLoadBalancerNodePorts"] = True
        for index, port in enumerate(spec["ports"]):
            port["nodePort"] = 30000 + context.rng.randint(0, 2700) + index
        status = {"loadBalancer": {"ingress": [{"ip": LOAD_BALANCER_IPS[name], "ipMode": "VIP"}]}}
    if headless:
        spec["publishNotReadyAddresses"] = True
    return context.add(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": annotations or {},
                "creationTimestamp": context.timestamp(age),
            },
            "spec": spec,
            "status": status,
        }
    )


def _matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def endpoint_slices(context: WorldContext) -> None:
    """One EndpointSlice per selecting Service, listing the pods it selects (as the controller would)."""
    zones = {node.name: f"{node.region}1-dc{14 if node.region == 'fsn' else 3}" for node in context.nodes}
    for item in [item for item in context.objects if item["kind"] == "Service"]:
        selector = item["spec"].get("selector")
        if not selector:
            continue
        namespace = item["metadata"]["namespace"]
        endpoints = []
        for pod in context.pods_by_namespace.get(namespace, ()):
            status = pod["status"]
            if (
                not status.get("podIP")
                or status["phase"] not in ("Running", "Pending")
                or not _matches(selector, pod["metadata"]["labels"])
            ):
                continue
            ready = any(
                condition["type"] == "Ready" and condition["status"] == "True" for condition in status["conditions"]
            )
            endpoints.append(
                {
                    "addresses": [status["podIP"]],
                    "conditions": {"ready": ready, "serving": ready, "terminating": False},
                    "nodeName": pod["spec"]["nodeName"],
                    "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod["metadata"]["name"]},
                    "zone": zones.get(pod["spec"]["nodeName"], ""),
                }
            )
        name = item["metadata"]["name"]
        context.add(
            {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "name": f"{name}-{context.suffix()}",
                    "namespace": namespace,
                    "generateName": f"{name}-",
                    "labels": {
                        "kubernetes.io/service-name": name,
                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                        **{
                            key: value
                            for key, value in item["metadata"]["labels"].items()
                            if key.startswith("app.kubernetes.io/")
                        },
                    },
                    "annotations": {
                        "endpoints.kubernetes.io/last-change-trigger-time": context.timestamp(
                            context.between(60, 3 * DAY)
                        )
                    },
                    "ownerReferences": [owner_reference("v1", "Service", name)],
                    "creationTimestamp": item["metadata"]["creationTimestamp"],
                },
                "addressType": "IPv4",
                "endpoints": endpoints,
                "ports": [
                    {"name": port["name"], "port": port["targetPort"], "protocol": port["protocol"]}
                    for port in item["spec"]["ports"]
                ],
            }
        )


def ingress(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    labels: dict,
    host: str,
    service_name: str,
    port: int,
    age: float,
) -> dict:
    return context.add(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {
                    "cert-manager.io/cluster-issuer": "letsencrypt-prod",
                    "meta.helm.sh/release-name": labels.get("app.kubernetes.io/instance", name),
                    "meta.helm.sh/release-namespace": namespace,
                },
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "ingressClassName": "cilium",
                "rules": [
                    {
                        "host": host,
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": service_name, "port": {"number": port}}},
                                }
                            ]
                        },
                    }
                ],
                "tls": [{"hosts": [host], "secretName": f"{name}-tls"}],
            },
            "status": {"loadBalancer": {"ingress": [{"ip": LOAD_BALANCER_IPS["cilium-ingress"]}]}},
        }
    )


def gateway(context: WorldContext, age: float) -> None:
    """The shared public Gateway (Cilium) in catalyst-system, its class and its LoadBalancer Service."""
    accepted = context.timestamp(age - 60)
    context.add(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "GatewayClass",
            "metadata": {
                "name": "cilium",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "controllerName": "io.cilium/gateway-controller",
                "description": "The default Cilium GatewayClass",
            },
            "status": {
                "conditions": [
                    {
                        "type": "Accepted",
                        "status": "True",
                        "reason": "Accepted",
                        "message": "Valid GatewayClass",
                        "observedGeneration": 1,
                        "lastTransitionTime": accepted,
                    }
                ],
                "supportedFeatures": [{"name": "HTTPRoute"}, {"name": "HTTPRouteHostRewrite"}],
            },
        }
    )
    listeners = [("http", 80, "HTTP", None), ("https", 443, "HTTPS", "wildcard-omantel-tls")]
    context.add(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {
                "name": "public",
                "namespace": "catalyst-system",
                "labels": {"openova.io/managed-by": "flux"},
                "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "gatewayClassName": "cilium",
                "listeners": [
                    {
                        "name": listener,
                        "port": port,
                        "protocol": protocol,
                        "hostname": f"*.{DOMAIN}",
                        "allowedRoutes": {"namespaces": {"from": "All"}},
                        **(
                            {"tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": secret}]}}
                            if secret
                            else {}
                        ),
                    }
                    for listener, port, protocol, secret in listeners
                ],
            },
            "status": {
                "addresses": [{"type": "IPAddress", "value": LOAD_BALANCER_IPS["cilium-gateway-public"]}],
                "conditions": [
                    {
                        "type": "Accepted",
                        "status": "True",
                        "reason": "Accepted",
                        "message": "Gateway successfully scheduled",
                        "observedGeneration": 1,
                        "lastTransitionTime": accepted,
                    },
                    {
                        "type": "Programmed",
                        "status": "True",
                        "reason": "Programmed",
                        "message": "Gateway successfully reconciled",
                        "observedGeneration": 1,
                        "lastTransitionTime": accepted,
                    },
                ],
                "listeners": [
                    {
                        "name": listener,
                        "attachedRoutes": 2,
                        "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
                        "conditions": [
                            {
                                "type": "Programmed",
                                "status": "True",
                                "reason": "Programmed",
                                "message": "Listener Programmed",
                                "observedGeneration": 1,
                                "lastTransitionTime": accepted,
                            }
                        ],
                    }
                    for listener, *_ in listeners
                ],
            },
        }
    )
    service(
        context,
        name="cilium-gateway-public",
        namespace="catalyst-system",
        labels={"io.cilium.gateway/owning-gateway": "public", "gateway.networking.k8s.io/gateway-name": "public"},
        selector=None,
        ports=[("port-80", 80, 80, "TCP"), ("port-443", 443, 443, "TCP")],
        age=age,
        service_type="LoadBalancer",
        annotations={
            "load-balancer.hetzner.cloud/location": "fsn1",
            "load-balancer.hetzner.cloud/name": "omantel-gateway-public",
        },
    )


def http_route(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    labels: dict,
    host: str,
    service_name: str,
    port: int,
    age: float,
) -> None:
    accepted = context.timestamp(age - 30)
    context.add(
        {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "parentRefs": [
                    {
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "name": "public",
                        "namespace": "catalyst-system",
                        "sectionName": "https",
                    }
                ],
                "hostnames": [host],
                "rules": [
                    {
                        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                        "backendRefs": [
                            {"group": "", "kind": "Service", "name": service_name, "port": port, "weight": 1}
                        ],
                    }
                ],
            },
            "status": {
                "parents": [
                    {
                        "parentRef": {
                            "group": "gateway.networking.k8s.io",
                            "kind": "Gateway",
                            "name": "public",
                            "namespace": "catalyst-system",
                            "sectionName": "https",
                        },
                        "controllerName": "io.cilium/gateway-controller",
                        "conditions": [
                            {
                                "type": "Accepted",
                                "status": "True",
                                "reason": "Accepted",
                                "message": "Accepted HTTPRoute",
                                "observedGeneration": 1,
                                "lastTransitionTime": accepted,
                            },
                            {
                                "type": "ResolvedRefs",
                                "status": "True",
                                "reason": "ResolvedRefs",
                                "message": "Service reference is valid",
                                "observedGeneration": 1,
                                "lastTransitionTime": accepted,
                            },
                        ],
                    }
                ]
            },
        }
    )


def network_policies(
    context: WorldContext, *, namespace: str, labels: dict, selector: dict, port: int, age: float, layer7: bool
) -> None:
    """Default-deny plus allow-from-ingress (Kubernetes) and an in-namespace Cilium policy (L7 when asked)."""
    created = context.timestamp(age)
    context.add(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
                "name": "default-deny-ingress",
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
        }
    )
    context.add(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {
                "name": "allow-from-ingress",
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {
                "podSelector": {"matchLabels": dict(selector)},
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [
                            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}
                        ],
                        "ports": [{"port": port, "protocol": "TCP"}],
                    }
                ],
            },
        }
    )
    rule: dict = {
        "fromEndpoints": [{"matchLabels": {"k8s:io.kubernetes.pod.namespace": namespace}}],
        "toPorts": [{"ports": [{"port": str(port), "protocol": "TCP"}]}],
    }
    if layer7:
        rule["toPorts"][0]["rules"] = {"http": [{"method": "GET"}, {"method": "POST", "path": "/api/.*"}]}
        rule["authentication"] = {"mode": "required"}
    context.add(
        {
            "apiVersion": "cilium.io/v2",
            "kind": "CiliumNetworkPolicy",
            "metadata": {
                "name": "allow-same-namespace",
                "namespace": namespace,
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {"endpointSelector": {"matchLabels": dict(selector)}, "ingress": [rule]},
            "status": {
                "conditions": [
                    {
                        "type": "Valid",
                        "status": "True",
                        "message": "Policy validation succeeded",
                        "lastTransitionTime": created,
                    }
                ]
            },
        }
    )
