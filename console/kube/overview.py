"""The overview tab's facts about one object, by kind: plain fields, tables and lists, never Secret values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.kube.api import JsonObject
from console.kube.objects import metadata_of

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_WORKLOADS = frozenset({"Deployment", "StatefulSet"})
_KEYED = frozenset({"ConfigMap", "Secret"})
_TRUE_IS_BAD = frozenset({"Stalled", "MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"})


@dataclass(frozen=True, slots=True)
class Overview:
    """What the overview tab shows; every value is display text."""

    fields: list[dict[str, str]] = field(default_factory=list)  # {"label", "value"} in display order
    containers: list[dict[str, str]] = field(default_factory=list)  # name, image, ready, restarts, state, tone
    init_containers: list[dict[str, str]] = field(default_factory=list)
    ports: list[str] = field(default_factory=list)  # "http: 80/TCP → 8080"
    endpoints: list[str] = field(default_factory=list)  # "10.0.0.5:8080"
    keys: list[str] = field(default_factory=list)  # ConfigMap/Secret key names only
    labels: list[str] = field(default_factory=list)  # "key=value"
    annotations: list[str] = field(default_factory=list)
    conditions: list[dict[str, str]] = field(default_factory=list)  # type, status, reason, message, tone


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _mapping(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _pairs(mapping: Any) -> str:
    if not isinstance(mapping, dict) or not mapping:
        return "<none>"
    return ", ".join(f"{key}={value}" for key, value in sorted(mapping.items()))


def _count(obj: JsonObject, *path: str) -> str:
    value = _get(obj, *path)
    return str(value) if isinstance(value, int) else "0"


def _field(label: str, value: str) -> dict[str, str]:
    return {"label": label, "value": value or "<none>"}


def _workload_fields(obj: JsonObject) -> list[dict[str, str]]:
    desired = _get(obj, "spec", "replicas")
    strategy = _get(obj, "spec", "strategy", "type") or _get(obj, "spec", "updateStrategy", "type")
    containers = _get(obj, "spec", "template", "spec", "containers") or []
    images = ", ".join(_text(c.get("image")) for c in containers if isinstance(c, dict))
    return [
        _field("Desired", str(desired if isinstance(desired, int) else 1)),
        _field("Ready", _count(obj, "status", "readyReplicas")),
        _field("Available", _count(obj, "status", "availableReplicas")),
        _field("Updated", _count(obj, "status", "updatedReplicas")),
        _field("Strategy", _text(strategy)),
        _field("Selector", _pairs(_get(obj, "spec", "selector", "matchLabels"))),
        _field("Images", images),
    ]


def _daemonset_fields(obj: JsonObject) -> list[dict[str, str]]:
    return [
        _field("Desired", _count(obj, "status", "desiredNumberScheduled")),
        _field("Current", _count(obj, "status", "currentNumberScheduled")),
        _field("Ready", _count(obj, "status", "numberReady")),
        _field("Available", _count(obj, "status", "numberAvailable")),
        _field("Misscheduled", _count(obj, "status", "numberMisscheduled")),
        _field("Node selector", _pairs(_get(obj, "spec", "template", "spec", "nodeSelector"))),
    ]


def container_state(status: JsonObject) -> tuple[str, str]:
    """("Running" | "Waiting: CrashLoopBackOff" | "Terminated: Completed (exit 0)", tone)."""
    state = _mapping(status.get("state"))
    if "running" in state:
        return "Running", "ok"
    if "waiting" in state:
        reason = _text(_get(state, "waiting", "reason"))
        return (f"Waiting: {reason}" if reason else "Waiting"), "err" if reason.endswith("BackOff") else "warn"
    if "terminated" in state:
        reason = _text(_get(state, "terminated", "reason"))
        code = _get(state, "terminated", "exitCode")
        text = f"Terminated: {reason}" if reason else "Terminated"
        if isinstance(code, int):
            text += f" (exit {code})"
        return text, "muted" if code == 0 else "err"
    return "Unknown", "muted"


def _containers(specs: Any, statuses: Any) -> list[dict[str, str]]:
    by_name = {s.get("name"): s for s in statuses or [] if isinstance(s, dict)}
    rows = []
    for spec in specs or []:
        if not isinstance(spec, dict):
            continue
        status = by_name.get(spec.get("name"), {})
        state, tone = container_state(status) if status else ("Pending", "muted")
        rows.append(
            {
                "name": _text(spec.get("name")),
                "image": _text(spec.get("image")),
                "ready": "true" if status.get("ready") else "false",
                "restarts": _text(status.get("restartCount", 0)),
                "state": state,
                "tone": tone,
            }
        )
    return rows


def _pod_fields(obj: JsonObject) -> list[dict[str, str]]:
    return [
        _field("Phase", _text(_get(obj, "status", "phase"))),
        _field("Pod IP", _text(_get(obj, "status", "podIP"))),
        _field("Host IP", _text(_get(obj, "status", "hostIP"))),
        _field("Node", _text(_get(obj, "spec", "nodeName"))),
        _field("Started", _text(_get(obj, "status", "startTime"))),
    ]


def service_ports(service: JsonObject) -> list[str]:
    """`name: port/proto → target` for each port of a Service."""
    ports = []
    for port in _get(service, "spec", "ports") or []:
        if not isinstance(port, dict):
            continue
        name = _text(port.get("name"))
        text = f"{port.get('port')}/{port.get('protocol') or 'TCP'} → {port.get('targetPort', port.get('port'))}"
        ports.append(f"{name}: {text}" if name else text)
    return ports


def slice_endpoints(slices: list[JsonObject]) -> list[str]:
    """`address:port` of every ready endpoint in a Service's EndpointSlices."""
    found: list[str] = []
    for endpoint_slice in slices:
        ports = [p.get("port") for p in endpoint_slice.get("ports") or [] if isinstance(p, dict) and p.get("port")]
        for endpoint in endpoint_slice.get("endpoints") or []:
            if _get(endpoint, "conditions", "ready") is False:
                continue
            for address in endpoint.get("addresses") or []:
                found.extend([f"{address}:{port}" for port in ports] if ports else [str(address)])
    return sorted(set(found))


def _service_fields(obj: JsonObject) -> list[dict[str, str]]:
    return [
        _field("Type", _text(_get(obj, "spec", "type")) or "ClusterIP"),
        _field("Cluster IP", _text(_get(obj, "spec", "clusterIP"))),
        _field("Selector", _pairs(_get(obj, "spec", "selector"))),
    ]


def key_names(obj: JsonObject) -> list[str]:
    """The keys of a ConfigMap or Secret (data, binaryData, stringData): names only, never values."""
    keys: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        values = obj.get(section)
        if isinstance(values, dict):
            keys.update(str(key) for key in values)
    return sorted(keys)


def conditions_of(obj: JsonObject) -> list[dict[str, str]]:
    rows = []
    for condition in _get(obj, "status", "conditions") or []:
        if not isinstance(condition, dict):
            continue
        kind, status = _text(condition.get("type")), _text(condition.get("status"))
        healthy = (status == "True") != (kind in _TRUE_IS_BAD)
        rows.append(
            {
                "type": kind,
                "status": status,
                "reason": _text(condition.get("reason")),
                "message": _text(condition.get("message")),
                "tone": "ok" if healthy else "muted" if status == "Unknown" else "warn",
            }
        )
    return rows


def overview(obj: JsonObject, *, endpoint_slices: list[JsonObject] | None = None) -> Overview:
    """The overview of `obj`; `endpoint_slices`: a Service's slices (label kubernetes.io/service-name)."""
    kind = _text(obj.get("kind"))
    metadata = metadata_of(obj)
    fields = [_field("Created", _text(metadata.get("creationTimestamp")))]
    containers: list[dict[str, str]] = []
    init_containers: list[dict[str, str]] = []
    ports: list[str] = []
    endpoints: list[str] = []
    keys: list[str] = []
    if kind in _WORKLOADS:
        fields += _workload_fields(obj)
    elif kind == "DaemonSet":
        fields += _daemonset_fields(obj)
    elif kind == "Pod":
        fields += _pod_fields(obj)
        containers = _containers(_get(obj, "spec", "containers"), _get(obj, "status", "containerStatuses"))
        init_containers = _containers(_get(obj, "spec", "initContainers"), _get(obj, "status", "initContainerStatuses"))
    elif kind == "Service":
        fields += _service_fields(obj)
        ports = service_ports(obj)
        endpoints = slice_endpoints(endpoint_slices or [])
    elif kind in _KEYED:
        keys = key_names(obj)
        fields.append(_field("Keys", str(len(keys))))
        if kind == "Secret":
            fields.append(_field("Type", _text(obj.get("type"))))
    labels = _mapping(metadata.get("labels"))
    annotations = _mapping(metadata.get("annotations"))
    return Overview(
        fields=fields,
        containers=containers,
        init_containers=init_containers,
        ports=ports,
        endpoints=endpoints,
        keys=keys,
        labels=[f"{k}={v}" for k, v in sorted(labels.items())],
        annotations=[f"{k}={v}" for k, v in sorted(annotations.items()) if k != _LAST_APPLIED],
        conditions=conditions_of(obj),
    )


__all__ = ["Overview", "conditions_of", "container_state", "key_names", "overview", "service_ports", "slice_endpoints"]
