"""Kind validation of API writes: required fields of the common built-ins and immutable fields (422 Invalid).

Messages and field paths follow `pkg/apis/*/validation` of the real server (and apiextensions' for CRDs);
values render as Go's `%#v`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sovereign_sandbox.errors import invalid
from sovereign_sandbox.storage.resources import ResourceType

__all__ = ["validate"]

Obj = dict[str, Any]
Cause = dict[str, str]
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_IMMUTABLE = "field is immutable"
_SELECTOR_OWNERS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}


def _required(field: str) -> Cause:
    return {"reason": "FieldValueRequired", "message": "Required value", "field": field}


def _invalid(field: str, value: str, detail: str) -> Cause:
    return {"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {detail}", "field": field}


def _forbidden(field: str, detail: str) -> Cause:
    return {"reason": "FieldValueForbidden", "message": f"Forbidden: {detail}", "field": field}


def _go_string(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _go_map(value: Any) -> str:
    if not value:
        return "map[string]string(nil)"
    items = ", ".join(f"{json.dumps(key)}:{json.dumps(value[key])}" for key in sorted(value))
    return f"map[string]string{{{items}}}"


def _go_selector(selector: Any) -> str:
    selector = selector or {}
    expressions = selector.get("matchExpressions") or []
    rendered = ", ".join(
        f"v1.LabelSelectorRequirement{{Key:{json.dumps(item.get('key', ''))}, "
        f"Operator:{json.dumps(item.get('operator', ''))}, Values:{_go_strings(item.get('values'))}}}"
        for item in expressions
    )
    expression_text = (
        f"[]v1.LabelSelectorRequirement{{{rendered}}}" if expressions else ("[]v1.LabelSelectorRequirement(nil)")
    )
    return f"v1.LabelSelector{{MatchLabels:{_go_map(selector.get('matchLabels'))}, MatchExpressions:{expression_text}}}"


def _go_strings(values: Any) -> str:
    if not values:
        return "[]string(nil)"
    return "[]string{" + ", ".join(json.dumps(value) for value in values) + "}"


def _selects(selector: Obj, labels: Obj) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for requirement in selector.get("matchExpressions") or []:
        key, operator = requirement.get("key"), requirement.get("operator")
        values = requirement.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _containers(spec: Obj, prefix: str) -> list[Cause]:
    causes: list[Cause] = []
    containers = spec.get("containers")
    if not containers:
        return [_required(f"{prefix}.containers")]
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(group) or []):
            field = f"{prefix}.{group}[{index}]"
            if not isinstance(container, dict):
                causes.append(_invalid(field, _go_string(container), "must be an object"))
                continue
            name = container.get("name")
            if not name:
                causes.append(_required(f"{field}.name"))
            elif not isinstance(name, str) or not _LABEL.match(name):
                causes.append(
                    _invalid(
                        f"{field}.name",
                        _go_string(name),
                        "a lowercase RFC 1123 label must consist "
                        "of lower case alphanumeric characters or '-', and must start and end with "
                        "an alphanumeric character",
                    )
                )
            elif name in seen:
                causes.append(
                    {
                        "reason": "FieldValueDuplicate",
                        "message": f"Duplicate value: {json.dumps(name)}",
                        "field": f"{field}.name",
                    }
                )
            else:
                seen.add(name)
            if not container.get("image") and group == "containers":
                causes.append(_required(f"{field}.image"))
            for port_index, port in enumerate(container.get("ports") or []):
                number = port.get("containerPort", 0) if isinstance(port, dict) else 0
                if not isinstance(number, int) or not 1 <= number <= 65535:
                    causes.append(
                        _invalid(
                            f"{field}.ports[{port_index}].containerPort",
                            _go_string(number),
                            "must be between 1 and 65535, inclusive",
                        )
                    )
    return causes


def _pod(obj: Obj, old: Obj | None) -> list[Cause]:
    return _containers(obj.get("spec") or {}, "spec")


def _workload(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = obj.get("spec") or {}
    causes: list[Cause] = []
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector is None:
        causes.append(_required("spec.selector"))
    elif not selector.get("matchLabels") and not selector.get("matchExpressions"):
        causes.append(_invalid("spec.selector", _go_selector(selector), "empty selector is invalid for deployment"))
    if selector is None or not _selects(selector, labels):
        causes.append(
            _invalid("spec.template.metadata.labels", _go_map(labels), "`selector` does not match template `labels`")
        )
    causes.extend(_containers(template.get("spec") or {}, "spec.template.spec"))
    if old is not None:
        old_selector = (old.get("spec") or {}).get("selector")
        if old_selector is not None and selector != old_selector:
            causes.append(_invalid("spec.selector", _go_selector(selector), _IMMUTABLE))
    return causes


def _service(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = obj.setdefault("spec", {})
    causes: list[Cause] = []
    ports = spec.get("ports") or []
    if not ports and spec.get("type") != "ExternalName" and spec.get("clusterIP") != "None":
        causes.append(_required("spec.ports"))
    for index, port in enumerate(ports):
        field = f"spec.ports[{index}]"
        port = port if isinstance(port, dict) else {}
        if len(ports) > 1 and not port.get("name"):
            causes.append(_required(f"{field}.name"))
        number = port.get("port", 0)
        if not isinstance(number, int) or not 1 <= number <= 65535:
            causes.append(_invalid(f"{field}.port", _go_string(number), "must be between 1 and 65535, inclusive"))
    old_ip = ((old or {}).get("spec") or {}).get("clusterIP")
    if old_ip:
        if not spec.get("clusterIP"):
            spec["clusterIP"] = old_ip  # the registry keeps the allocated address when an update omits it
            spec.setdefault("clusterIPs", (old or {})["spec"].get("clusterIPs") or [old_ip])
        elif spec["clusterIP"] != old_ip:
            wanted = spec.get("clusterIPs") or [spec["clusterIP"]]
            causes.append(_invalid("spec.clusterIPs[0]", _go_strings(wanted), "may not change once set"))
    return causes


def _immutable_data(obj: Obj, old: Obj | None) -> list[Cause]:
    if old is None or not old.get("immutable"):
        return []
    detail = "field is immutable when `immutable` is set"
    causes = [
        _forbidden(field, detail) for field in ("data", "binaryData", "stringData") if obj.get(field) != old.get(field)
    ]
    if not obj.get("immutable"):
        causes.append(_forbidden("immutable", detail))
    return causes


# CRDs in the community's groups need an approval link (kubernetes/enhancements#1111).
_APPROVAL = "api-approved.kubernetes.io"
_APPROVAL_FIELD = f"metadata.annotations[{_APPROVAL}]"
_APPROVAL_MISSING = f'protected groups must have approval annotation "{_APPROVAL}", see https://github.com/kubernetes/enhancements/pull/1111'
_APPROVAL_INVALID = (
    f'protected groups must have approval annotation "{_APPROVAL}" with either a URL or a reason starting with '
    '"unapproved", see https://github.com/kubernetes/enhancements/pull/1111'
)


def _protected_group(group: str) -> bool:
    """`IsProtectedCommunityGroup`: k8s.io, kubernetes.io and their subdomains."""
    return any(group == suffix or group.endswith(f".{suffix}") for suffix in ("k8s.io", "kubernetes.io"))


def _approval_state(obj: Obj) -> str:
    """`GetAPIApprovalState`: missing, bypassed (`unapproved…`), approved (an absolute URL) or invalid."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(_APPROVAL) or ""
    if not value:
        return "missing"
    if value.startswith("unapproved"):
        return "bypassed"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "invalid"
    return "approved" if parts.scheme and parts.netloc and not any(c.isspace() for c in value) else "invalid"


def _custom_resource_definition(obj: Obj, old: Obj | None) -> list[Cause]:
    """`validateAPIApproval`; an update that keeps the approval state is never refused for it."""
    if not _protected_group(str((obj.get("spec") or {}).get("group", ""))):
        return []
    state = _approval_state(obj)
    if (old is not None and _approval_state(old) == state) or state in ("approved", "bypassed"):
        return []
    if state == "missing":
        return [
            {
                "reason": "FieldValueRequired",
                "message": f"Required value: {_APPROVAL_MISSING}",
                "field": _APPROVAL_FIELD,
            }
        ]
    value = obj["metadata"]["annotations"][_APPROVAL]
    return [_invalid(_APPROVAL_FIELD, _go_string(value), _APPROVAL_INVALID)]


_VALIDATORS: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    ("", "Pod"): _pod,
    ("", "Service"): _service,
    ("", "ConfigMap"): _immutable_data,
    ("", "Secret"): _immutable_data,
    **{("apps", kind): _workload for kind in _SELECTOR_OWNERS},
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _custom_resource_definition,
}


def validate(resource: ResourceType, obj: Obj, old: Obj | None = None) -> None:
    """Raise 422 Invalid when `obj` (a create, or an update of `old`) breaks its kind's rules."""
    if resource.custom:
        return
    validator = _VALIDATORS.get((resource.group, resource.kind))
    if validator is None:
        return
    causes = validator(obj, old)
    if causes:
        name = (obj.get("metadata") or {}).get("name", "")
        raise invalid(resource.kind, resource.group, name, causes)
