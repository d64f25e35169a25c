"""The host cluster itself: Nodes, Namespaces and their defaults, and the platform's system workloads."""

from __future__ import annotations

import json

from sovereign_sandbox.world.catalog import REGIONS
from sovereign_sandbox.world.context import DAY, DOMAIN, HOUR, Node, WorldContext, encode, owner_reference
from sovereign_sandbox.world.pods import Container, build_pod, container_spec
from sovereign_sandbox.world.workloads import Workload, add_workload

__all__ = ["CLUSTER_AGE", "KUBERNETES_VERSION", "add_namespace", "add_nodes", "namespace_defaults", "system_workloads"]

CLUSTER_AGE = 62 * DAY
KUBERNETES_VERSION = "v1.37.1"
# (name suffix, region, control plane, pool, Hetzner server type, cpu, memory in KiB)
_NODE_LAYOUT = (
    ("cp-1", "fsn", True, "control-plane", "cx32", 4, 7_802_584),
    ("cp-2", "fsn", True, "control-plane", "cx32", 4, 7_802_584),
    ("cp-1", "nbg", True, "control-plane", "cx32", 4, 7_802_584),
    ("general-1", "fsn", False, "general", "cpx41", 8, 16_183_884),
    ("general-2", "fsn", False, "general", "cpx41", 8, 16_183_884),
    ("general-1", "nbg", False, "general", "cpx41", 8, 16_183_884),
    ("general-2", "nbg", False, "general", "cpx41", 8, 16_183_884),
    ("highmem-1", "fsn", False, "highmem", "ccx33", 8, 32_567_808),
    ("highmem-1", "nbg", False, "highmem", "ccx33", 8, 32_567_808),
)


def _node_manifest(context: WorldContext, node: Node, server_type: str, cpu: int, memory_kib: int, age: float) -> dict:
    location, datacenter = REGIONS.get(node.region, (f"{node.region}1", f"{node.region}1-dc1"))
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": server_type,
        "topology.kubernetes.io/region": location,
        "topology.kubernetes.io/zone": datacenter,
        "csi.hetzner.cloud/location": location,
        "openova.io/node-pool": node.pool,
        "openova.io/region": node.region,
        "openova.io/provider": "hetzner",
        "openova.io/sovereign": DOMAIN,
    }
    if node.control_plane:
        labels["node-role.kubernetes.io/control-plane"] = ""
    heartbeat = context.timestamp(context.between(5, 50))
    since = context.timestamp(age - 40)

    def condition(kind: str, status: str, reason: str, message: str) -> dict:
        return {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": heartbeat,
            "lastTransitionTime": since,
        }

    reserved_memory = 420_000 if node.control_plane else 620_000
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": node.name,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                "csi.volume.kubernetes.io/nodeid": json.dumps(
                    {"csi.hetzner.cloud": str(context.rng.randint(40_000_000, 60_000_000))}, separators=(",", ":")
                ),
            },
            "creationTimestamp": context.timestamp(age),
        },
        "spec": {
            "podCIDR": f"10.{42 + node.index // 256}.{node.index % 256}.0/24",
            "podCIDRs": [f"10.{42 + node.index // 256}.{node.index % 256}.0/24"],
            "providerID": f"hcloud://{context.rng.randint(50_000_000, 70_000_000)}",
            **(
                {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}
                if node.control_plane
                else {}
            ),
        },
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": node.internal_ip},
                {
                    "type": "ExternalIP",
                    "address": f"{context.rng.choice((49, 78, 88, 116, 128, 138, 142, 159, 167, 188))}.13."
                    f"{context.rng.randint(1, 254)}.{context.rng.randint(1, 254)}",
                },
                {"type": "Hostname", "address": node.name},
            ],
            "capacity": {
                "cpu": str(cpu),
                "memory": f"{memory_kib}Ki",
                "pods": "110",
                "ephemeral-storage": "238798492Ki",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
            },
            "allocatable": {
                "cpu": str(cpu) if cpu < 8 else f"{cpu * 1000 - 100}m",
                "memory": f"{memory_kib - reserved_memory}Ki",
                "pods": "110",
                "ephemeral-storage": "220073427019",
                "hugepages-1Gi": "0",
                "hugepages-2Mi": "0",
            },
            "conditions": [
                condition("NetworkUnavailable", "False", "CiliumIsUp", "Cilium is running on this node"),
                condition(
                    "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"
                ),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"{context.rng.getrandbits(128):032x}",
                "containerRuntimeVersion": "containerd://2.1.3",
                "kernelVersion": "6.8.0-63-generic",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBERNETES_VERSION,
                "machineID": f"{context.rng.getrandbits(128):032x}",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.2 LTS",
                "systemUUID": f"{context.rng.getrandbits(128):032x}",
            },
            "images": [],
        },
    }


def add_nodes(context: WorldContext, load_nodes: int = 0) -> None:
    """The 3 + 6 nodes of the Sovereign, plus `load_nodes` extra workers for benchmark worlds."""
    layout = list(_NODE_LAYOUT) + [
        (f"load-{index + 1}", ("fsn", "nbg")[index % 2], False, "load", "cpx51", 16, 32_567_808)
        for index in range(load_nodes)
    ]
    for index, (suffix, region, control_plane, pool, server_type, cpu, memory) in enumerate(layout):
        node = Node(
            name=f"omantel-{region}-{suffix}",
            index=index,
            internal_ip=f"10.0.{1 if region == 'fsn' else 2}.{index + 2}"
            if index < 250
            else f"10.1.{index // 250}.{index % 250 + 2}",
            region=region,
            control_plane=control_plane,
            pool=pool,
        )
        context.nodes.append(node)
        age = CLUSTER_AGE - index * 180 if pool != "load" else 2 * DAY - index
        context.add(_node_manifest(context, node, server_type, cpu, memory, age))


def add_namespace(
    context: WorldContext, name: str, age: float, labels: dict | None = None, annotations: dict | None = None
) -> None:
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": name,
                "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
                "annotations": annotations or {},
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }
    )


_CA_BUNDLE = (
    "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIRk9PQkFSQ0EwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\n"
    "AxMKa3ViZXJuZXRlczAeFw0yNjA1MDEwMDAwMDBaFw0zNjA0MjkwMDAwMDBaMBUx\n-----END CERTIFICATE-----\n"
)


def namespace_defaults(context: WorldContext) -> None:
    """What the controllers put in every namespace: the root CA ConfigMap and the default ServiceAccount."""
    for name, namespace in list(context.namespaces.items()):
        created = namespace["metadata"]["creationTimestamp"]
        context.add(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "kube-root-ca.crt",
                    "namespace": name,
                    "labels": {},
                    "annotations": {
                        "kubernetes.io/description": "Contains a CA bundle that can be "
                        "used to verify the kube-apiserver when using internal endpoints "
                        "such as the internal service IP or kubernetes.default.svc. No "
                        "other usage is guaranteed across distributions of Kubernetes "
                        "clusters."
                    },
                    "creationTimestamp": created,
                },
                "data": {"ca.crt": _CA_BUNDLE},
            }
        )
        context.add(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {
                    "name": "default",
                    "namespace": name,
                    "labels": {},
                    "annotations": {},
                    "creationTimestamp": created,
                },
            }
        )


def _system_labels(name: str, instance: str, part_of: str, component: str | None = None) -> dict:
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/part-of": part_of,
        "app.kubernetes.io/managed-by": "Helm",
        "openova.io/managed-by": "flux",
    }
    if component:
        labels["app.kubernetes.io/component"] = component
    return labels


def _static_pods(context: WorldContext) -> None:
    # Mirror pods of the kubelet's static manifests: owned by their Node, named <component>-<node>.
    images = {
        "etcd": "registry.k8s.io/etcd:3.6.4-0",
        "kube-apiserver": "registry.k8s.io/kube-apiserver:v1.37.1",
        "kube-controller-manager": "registry.k8s.io/kube-controller-manager:v1.37.1",
        "kube-scheduler": "registry.k8s.io/kube-scheduler:v1.37.1",
    }
    ports = {"etcd": 2381, "kube-apiserver": 6443, "kube-controller-manager": 10257, "kube-scheduler": 10259}
    for node in (node for node in context.nodes if node.control_plane):
        for component, image in images.items():
            container = container_spec(
                Container(
                    component,
                    image,
                    (("probe-port", ports[component]),),
                    probe_path="/livez" if component != "etcd" else "/health",
                    requests=("250m" if component == "kube-apiserver" else "100m", "100Mi"),
                    limits=None,
                    run_as_non_root=False,
                )
            )
            spec = {
                "containers": [container],
                "hostNetwork": True,
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": True,
                "priority": 2000001000,
                "priorityClassName": "system-node-critical",
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "terminationGracePeriodSeconds": 30,
                "tolerations": [{"effect": "NoExecute", "operator": "Exists"}],
                "volumes": [],
            }
            labels = {"component": component, "tier": "control-plane"}
            pod = build_pod(
                context,
                name=f"{component}-{node.name}",
                namespace="kube-system",
                labels=labels,
                annotations={
                    "kubernetes.io/config.source": "file",
                    "kubernetes.io/config.hash": context.hex(32),
                    "kubernetes.io/config.mirror": context.hex(32),
                },
                owner=owner_reference("v1", "Node", node.name),
                template_spec=spec,
                node=node,
                age=CLUSTER_AGE - node.index * 180 - 30,
            )
            # Static pods do not get the service account token volume.
            pod["spec"]["volumes"] = []
            pod["spec"]["containers"][0]["volumeMounts"] = []
            context.add(pod)


def system_workloads(context: WorldContext) -> None:
    """kube-system, Flux, cert-manager, CNPG, Kyverno, External Secrets and Catalyst's own controllers."""
    _static_pods(context)
    age = CLUSTER_AGE - HOUR
    daemon_sets = (
        ("cilium", "quay.io/cilium/cilium:v1.18.1", 9962, "cilium-agent"),
        ("node-exporter", "quay.io/prometheus/node-exporter:v1.9.1", 9100, "metrics"),
        ("hcloud-csi-node", "docker.io/hetznercloud/hcloud-csi-driver:v2.16.0", 9189, "node"),
    )
    for name, image, port, component in daemon_sets:
        add_workload(
            context,
            Workload(
                "DaemonSet",
                name,
                "kube-system",
                _system_labels(name, name, "kube-system", component),
                [
                    Container(
                        name.split("-")[0] if name != "hcloud-csi-node" else "hcloud-csi-driver",
                        image,
                        (("metrics", port),),
                        requests=("100m", "64Mi"),
                        limits=None,
                        run_as_non_root=False,
                    )
                ],
                age=age,
                everywhere=True,
                host_network=name != "hcloud-csi-node",
                service_account=name,
                priority_class="system-node-critical",
            ),
        )
    deployments = (
        ("kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.12.1", 8080, 2, "kube-dns"),
        ("kube-system", "cilium-operator", "quay.io/cilium/operator-generic:v1.18.1", 9234, 2, "operator"),
        ("kube-system", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.8.0", 10250, 1, None),
        (
            "kube-system",
            "hcloud-cloud-controller-manager",
            "docker.io/hetznercloud/hcloud-cloud-controller-manager:v1.26.0",
            8233,
            1,
            None,
        ),
        (
            "kube-system",
            "hcloud-csi-controller",
            "docker.io/hetznercloud/hcloud-csi-driver:v2.16.0",
            9189,
            1,
            "controller",
        ),
        ("kube-system", "local-path-provisioner", "docker.io/rancher/local-path-provisioner:v0.0.31", 9090, 1, None),
        ("flux-system", "source-controller", "ghcr.io/fluxcd/source-controller:v1.6.2", 9090, 1, "source-controller"),
        (
            "flux-system",
            "kustomize-controller",
            "ghcr.io/fluxcd/kustomize-controller:v1.6.1",
            8080,
            1,
            "kustomize-controller",
        ),
        ("flux-system", "helm-controller", "ghcr.io/fluxcd/helm-controller:v1.3.0", 8080, 1, "helm-controller"),
        (
            "flux-system",
            "notification-controller",
            "ghcr.io/fluxcd/notification-controller:v1.6.0",
            9090,
            1,
            "notification-controller",
        ),
        ("cert-manager", "cert-manager", "quay.io/jetstack/cert-manager-controller:v1.18.2", 9402, 1, "controller"),
        (
            "cert-manager",
            "cert-manager-cainjector",
            "quay.io/jetstack/cert-manager-cainjector:v1.18.2",
            9402,
            1,
            "cainjector",
        ),
        ("cert-manager", "cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.18.2", 10250, 1, "webhook"),
        ("cnpg-system", "cnpg-controller-manager", "ghcr.io/cloudnative-pg/cloudnative-pg:1.26.1", 9443, 1, None),
        (
            "kyverno",
            "kyverno-admission-controller",
            "reg.kyverno.io/kyverno/kyverno:v1.15.1",
            9443,
            3,
            "admission-controller",
        ),
        (
            "kyverno",
            "kyverno-background-controller",
            "reg.kyverno.io/kyverno/background-controller:v1.15.1",
            9443,
            1,
            "background-controller",
        ),
        (
            "kyverno",
            "kyverno-reports-controller",
            "reg.kyverno.io/kyverno/reports-controller:v1.15.1",
            9443,
            1,
            "reports-controller",
        ),
        (
            "kyverno",
            "kyverno-cleanup-controller",
            "reg.kyverno.io/kyverno/cleanup-controller:v1.15.1",
            9443,
            1,
            "cleanup-controller",
        ),
        ("external-secrets", "external-secrets", "ghcr.io/external-secrets/external-secrets:v0.18.2", 8080, 1, None),
        (
            "external-secrets",
            "external-secrets-webhook",
            "ghcr.io/external-secrets/external-secrets:v0.18.2",
            10250,
            1,
            "webhook",
        ),
        ("catalyst-system", "catalyst-api", f"harbor.{DOMAIN}/openova/catalyst-api:1.9.4", 8080, 2, "api"),
        (
            "catalyst-system",
            "sovereign-console",
            f"harbor.{DOMAIN}/openova/sovereign-console:0.1.0",
            3000,
            2,
            "console",
        ),
        (
            "catalyst-system",
            "useraccess-controller",
            f"harbor.{DOMAIN}/openova/useraccess-controller:1.9.4",
            8081,
            1,
            "controller",
        ),
    )
    for index, (namespace, name, image, port, replicas, component) in enumerate(deployments):
        part_of = {"kube-system": "kube-system", "flux-system": "flux", "catalyst-system": "catalyst"}.get(
            namespace, namespace
        )
        instance = name if namespace in ("kube-system", "catalyst-system") else namespace
        add_workload(
            context,
            Workload(
                "Deployment",
                name,
                namespace,
                _system_labels(name, instance, part_of, component),
                [
                    Container(
                        name.removeprefix("kyverno-"),
                        image,
                        (("http", port),),
                        probe_path="/readyz" if namespace != "kube-system" else "/health",
                        requests=("100m", "128Mi"),
                        limits=(None if namespace == "kube-system" else ("1", "512Mi")),
                    )
                ],
                age=age - index * 120,
                replicas=replicas,
                service_account=name,
                priority_class="system-cluster-critical" if namespace == "kube-system" else None,
                revision=1 + index % 3,
            ),
        )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {
                "name": "hcloud",
                "namespace": "kube-system",
                "labels": {},
                "annotations": {},
                "creationTimestamp": context.timestamp(CLUSTER_AGE - 300),
            },
            "data": {"token": context.secret_value(64), "network": encode("omantel-private")},
        }
    )
