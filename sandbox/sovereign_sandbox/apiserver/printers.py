"""Table columns for built-in kinds, computed the way the real server's printers compute them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "AGE",
    "COLUMNS",
    "Column",
    "NAME",
    "age",
    "column",
    "container_field",
    "created_at_column",
    "human_duration",
    "labels_text",
    "name_column",
    "since",
    "value_at",
]

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # header as kubectl prints it (upper-cased by kubectl)
    value: Callable[[Obj], Any]  # cell value (str/int/bool/None) from the full object
    type: str = "string"  # string | integer | number | boolean | date
    priority: int = 0  # >0 only shown with -o wide
    description: str = ""
    format: str = ""  # "name" for the name column


def human_duration(seconds: float) -> str:
    """apimachinery's `duration.HumanDuration`: 45s, 5m30s, 3h, 2d4h, 400d, 3y20d."""
    whole = int(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        return f"{hours // 24 // 365}y{rest}d" if rest else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def since(text: str | None) -> str:
    """`<unknown>` or the human age of an RFC3339 timestamp."""
    moment = parse_time(text)
    if moment is None:
        return "<unknown>"
    return human_duration((datetime.now(UTC) - moment).total_seconds())


def _get(obj: Obj, *path: str | int, default: Any = None) -> Any:
    value: Any = obj
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return default
    return value


value_at = _get  # the public name other printer tables use


def age(obj: Obj) -> str:
    return since(_get(obj, "metadata", "creationTimestamp"))


def name_column() -> Column:
    description = "Name must be unique within a namespace. Cannot be updated."
    return Column("Name", lambda obj: _get(obj, "metadata", "name", default=""), format="name", description=description)


def created_at_column() -> Column:
    return Column("Created At", lambda obj: _get(obj, "metadata", "creationTimestamp"), type="date")


def _age_column() -> Column:
    return Column(
        "Age",
        age,
        description="CreationTimestamp is a timestamp representing the server time when this object was created.",
    )


def _join(values: list[str] | None, empty: str = "<none>") -> str:
    return ",".join(values) if values else empty


def _pod_ready(obj: Obj) -> str:
    statuses = _get(obj, "status", "containerStatuses", default=[])
    total = len(_get(obj, "spec", "containers", default=[]))
    return f"{sum(1 for status in statuses if status.get('ready'))}/{total}"


def _pod_status(obj: Obj) -> str:
    if _get(obj, "metadata", "deletionTimestamp"):
        return "Terminating"
    reason = _get(obj, "status", "reason") or _get(obj, "status", "phase", default="Unknown")
    for status in _get(obj, "status", "initContainerStatuses", default=[]):
        waiting = _get(status, "state", "waiting", "reason")
        if waiting and waiting != "PodInitializing":
            return f"Init:{waiting}"
    for status in reversed(_get(obj, "status", "containerStatuses", default=[])):
        waiting = _get(status, "state", "waiting", "reason")
        terminated = _get(status, "state", "terminated", "reason")
        if waiting:
            reason = waiting
        elif terminated:
            reason = terminated
    return reason


def _pod_restarts(obj: Obj) -> int:
    return sum(status.get("restartCount", 0) for status in _get(obj, "status", "containerStatuses", default=[]))


def _ports(obj: Obj) -> str:
    ports = _get(obj, "spec", "ports", default=[])
    parts = []
    for port in ports:
        text = f"{port.get('port')}"
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        parts.append(f"{text}/{port.get('protocol', 'TCP')}")
    return _join(parts)


def _external_ip(obj: Obj) -> str:
    ingress = _get(obj, "status", "loadBalancer", "ingress", default=[])
    addresses = [entry.get("ip") or entry.get("hostname", "") for entry in ingress]
    addresses += _get(obj, "spec", "externalIPs", default=[])
    if addresses:
        return ",".join(addresses)
    return "<pending>" if _get(obj, "spec", "type") == "LoadBalancer" else "<none>"


def _node_status(obj: Obj) -> str:
    ready = next((c for c in _get(obj, "status", "conditions", default=[]) if c.get("type") == "Ready"), None)
    status = "Ready" if ready and ready.get("status") == "True" else "NotReady" if ready else "Unknown"
    if _get(obj, "spec", "unschedulable"):
        status += ",SchedulingDisabled"
    return status


def _node_roles(obj: Obj) -> str:
    prefix = "node-role.kubernetes.io/"
    labels = _get(obj, "metadata", "labels", default={})
    return _join(sorted(key[len(prefix) :] for key in labels if key.startswith(prefix) and key[len(prefix) :]))


def labels_text(mapping: dict[str, str] | None) -> str:
    return _join([f"{key}={value}" for key, value in (mapping or {}).items()])


def _claim(obj: Obj) -> str:
    claim = _get(obj, "spec", "claimRef")
    return f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""


def _selector(obj: Obj) -> str:
    labels = _get(obj, "spec", "selector", "matchLabels", default={})
    return _join([f"{key}={value}" for key, value in labels.items()])


def container_field(field: str) -> Callable[[Obj], str]:
    return lambda obj: _join(
        [c.get(field, "") for c in _get(obj, "spec", "template", "spec", "containers", default=[])]
    )


def _pvc_capacity(obj: Obj) -> str:
    return _get(obj, "status", "capacity", "storage", default="")


def _access_modes(obj: Obj) -> str:
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(short.get(mode, mode) for mode in _get(obj, "spec", "accessModes", default=[]))


def _job_status(obj: Obj) -> str:
    for condition in _get(obj, "status", "conditions", default=[]):
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed", "Suspended"):
            return condition["type"]
    return "Running"


def _suspend(obj: Obj) -> str:
    """`printBoolPtr`: the real server sends the text True/False/<unset>, not a JSON boolean."""
    suspend = _get(obj, "spec", "suspend")
    return "<unset>" if suspend is None else "True" if suspend else "False"


def _ingress_hosts(obj: Obj) -> str:
    return _join([rule.get("host", "*") for rule in _get(obj, "spec", "rules", default=[])], "*")


def _ingress_address(obj: Obj) -> str:
    entries = _get(obj, "status", "loadBalancer", "ingress", default=[])
    return ",".join(entry.get("ip") or entry.get("hostname", "") for entry in entries)


def _subjects(kind: str) -> Callable[[Obj], str]:
    def value(obj: Obj) -> str:
        subjects = obj.get("subjects") or []
        names = [
            (f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"])
            for s in subjects
            if s.get("kind") == kind
        ]
        return ",".join(names)

    return value


def column(name: str, *path: str | int, type: str = "string", priority: int = 0, default: Any = None) -> Column:
    return Column(name, lambda obj: _get(obj, *path, default=default), type=type, priority=priority)


def _event_object(obj: Obj) -> str:
    involved = obj.get("involvedObject") or {}
    return f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"


def _endpoints(obj: Obj) -> str:
    addresses = [
        f"{address.get('ip')}:{port.get('port')}"
        for subset in obj.get("subsets") or []
        for address in subset.get("addresses") or []
        for port in subset.get("ports") or [{}]
    ]
    if len(addresses) > 3:
        return ",".join(addresses[:3]) + f" + {len(addresses) - 3} more..."
    return _join(addresses)


def _workload_ready(ready_path: str = "readyReplicas") -> Callable[[Obj], str]:
    return lambda obj: f"{_get(obj, 'status', ready_path, default=0)}/{_get(obj, 'spec', 'replicas', default=0)}"


NAME, AGE = name_column(), _age_column()

COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("", "namespaces"): (NAME, column("Status", "status", "phase"), AGE),
    ("", "pods"): (
        NAME,
        Column("Ready", _pod_ready),
        Column("Status", _pod_status),
        Column("Restarts", _pod_restarts, type="integer"),
        AGE,
        column("IP", "status", "podIP", priority=1, default="<none>"),
        column("Node", "spec", "nodeName", priority=1, default="<none>"),
    ),
    ("", "services"): (
        NAME,
        column("Type", "spec", "type", default="ClusterIP"),
        column("Cluster-IP", "spec", "clusterIP", default="<none>"),
        Column("External-IP", _external_ip),
        Column("Port(s)", _ports),
        AGE,
        Column(
            "Selector",
            lambda obj: _join([f"{k}={v}" for k, v in (_get(obj, "spec", "selector") or {}).items()]),
            priority=1,
        ),
    ),
    ("", "configmaps"): (
        NAME,
        Column("Data", lambda obj: len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), type="integer"),
        AGE,
    ),
    ("", "secrets"): (
        NAME,
        column("Type", "type", default="Opaque"),
        Column("Data", lambda obj: len(obj.get("data") or {}), type="integer"),
        AGE,
    ),
    ("", "nodes"): (
        NAME,
        Column("Status", _node_status),
        Column("Roles", _node_roles),
        AGE,
        column("Version", "status", "nodeInfo", "kubeletVersion", default=""),
        column("Internal-IP", "status", "addresses", 0, "address", priority=1, default="<none>"),
        column("OS-Image", "status", "nodeInfo", "osImage", priority=1, default="<unknown>"),
        column("Kernel-Version", "status", "nodeInfo", "kernelVersion", priority=1, default="<unknown>"),
        column("Container-Runtime", "status", "nodeInfo", "containerRuntimeVersion", priority=1, default="<unknown>"),
    ),
    ("", "persistentvolumes"): (
        NAME,
        column("Capacity", "spec", "capacity", "storage", default=""),
        Column("Access Modes", _access_modes),
        column("Reclaim Policy", "spec", "persistentVolumeReclaimPolicy", default=""),
        column("Status", "status", "phase", default=""),
        Column("Claim", _claim),
        column("StorageClass", "spec", "storageClassName", default=""),
        column("Reason", "status", "reason", default=""),
        AGE,
    ),
    ("", "persistentvolumeclaims"): (
        NAME,
        column("Status", "status", "phase", default=""),
        column("Volume", "spec", "volumeName", default=""),
        Column("Capacity", _pvc_capacity),
        Column("Access Modes", _access_modes),
        column("StorageClass", "spec", "storageClassName", default="<unset>"),
        AGE,
    ),
    ("", "events"): (
        Column("Last Seen", lambda obj: since(obj.get("lastTimestamp") or obj.get("eventTime"))),
        column("Type", "type", default=""),
        column("Reason", "reason", default=""),
        Column("Object", _event_object),
        column("Subobject", "involvedObject", "fieldPath", priority=1, default=""),
        Column(
            "Source", lambda obj: _get(obj, "source", "component") or obj.get("reportingComponent") or "", priority=1
        ),
        column("Message", "message", default=""),
        Column("First Seen", lambda obj: since(obj.get("firstTimestamp") or obj.get("eventTime")), priority=1),
        column("Count", "count", type="integer", priority=1, default=1),
        Column("Name", lambda obj: _get(obj, "metadata", "name", default=""), priority=1),
    ),
    ("", "serviceaccounts"): (NAME, Column("Secrets", lambda obj: len(obj.get("secrets") or []), type="integer"), AGE),
    ("", "endpoints"): (NAME, Column("Endpoints", _endpoints), AGE),
    ("apps", "deployments"): (
        NAME,
        Column("Ready", _workload_ready()),
        column("Up-to-date", "status", "updatedReplicas", type="integer", default=0),
        column("Available", "status", "availableReplicas", type="integer", default=0),
        AGE,
        Column("Containers", container_field("name"), priority=1),
        Column("Images", container_field("image"), priority=1),
        Column("Selector", _selector, priority=1),
    ),
    ("apps", "statefulsets"): (
        NAME,
        Column("Ready", _workload_ready()),
        AGE,
        Column("Containers", container_field("name"), priority=1),
        Column("Images", container_field("image"), priority=1),
    ),
    ("apps", "replicasets"): (
        NAME,
        column("Desired", "spec", "replicas", type="integer", default=0),
        column("Current", "status", "replicas", type="integer", default=0),
        column("Ready", "status", "readyReplicas", type="integer", default=0),
        AGE,
        Column("Containers", container_field("name"), priority=1),
        Column("Images", container_field("image"), priority=1),
        Column("Selector", _selector, priority=1),
    ),
    ("apps", "daemonsets"): (
        NAME,
        column("Desired", "status", "desiredNumberScheduled", type="integer", default=0),
        column("Current", "status", "currentNumberScheduled", type="integer", default=0),
        column("Ready", "status", "numberReady", type="integer", default=0),
        column("Up-to-date", "status", "updatedNumberScheduled", type="integer", default=0),
        column("Available", "status", "numberAvailable", type="integer", default=0),
        Column("Node Selector", lambda obj: labels_text(_get(obj, "spec", "template", "spec", "nodeSelector"))),
        AGE,
    ),
    ("batch", "jobs"): (
        NAME,
        Column("Status", _job_status),
        Column(
            "Completions",
            lambda obj: f"{_get(obj, 'status', 'succeeded', default=0)}/{_get(obj, 'spec', 'completions', default=1)}",
        ),
        Column("Duration", lambda obj: since(_get(obj, "status", "startTime"))),
        AGE,
    ),
    ("batch", "cronjobs"): (
        NAME,
        column("Schedule", "spec", "schedule", default=""),
        column("Timezone", "spec", "timeZone", default="<none>"),
        Column("Suspend", _suspend, type="boolean"),
        Column("Active", lambda obj: len(_get(obj, "status", "active", default=[])), type="integer"),
        Column(
            "Last Schedule",
            lambda obj: (
                since(_get(obj, "status", "lastScheduleTime")) if _get(obj, "status", "lastScheduleTime") else "<none>"
            ),
        ),
        AGE,
    ),
    ("networking.k8s.io", "ingresses"): (
        NAME,
        column("Class", "spec", "ingressClassName", default="<none>"),
        Column("Hosts", _ingress_hosts),
        Column("Address", _ingress_address),
        Column("Ports", lambda obj: "80, 443" if _get(obj, "spec", "tls") else "80"),
        AGE,
    ),
    ("networking.k8s.io", "ingressclasses"): (
        NAME,
        column("Controller", "spec", "controller", default=""),
        column("Parameters", "spec", "parameters", "name", default="<none>"),
        AGE,
    ),
    ("networking.k8s.io", "networkpolicies"): (
        NAME,
        Column(
            "Pod-Selector",
            lambda obj: _join([f"{k}={v}" for k, v in (_get(obj, "spec", "podSelector", "matchLabels") or {}).items()]),
        ),
        AGE,
    ),
    ("discovery.k8s.io", "endpointslices"): (
        NAME,
        column("AddressType", "addressType", default=""),
        Column("Ports", lambda obj: _join([str(p.get("port")) for p in obj.get("ports") or []], "<unset>")),
        Column(
            "Endpoints",
            lambda obj: _join([a for e in obj.get("endpoints") or [] for a in e.get("addresses", [])], "<unset>"),
        ),
        AGE,
    ),
    ("storage.k8s.io", "storageclasses"): (
        NAME,
        column("Provisioner", "provisioner", default=""),
        column("ReclaimPolicy", "reclaimPolicy", default="Delete"),
        column("VolumeBindingMode", "volumeBindingMode", default="Immediate"),
        column("AllowVolumeExpansion", "allowVolumeExpansion", type="boolean", default=False),
        AGE,
    ),
    ("rbac.authorization.k8s.io", "roles"): (NAME, created_at_column()),
    ("rbac.authorization.k8s.io", "clusterroles"): (NAME, created_at_column()),
    ("rbac.authorization.k8s.io", "rolebindings"): (
        NAME,
        Column(
            "Role", lambda obj: f"{_get(obj, 'roleRef', 'kind', default='')}/{_get(obj, 'roleRef', 'name', default='')}"
        ),
        AGE,
        Column("Users", _subjects("User"), priority=1),
        Column("Groups", _subjects("Group"), priority=1),
        Column("ServiceAccounts", _subjects("ServiceAccount"), priority=1),
    ),
    ("coordination.k8s.io", "leases"): (NAME, column("Holder", "spec", "holderIdentity", default=""), AGE),
    ("policy", "poddisruptionbudgets"): (
        NAME,
        column("Min Available", "spec", "minAvailable", default="N/A"),
        column("Max Unavailable", "spec", "maxUnavailable", default="N/A"),
        column("Allowed Disruptions", "status", "disruptionsAllowed", type="integer", default=0),
        AGE,
    ),
}
COLUMNS[("rbac.authorization.k8s.io", "clusterrolebindings")] = COLUMNS[("rbac.authorization.k8s.io", "rolebindings")]
COLUMNS[("events.k8s.io", "events")] = COLUMNS[("", "events")]
