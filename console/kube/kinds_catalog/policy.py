"""Policy report kinds: policyreports, clusterpolicyreports (wgpolicyk8s.io) and reports (openreports.io)."""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, Kind, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import count_column, field, items
from console.kube.rows import columns, object_row

RESULTS = ("pass", "fail", "warn", "error", "skip")
SCOPE_KIND = Column("scope_kind", "KIND")
SCOPE_NAME = Column("scope_name", "RESOURCE")
COUNTS = tuple(count_column(result, result.upper()) for result in RESULTS)
_COUNT_TONES: dict[str, Tone] = {"pass": "ok", "fail": "err", "warn": "warn", "error": "err"}


def result_counts(report: JsonObject) -> dict[str, int]:
    """Pass/fail/warn/error/skip counts: the report's `summary` when it has one, else a tally of its results."""
    summary = field(report, "summary")
    if isinstance(summary, dict) and any(result in summary for result in RESULTS):
        return {result: _int(summary.get(result)) for result in RESULTS}
    counts = dict.fromkeys(RESULTS, 0)
    for entry in items(report, "results"):
        verdict = str(entry.get("result") or "").lower() if isinstance(entry, dict) else ""
        if verdict in counts:
            counts[verdict] += 1
    return counts


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def scope_of(report: JsonObject) -> tuple[str, str]:
    """Kind and name of the resource the report is about: its `scope`, else its first owner reference."""
    scope = field(report, "scope")
    if not isinstance(scope, dict):
        owners = items(report, "metadata", "ownerReferences")
        scope = owners[0] if owners and isinstance(owners[0], dict) else {}
    return str(scope.get("kind") or ""), str(scope.get("name") or "")


def report_state(counts: dict[str, int]) -> tuple[str, Tone]:
    """Failing when any result fails, Errors when the engine could not evaluate some, Warning on warnings only."""
    if counts["fail"]:
        return "Failing", "err"
    if counts["error"]:
        return "Errors", "err"
    if counts["warn"]:
        return "Warning", "warn"
    if counts["pass"]:
        return "Passing", "ok"
    return "No results", "muted"


def render_report(obj: JsonObject, context: RenderContext) -> Row:
    counts = result_counts(obj)
    scope_kind, scope_name = scope_of(obj)
    state, tone = report_state(counts)
    return object_row(
        obj,
        context,
        status=state,
        tone=tone,
        cells={"scope_kind": scope_kind, "scope_name": scope_name, **{key: str(n) for key, n in counts.items()}},
        sort_keys={key: float(n) for key, n in counts.items()},
        cell_tones={key: _COUNT_TONES[key] for key, n in counts.items() if n and key in _COUNT_TONES},
    )


def _report_kind(kind_id: str, title: str, kind: str, resource: ResourcePath, namespaced: bool, short: str) -> Kind:
    return Kind(
        id=kind_id,
        title=title,
        kind=kind,
        resource=resource,
        category="config",
        columns=columns(SCOPE_KIND, SCOPE_NAME, *COUNTS, namespaced=namespaced),
        render=render_report,
        short_names=(short,),
    )


POLICY_REPORTS = _report_kind(
    "policyreports",
    "Policy Reports",
    "PolicyReport",
    ResourcePath("wgpolicyk8s.io", "v1alpha2", "policyreports"),
    namespaced=True,
    short="polr",
)
CLUSTER_POLICY_REPORTS = _report_kind(
    "clusterpolicyreports",
    "Cluster Policy Reports",
    "ClusterPolicyReport",
    ResourcePath("wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports"),
    namespaced=False,
    short="cpolr",
)
REPORTS = _report_kind(
    "reports",
    "Reports",
    "Report",
    ResourcePath("openreports.io", "v1alpha1", "reports"),
    namespaced=True,
    short="reps",
)

KINDS = (POLICY_REPORTS, CLUSTER_POLICY_REPORTS, REPORTS)
