"""Table columns of the cluster-administration kinds (autoscaling, quotas, scheduling, admission, flow control,
certificates, CSI, runtime classes, API services), computed as the real server's printers compute them.

The real server always renders the wide cells; kubectl hides columns with priority > 0 unless `-o wide`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sovereign_sandbox.apiserver.printers import (
    AGE,
    NAME,
    Column,
    column,
    container_field,
    human_duration,
    labels_text,
    value_at,
)

__all__ = ["COLUMNS", "flow_schema_order"]

Obj = dict[str, Any]


def _metric_target(kind: str, spec: Obj, status: Obj | None) -> str:
    """One HPA metric as `formatHPAMetrics` prints it: `cpu: 42%/80%`, `3/10 (avg)`, `<unknown>/500m`."""
    source, current = spec.get(kind) or {}, (status or {}).get(kind) or {}
    target, observed = source.get("target") or {}, current.get("current") or {}
    if kind in ("resource", "containerResource"):
        name = source.get("name", "")
        if "averageValue" in target:
            return f"{name}: {observed.get('averageValue', '<unknown>')}/{target['averageValue']}"
        used = observed.get("averageUtilization")
        wanted = target.get("averageUtilization")
        return f"{name}: {'<unknown>' if used is None else f'{used}%'}/{'<auto>' if wanted is None else f'{wanted}%'}"
    if kind == "pods":
        return f"{observed.get('averageValue', '<unknown>')}/{target.get('averageValue', '')}"
    if "averageValue" in target:
        return f"{observed.get('averageValue', '<unknown>')}/{target['averageValue']} (avg)"
    return f"{observed.get('value', '<unknown>')}/{target.get('value', '')}"


_METRIC_FIELDS = {
    "Resource": "resource",
    "ContainerResource": "containerResource",
    "Pods": "pods",
    "Object": "object",
    "External": "external",
}


def _hpa_targets(obj: Obj) -> str:
    specs = value_at(obj, "spec", "metrics", default=[])
    if not specs:
        return "<none>"
    statuses = value_at(obj, "status", "currentMetrics", default=[])
    shown = []
    for index, spec in enumerate(specs):
        kind = _METRIC_FIELDS.get(spec.get("type", ""))
        status = statuses[index] if index < len(statuses) else None
        shown.append(_metric_target(kind, spec, status) if kind else "<unknown type>")
    if len(shown) > 2:
        return ", ".join(shown[:2]) + f" + {len(shown) - 2} more..."
    return ", ".join(shown)


def _hpa_reference(obj: Obj) -> str:
    target = value_at(obj, "spec", "scaleTargetRef", default={})
    return f"{target.get('kind', '')}/{target.get('name', '')}"


def _quota(limits: bool) -> Callable[[Obj], str]:
    """`resource: used/hard` pairs, sorted; `limits.*` in the Limit column, everything else in Request."""

    def value(obj: Obj) -> str:
        hard = value_at(obj, "status", "hard", default={})
        used = value_at(obj, "status", "used", default={})
        pairs = [
            f"{name}: {used.get(name, '0')}/{hard[name]}"
            for name in sorted(hard)
            if (name.split(".", 1)[0] == "limits" and "." in name) == limits
        ]
        return ", ".join(pairs)

    return value


def _controller(obj: Obj) -> str:
    """`daemonset.apps/cilium`: the controller ownerReference as `kind.group/name`."""
    for reference in value_at(obj, "metadata", "ownerReferences", default=[]):
        if reference.get("controller"):
            group = reference.get("apiVersion", "").rpartition("/")[0]
            kind = reference.get("kind", "").lower()
            return f"{kind}.{group}/{reference['name']}" if group else f"{kind}/{reference['name']}"
    return "<none>"


def _csr_condition(obj: Obj) -> str:
    kinds = {condition.get("type") for condition in value_at(obj, "status", "conditions", default=[])}
    status = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        status += ",Failed"
    if value_at(obj, "status", "certificate"):
        status += ",Issued"
    return status


def _csr_duration(obj: Obj) -> str:
    seconds = value_at(obj, "spec", "expirationSeconds")
    return "<none>" if seconds is None else human_duration(seconds)


def _api_service_available(obj: Obj) -> str:
    for condition in value_at(obj, "status", "conditions", default=[]):
        if condition.get("type") == "Available":
            status = condition.get("status", "Unknown")
            if status != "True" and condition.get("reason"):
                return f"{status} ({condition['reason']})"
            return status
    return "Unknown"


def _api_service(obj: Obj) -> str:
    service = value_at(obj, "spec", "service")
    return f"{service.get('namespace', '')}/{service.get('name', '')}" if service else "Local"


def _token_requests(obj: Obj) -> str:
    requests = value_at(obj, "spec", "tokenRequests")
    return "<unset>" if requests is None else ",".join(request.get("audience", "") for request in requests)


def _modes(obj: Obj) -> str:
    return ",".join(value_at(obj, "spec", "volumeLifecycleModes", default=[])) or "<none>"


def _param_kind(obj: Obj) -> str:
    kind = value_at(obj, "spec", "paramKind")
    return f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}" if kind else "<unset>"


def _param_ref(obj: Obj) -> str:
    reference = value_at(obj, "spec", "paramRef")
    if not reference:
        return "<unset>"
    if reference.get("name"):
        return f"{reference.get('namespace') or '*'}/{reference['name']}"
    labels = (reference.get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items())) or "<none>"


def _dangling(obj: Obj) -> str:
    for condition in value_at(obj, "status", "conditions", default=[]):
        if condition.get("type") == "Dangling":
            return condition.get("status", "?")
    return "?"


def _queuing(field: str) -> Callable[[Obj], Any]:
    def value(obj: Obj) -> Any:
        limited = value_at(obj, "spec", "limited")
        if not limited:
            return "<none>"
        if field == "nominalConcurrencyShares":
            return limited.get(field, 0)
        queuing = value_at(limited, "limitResponse", "queuing")
        return queuing.get(field, 0) if queuing else "<none>"

    return value


def flow_schema_order(obj: Obj) -> tuple[int, str]:
    """FlowSchemas are listed by matching precedence, then name (the order the server matches them in)."""
    return value_at(obj, "spec", "matchingPrecedence", default=0), value_at(obj, "metadata", "name", default="")


_WEBHOOKS = (NAME, Column("Webhooks", lambda obj: len(obj.get("webhooks") or []), type="integer"), AGE)

COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("autoscaling", "horizontalpodautoscalers"): (
        NAME,
        Column("Reference", _hpa_reference),
        Column("Targets", _hpa_targets),
        Column("MinPods", lambda obj: str(value_at(obj, "spec", "minReplicas", default="<unset>"))),
        column("MaxPods", "spec", "maxReplicas", default=0),
        column("Replicas", "status", "currentReplicas", default=0),
        AGE,
    ),
    ("", "resourcequotas"): (NAME, Column("Request", _quota(False)), Column("Limit", _quota(True)), AGE),
    ("", "podtemplates"): (
        NAME,
        Column("Containers", lambda obj: ",".join(c.get("name", "") for c in _template_containers(obj))),
        Column("Images", lambda obj: ",".join(c.get("image", "") for c in _template_containers(obj))),
        Column("Pod Labels", lambda obj: labels_text(value_at(obj, "template", "metadata", "labels"))),
    ),
    ("", "replicationcontrollers"): (
        NAME,
        column("Desired", "spec", "replicas", type="integer", default=0),
        column("Current", "status", "replicas", type="integer", default=0),
        column("Ready", "status", "readyReplicas", type="integer", default=0),
        AGE,
        Column("Containers", container_field("name"), priority=1),
        Column("Images", container_field("image"), priority=1),
        Column("Selector", lambda obj: labels_text(value_at(obj, "spec", "selector")), priority=1),
    ),
    ("scheduling.k8s.io", "priorityclasses"): (
        NAME,
        column("Value", "value", type="integer", default=0),
        column("Global-Default", "globalDefault", type="boolean", default=False),
        AGE,
        column("PreemptionPolicy", "preemptionPolicy", default=""),
    ),
    ("apps", "controllerrevisions"): (NAME, Column("Controller", _controller), column("Revision", "revision"), AGE),
    ("certificates.k8s.io", "certificatesigningrequests"): (
        NAME,
        AGE,
        column("SignerName", "spec", "signerName", default="<none>"),
        column("Requestor", "spec", "username", default=""),
        Column("RequestedDuration", _csr_duration),
        Column("Condition", _csr_condition),
    ),
    ("apiregistration.k8s.io", "apiservices"): (
        NAME,
        Column("Service", _api_service),
        Column("Available", _api_service_available),
        AGE,
    ),
    ("node.k8s.io", "runtimeclasses"): (NAME, column("Handler", "handler", default=""), AGE),
    ("storage.k8s.io", "csidrivers"): (
        NAME,
        column("AttachRequired", "spec", "attachRequired", type="boolean", default=True),
        column("PodInfoOnMount", "spec", "podInfoOnMount", type="boolean", default=False),
        column("StorageCapacity", "spec", "storageCapacity", type="boolean", default=False),
        Column("TokenRequests", _token_requests),
        column("RequiresRepublish", "spec", "requiresRepublish", type="boolean", default=False),
        Column("Modes", _modes),
        AGE,
    ),
    ("storage.k8s.io", "csinodes"): (
        NAME,
        Column("Drivers", lambda obj: len(value_at(obj, "spec", "drivers", default=[])), type="integer"),
        AGE,
    ),
    ("storage.k8s.io", "csistoragecapacities"): (
        NAME,
        column("StorageClassName", "storageClassName", default=""),
        column("Capacity", "capacity", default="<unset>"),
    ),
    ("storage.k8s.io", "volumeattachments"): (
        NAME,
        column("Attacher", "spec", "attacher", default=""),
        column("PV", "spec", "source", "persistentVolumeName", default=""),
        column("Node", "spec", "nodeName", default=""),
        column("Attached", "status", "attached", type="boolean", default=False),
        AGE,
    ),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): _WEBHOOKS,
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): _WEBHOOKS,
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): (
        NAME,
        Column("Validations", lambda obj: len(value_at(obj, "spec", "validations", default=[])), type="integer"),
        Column("ParamKind", _param_kind),
        AGE,
    ),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): (
        NAME,
        column("PolicyName", "spec", "policyName", default=""),
        Column("ParamRef", _param_ref),
        AGE,
    ),
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): (
        NAME,
        column("PriorityLevel", "spec", "priorityLevelConfiguration", "name", default=""),
        column("MatchingPrecedence", "spec", "matchingPrecedence", default=0),
        Column(
            "DistinguisherMethod", lambda obj: value_at(obj, "spec", "distinguisherMethod", "type", default="<none>")
        ),
        AGE,
        Column("MissingPL", _dangling),
    ),
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"): (
        NAME,
        column("Type", "spec", "type", default=""),
        Column("NominalConcurrencyShares", _queuing("nominalConcurrencyShares")),
        Column("Queues", _queuing("queues")),
        Column("HandSize", _queuing("handSize")),
        Column("QueueLengthLimit", _queuing("queueLengthLimit")),
        AGE,
    ),
}


def _template_containers(obj: Obj) -> list[Obj]:
    return value_at(obj, "template", "spec", "containers", default=[])
