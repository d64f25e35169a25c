"""Core kinds (group ""): namespaces, pods, services, configmaps, secrets, persistentvolumes."""

from __future__ import annotations

from typing import Any

from console.kube.api import JsonObject, ResourcePath
from console.kube.capabilities import Capability
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import items, text
from console.kube.objects import labels_of, metadata_of
from console.kube.rows import (
    LABELS,
    STATUS,
    columns,
    columns_in_order,
    count,
    format_labels,
    object_row,
    quantity_value,
    ready_cell,
)
from console.kube.tones import condition, restarts_tone, tone_for_status

NONE = "<none>"  # kubectl's word for an empty cell

READY = Column("ready", "READY")
RESTARTS = Column("restarts", "RESTARTS", "count", numeric=True)
NODE = Column("node", "NODE")
IP = Column("ip", "IP")
TYPE = Column("type", "TYPE")
CLUSTER_IP = Column("cluster_ip", "CLUSTER-IP")
EXTERNAL_IP = Column("external_ip", "EXTERNAL-IP")
PORTS = Column("ports", "PORTS")
DATA = Column("data", "DATA", numeric=True)
CAPACITY = Column("capacity", "CAPACITY", numeric=True)
ACCESS_MODES = Column("access_modes", "ACCESS MODES")
RECLAIM_POLICY = Column("reclaim_policy", "RECLAIM POLICY")
CLAIM = Column("claim", "CLAIM")
STORAGECLASS = Column("storage_class", "STORAGECLASS")

_ACCESS_MODE_SHORT = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def render_namespace(obj: JsonObject, context: RenderContext) -> Row:
    phase = text(obj, "status", "phase") or "Active"
    return object_row(
        obj,
        context,
        status=phase,
        tone=tone_for_status(phase),
        cells={"labels": format_labels(labels_of(obj))},
    )


def _state(container_status: Any) -> tuple[str, JsonObject]:
    """The one state of a container status (`waiting`, `running` or `terminated`) and its details."""
    state = container_status.get("state") if isinstance(container_status, dict) else None
    for name in ("waiting", "terminated", "running"):
        if isinstance(state, dict) and isinstance(state.get(name), dict):
            return name, state[name]
    return "", {}


def _termination_reason(terminated: JsonObject) -> str:
    if terminated.get("reason"):
        return str(terminated["reason"])
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{count(terminated.get('exitCode'))}"


def _sidecar_names(pod: JsonObject) -> set[str]:
    """Init containers that keep running beside the main ones (`restartPolicy: Always`)."""
    return {
        str(container.get("name"))
        for container in items(pod, "spec", "initContainers")
        if isinstance(container, dict) and container.get("restartPolicy") == "Always"
    }


def _init_status(pod: JsonObject) -> str:
    """`Init:<reason>` or `Init:<done>/<all>` while init containers still run, else ""."""
    statuses = [entry for entry in items(pod, "status", "initContainerStatuses") if isinstance(entry, dict)]
    if not statuses:
        return ""  # most pods: nothing to initialise (every pod of a list passes here)
    sidecars = _sidecar_names(pod)
    total = len(items(pod, "spec", "initContainers")) or len(statuses)
    for index, entry in enumerate(statuses):
        state, details = _state(entry)
        if state == "terminated" and count(details.get("exitCode")) == 0:
            continue
        if state == "running" and entry.get("name") in sidecars and entry.get("started"):
            continue
        if state == "terminated":
            return f"Init:{_termination_reason(details)}"
        if state == "waiting" and details.get("reason") and details.get("reason") != "PodInitializing":
            return f"Init:{details['reason']}"
        return f"Init:{index}/{total}"
    return ""


def pod_status(pod: JsonObject) -> str:
    """The STATUS kubectl shows for a pod: a container's waiting/terminated reason wins over the phase."""
    reason = text(pod, "status", "reason") or text(pod, "status", "phase") or "Unknown"
    scheduled = condition(pod, "PodScheduled") or {}
    if scheduled.get("status") == "False" and scheduled.get("reason") == "SchedulingGated":
        reason = "SchedulingGated"
    initializing = _init_status(pod)
    if initializing:
        reason = initializing
    else:
        has_running = False
        for entry in reversed(items(pod, "status", "containerStatuses")):
            state, details = _state(entry)
            if state == "waiting" and details.get("reason"):
                reason = str(details["reason"])
            elif state == "terminated":
                reason = _termination_reason(details)
            elif state == "running" and entry.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            ready = (condition(pod, "Ready") or {}).get("status") == "True"
            reason = "Running" if ready else "NotReady"
    if metadata_of(pod).get("deletionTimestamp"):
        reason = "Unknown" if text(pod, "status", "reason") == "NodeLost" else "Terminating"
    return reason


def pod_ready(pod: JsonObject) -> tuple[int, int]:
    """(ready, total) containers, sidecar init containers included as kubectl counts them."""
    sidecars = _sidecar_names(pod)
    total = len(items(pod, "spec", "containers")) + len(sidecars)
    ready = sum(
        1 for entry in items(pod, "status", "containerStatuses") if isinstance(entry, dict) and entry.get("ready")
    )
    if sidecars:  # most pods have none: their init statuses count for nothing here
        ready += sum(
            1
            for entry in items(pod, "status", "initContainerStatuses")
            if isinstance(entry, dict) and entry.get("name") in sidecars and entry.get("ready")
        )
    return ready, total


def pod_restarts(pod: JsonObject) -> int:
    return sum(
        count(entry.get("restartCount"))
        for key in ("containerStatuses", "initContainerStatuses")
        for entry in items(pod, "status", key)
        if isinstance(entry, dict)
    )


def pod_tone(status: str, ready: int, total: int) -> Tone:
    """The pod's tone: a running pod with unready containers is still warming up (warn)."""
    word = status.removeprefix("Init:")
    if word != status and "/" in word:
        return "warn"  # init containers still running: Init:0/2
    if word.startswith(("Signal:", "ExitCode:")):
        return "err"
    if word == "Running":
        return "ok" if ready >= total else "warn"
    if word in ("NotReady", "PodInitializing", "SchedulingGated"):
        return "warn"
    return tone_for_status(word)


def render_pod(obj: JsonObject, context: RenderContext) -> Row:
    status = pod_status(obj)
    ready, total = pod_ready(obj)
    restarts = pod_restarts(obj)
    return object_row(
        obj,
        context,
        status=status,
        tone=pod_tone(status, ready, total),
        cells={
            "ready": ready_cell(ready, total),
            "restarts": str(restarts),
            "node": text(obj, "spec", "nodeName") or NONE,
            "ip": text(obj, "status", "podIP") or NONE,
        },
        sort_keys={"restarts": float(restarts), "ready": ready / total if total else 0.0},
        cell_tones={"restarts": restarts_tone(restarts)},
    )


def service_ports(obj: JsonObject) -> str:
    """`80/TCP,443/TCP` (the service ports; node ports are not listed)."""
    ports = [
        f"{port.get('port')}/{port.get('protocol') or 'TCP'}"
        for port in items(obj, "spec", "ports")
        if isinstance(port, dict)
    ]
    return ",".join(ports) or NONE


def load_balancer_addresses(obj: JsonObject) -> list[str]:
    """The addresses in `status.loadBalancer.ingress` (IPs, else hostnames)."""
    return [
        str(entry.get("ip") or entry.get("hostname"))
        for entry in items(obj, "status", "loadBalancer", "ingress")
        if isinstance(entry, dict) and (entry.get("ip") or entry.get("hostname"))
    ]


def service_external_ip(obj: JsonObject) -> str:
    service_type = text(obj, "spec", "type") or "ClusterIP"
    if service_type == "ExternalName":
        return text(obj, "spec", "externalName") or NONE
    addresses = [str(ip) for ip in items(obj, "spec", "externalIPs")]
    if service_type == "LoadBalancer":
        addresses = load_balancer_addresses(obj) + addresses
        return ",".join(addresses) or "<pending>"
    return ",".join(addresses) or NONE


def render_service(obj: JsonObject, context: RenderContext) -> Row:
    service_type = text(obj, "spec", "type") or "ClusterIP"
    external_ip = service_external_ip(obj)
    pending = external_ip == "<pending>"
    return object_row(
        obj,
        context,
        status="Pending" if pending else "Active",
        tone="warn" if pending else "ok",
        cells={
            "type": service_type,
            "cluster_ip": text(obj, "spec", "clusterIP") or NONE,
            "external_ip": external_ip,
            "ports": service_ports(obj),
        },
    )


def key_count(obj: JsonObject, *sections: str) -> int:
    """How many keys the data sections hold; values are never read into a row."""
    return sum(len(value) for section in sections if isinstance(value := obj.get(section), dict))


def render_config_map(obj: JsonObject, context: RenderContext) -> Row:
    keys = key_count(obj, "data", "binaryData")
    return object_row(obj, context, cells={"data": str(keys)}, sort_keys={"data": float(keys)})


def render_secret(obj: JsonObject, context: RenderContext) -> Row:
    keys = key_count(obj, "data", "stringData")
    return object_row(
        obj,
        context,
        cells={"type": text(obj, "type") or "Opaque", "data": str(keys)},
        sort_keys={"data": float(keys)},
    )


def access_modes(modes: list[Any]) -> str:
    """`RWO,RWX` from the access modes (kubectl's short forms)."""
    return ",".join(_ACCESS_MODE_SHORT.get(str(mode), str(mode)) for mode in modes)


def volume_claim(volume: JsonObject) -> str:
    namespace, name = text(volume, "spec", "claimRef", "namespace"), text(volume, "spec", "claimRef", "name")
    return f"{namespace}/{name}" if namespace else name


def volume_cells(volume: JsonObject) -> tuple[dict[str, str], dict[str, str | float], str, Tone]:
    """Cells, sort keys, status and tone of a PersistentVolume (shared by persistentvolumes and volumes)."""
    capacity = text(volume, "spec", "capacity", "storage")
    phase = text(volume, "status", "phase") or "Pending"
    if metadata_of(volume).get("deletionTimestamp"):
        phase = "Terminating"
    cells = {
        "capacity": capacity,
        "access_modes": access_modes(items(volume, "spec", "accessModes")),
        "reclaim_policy": text(volume, "spec", "persistentVolumeReclaimPolicy") or "Retain",
        "claim": volume_claim(volume),
        "storage_class": text(volume, "spec", "storageClassName"),
    }
    return cells, {"capacity": quantity_value(capacity)}, phase, tone_for_status(phase)


def render_persistent_volume(obj: JsonObject, context: RenderContext) -> Row:
    cells, sort_keys, phase, tone = volume_cells(obj)
    return object_row(obj, context, status=phase, tone=tone, cells=cells, sort_keys=sort_keys)


NAMESPACES = Kind(
    id="namespaces",
    title="Namespaces",
    kind="Namespace",
    resource=ResourcePath("", "v1", "namespaces"),
    category="config",
    # Labels last: a Sovereign's namespaces carry a dozen, the widest cell of the row.
    columns=(*columns(namespaced=False), LABELS),
    render=render_namespace,
    short_names=("ns",),
    graph=GraphType("scope", "Namespace"),
)

PODS = Kind(
    id="pods",
    title="Pods",
    kind="Pod",
    resource=ResourcePath("", "v1", "pods"),
    category="workload",
    columns=columns(READY, RESTARTS, NODE, IP, namespaced=True),
    render=render_pod,
    short_names=("po", "pod"),
    capabilities=frozenset({Capability.LOGS, Capability.EXEC, Capability.METRICS, Capability.COMPLIANCE}),
    log_source="pod",
    metrics_resource="pods",
    graph=GraphType("compute", shown=False),
)

SERVICES = Kind(
    id="services",
    title="Services",
    kind="Service",
    resource=ResourcePath("", "v1", "services"),
    category="network",
    columns=columns(TYPE, CLUSTER_IP, EXTERNAL_IP, PORTS, namespaced=True),
    render=render_service,
    short_names=("svc", "service"),
    capabilities=frozenset({Capability.ENDPOINTS}),
    graph=GraphType("network"),
)

CONFIGMAPS = Kind(
    id="configmaps",
    title="ConfigMaps",
    kind="ConfigMap",
    resource=ResourcePath("", "v1", "configmaps"),
    category="config",
    columns=columns(DATA, namespaced=True, status=False),
    render=render_config_map,
    short_names=("cm", "configmap"),
    graph=GraphType("config", shown=False),
)

SECRETS = Kind(
    id="secrets",
    title="Secrets",
    kind="Secret",
    resource=ResourcePath("", "v1", "secrets"),
    category="config",
    columns=columns(TYPE, DATA, namespaced=True, status=False),
    render=render_secret,
    short_names=("sec", "secret"),
    capabilities=frozenset({Capability.REVEAL}),
    graph=GraphType("config", shown=False),
)

PERSISTENT_VOLUMES = Kind(
    id="persistentvolumes",
    title="PersistentVolumes",
    kind="PersistentVolume",
    resource=ResourcePath("", "v1", "persistentvolumes"),
    category="storage",
    columns=columns_in_order(CAPACITY, ACCESS_MODES, RECLAIM_POLICY, STATUS, CLAIM, STORAGECLASS, namespaced=False),
    render=render_persistent_volume,
    short_names=("pv",),
)

KINDS = (NAMESPACES, PODS, SERVICES, CONFIGMAPS, SECRETS, PERSISTENT_VOLUMES)
