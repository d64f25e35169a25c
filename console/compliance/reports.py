"""Reading policy reports: wgpolicyk8s.io PolicyReports and openreports.io Reports as (resource, finding) pairs.

Both APIs share the result shape (`policy, rule, result, severity, category, source, message, timestamp,
resources[]`, report-level `scope`). openreports.io adds a report-level `source` (the default for results
that name none) and a `configuration` block the score does not need. Reports come from the cluster, so
anything may be missing or of the wrong type: what cannot be read is skipped, nothing raises.
"""

from __future__ import annotations

import math
from typing import Any

from console.compliance.model import Finding, ResourceRef
from console.kube.objects import parse_timestamp

__all__ = ["REPORT_KINDS", "findings_of", "report_namespace"]

# The four kinds this module reads (by `kind`; the API group does not change the shape).
REPORT_KINDS = frozenset({"PolicyReport", "ClusterPolicyReport", "Report", "ClusterReport"})

# Kinds that are never namespaced: a reference to one without a namespace stays cluster-scoped even inside a
# namespaced report (for the others, a missing namespace is the report's own).
_CLUSTER_SCOPED_KINDS = frozenset(
    {
        "namespace",
        "node",
        "persistentvolume",
        "clusterrole",
        "clusterrolebinding",
        "customresourcedefinition",
        "storageclass",
        "priorityclass",
        "runtimeclass",
        "ingressclass",
        "csidriver",
        "csinode",
        "volumeattachment",
        "apiservice",
        "mutatingwebhookconfiguration",
        "validatingwebhookconfiguration",
        "clusterpolicy",
        "clusterpolicyreport",
        "clusterreport",
        "environment",
        "environmentpolicy",
        "organization",
        "blueprint",
    }
)


def _text(value: object) -> str:
    """A scalar as text; anything else (dicts, lists, None, booleans) as ""."""
    if type(value) is str:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float | None:
    """A finite number from a number or its text; None otherwise (booleans, NaN and infinities included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _timestamp(value: object) -> float | None:
    """`{seconds, nanos}` (the CRDs' shape) → epoch seconds; a number or an RFC 3339 text also reads."""
    if type(value) is dict:
        seconds, nanos = value.get("seconds"), value.get("nanos", 0)
        if type(seconds) is int and type(nanos) is int:  # the common shape, read without the general path
            return seconds + nanos / 1e9
        seconds = _number(value.get("seconds"))
        if seconds is None:
            return None
        nanos = _number(value.get("nanos")) or 0.0
        return seconds + nanos / 1e9
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is not None:
            return parsed.timestamp()
    return _number(value)


def _reference(value: object, report_namespace: str) -> ResourceRef | None:
    """An object reference (`{apiVersion, kind, namespace, name}`) as a ResourceRef; None without kind or name."""
    reference = _mapping(value)
    kind, name = _text(reference.get("kind")), _text(reference.get("name"))
    if not kind or not name:
        return None
    namespace = _text(reference.get("namespace"))
    if not namespace and kind.lower() not in _CLUSTER_SCOPED_KINDS:
        namespace = report_namespace
    return ResourceRef(kind, namespace, name, _text(reference.get("apiVersion")))


def report_namespace(report: object) -> str:
    """The report's own namespace ("" for cluster reports and junk)."""
    return _text(_mapping(_mapping(report).get("metadata")).get("namespace"))


def _own_reference(report: dict[str, Any], namespace: str) -> ResourceRef | None:
    """The report itself as the resource: the spec's last resort when neither result nor scope names one."""
    name = _text(_mapping(report.get("metadata")).get("name"))
    if not name:
        return None
    kind = _text(report.get("kind")) or "PolicyReport"
    return ResourceRef(kind, namespace, name, _text(report.get("apiVersion")))


def findings_of(report: object) -> list[tuple[ResourceRef, Finding]]:
    """Every readable result of a report with the resource it is about.

    The resource is `results[i].resources[0]`, else the report's `scope`, else the report's own metadata.
    Results without a policy name are skipped; `result` and `severity` are lower-cased. Results about the
    same resource share one ResourceRef object.
    """
    if not isinstance(report, dict):
        return []
    results = report.get("results")
    if not isinstance(results, list):
        return []
    namespace = report_namespace(report)
    fallback = _reference(report.get("scope"), namespace) or _own_reference(report, namespace)
    default_source = _text(report.get("source"))
    pairs: list[tuple[ResourceRef, Finding]] = []
    for result in results:
        if not isinstance(result, dict):
            continue
        policy = _text(result.get("policy")).strip()
        if not policy:
            continue
        resource = fallback
        resources = result.get("resources")
        if isinstance(resources, list) and resources:
            resource = _reference(resources[0], namespace) or fallback
        if resource is None:
            continue
        finding = Finding(
            policy,
            _text(result.get("rule")),
            _text(result.get("result")).strip().lower(),
            _text(result.get("message")),
            _text(result.get("severity")).strip().lower(),
            _text(result.get("category")),
            _text(result.get("source")) or default_source,
            _timestamp(result.get("timestamp")),
        )
        pairs.append((resource, finding))
    return pairs
