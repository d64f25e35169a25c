"""The SRE and Security dashboards, summed from the ledger's cells (never from the findings themselves)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from console.compliance.attribution import WORKLOAD_KINDS, attribute
from console.compliance.ledger import ALL, SECURITY, Cell, Ledger, visible
from console.compliance.model import Attribution, Category, ResourceRef, Tally
from console.compliance.scoring import SEVERITY_RANK, ResultCounts, category_scores
from console.compliance.views import (
    ApplicationScore,
    Coverage,
    Dashboard,
    NamespaceSummary,
    PolicySummary,
    Violation,
)

__all__ = ["Workload", "build_dashboard", "policy_severity", "violation_order", "workloads_by_namespace"]


@dataclass(frozen=True, slots=True)
class Workload:
    key: str
    attribution: Attribution


def workloads_by_namespace(ledger: Ledger) -> dict[str, list[Workload]]:
    """Every cached Deployment, StatefulSet and DaemonSet with its attribution, by namespace."""
    found: dict[str, list[Workload]] = {}
    for kind in WORKLOAD_KINDS:
        for namespace, name in ledger.labels.names(kind):
            ref = ResourceRef(kind, namespace, name)
            found.setdefault(namespace, []).append(Workload(ref.key, attribute(ref, ledger.labels).attribution))
    return found


def violation_order(violation: Violation) -> tuple[int, int, str, str, str]:
    """Heaviest first, then the most severe, then by resource and policy."""
    return (
        -violation.weight,
        SEVERITY_RANK.get(violation.severity, len(SEVERITY_RANK)),
        violation.resource.key,
        violation.policy,
        violation.rule,
    )


def policy_severity(ledger: Ledger, policy: str) -> str:
    """The ClusterPolicy's severity, else one its findings state (Kyverno copies the ClusterPolicy's into
    every result, so they agree; the first resource found is asked, to stay O(1))."""
    info = ledger.policy_info.get(policy)
    if info is not None and info.severity:
        return info.severity
    for key in ledger.by_policy.get(policy, ()):
        for findings in ledger.entries[key].findings.values():
            for finding in findings:
                if finding.policy == policy and finding.severity:
                    return finding.severity
    return ""


def _chosen(cells: Iterable[Cell], organization: str, environment: str) -> list[Cell]:
    return [
        cell
        for cell in cells
        if (not organization or cell.organization == organization)
        and (not environment or cell.environment == environment)
    ]


def _coverage(
    ledger: Ledger,
    workloads: dict[str, list[Workload]],
    namespaces: frozenset[str] | None,
    organization: str,
    environment: str,
    view: int,
) -> Coverage:
    if namespaces is None:
        groups: Iterable[list[Workload]] = workloads.values()
    else:
        groups = [workloads[namespace] for namespace in namespaces if namespace in workloads]
    total = evaluated = 0
    for group in groups:
        for workload in group:
            if organization and workload.attribution.organization != organization:
                continue
            if environment and workload.attribution.environment != environment:
                continue
            total += 1
            members = ledger.by_workload.get(workload.key, ())
            if any(ledger.entries[key].shares[view].counted > 0 for key in members):
                evaluated += 1
    return Coverage(evaluated, total)


def build_dashboard(
    ledger: Ledger,
    workloads: dict[str, list[Workload]],
    reports_by_namespace: dict[str, int],
    namespaces: frozenset[str] | None,
    organization: str,
    environment: str,
    security_only: bool,
) -> Dashboard:
    view = SECURITY if security_only else ALL
    seen = list(ledger.visible_cells(namespaces))
    cells = _chosen(seen, organization, environment)
    sovereign = Tally()
    applications: dict[tuple[str, str, str], Tally] = {}
    by_namespace: dict[str, tuple[ResultCounts, Tally, int]] = {}
    policies: dict[tuple[str, Category], list[int]] = {}  # counted, violations, max weight
    violations: list[Violation] = []
    for cell in cells:
        totals = cell.totals[view]
        sovereign = sovereign + totals.tally
        if cell.application:
            app = (cell.application, cell.environment, cell.organization)
            applications[app] = applications.get(app, Tally()) + totals.tally
        counts, tally, counted = by_namespace.get(cell.namespace, (ResultCounts(), Tally(), 0))
        by_namespace[cell.namespace] = (counts + totals.counts, tally + totals.tally, counted + totals.counted)
        for key, policy_totals in totals.policies.items():
            held = policies.get(key)
            if held is None:
                policies[key] = [policy_totals.counted, policy_totals.violations, policy_totals.weight]
            else:
                held[0] += policy_totals.counted
                held[1] += policy_totals.violations
                held[2] = max(held[2], policy_totals.weight)
        for entry_key in cell.resources:
            violations.extend(ledger.entries[entry_key].violations[view])
    violations.sort(key=violation_order)
    report_count = sum(count for namespace, count in reports_by_namespace.items() if visible(namespace, namespaces))
    scores = category_scores((bucket, weight, failed) for (_, bucket), (_, failed, weight) in policies.items())
    return Dashboard(
        sovereign=sovereign,
        categories={str(bucket): score for bucket, score in scores.items()},
        coverage=_coverage(ledger, workloads, namespaces, organization, environment, view),
        applications=sorted(
            (
                ApplicationScore(app, env, org, tally, tally.den)
                for (app, env, org), tally in applications.items()
                if tally.den > 0
            ),
            key=lambda score: (-score.weight, score.application, score.environment, score.organization),
        ),
        namespaces=[
            NamespaceSummary(namespace, c.passed, c.warned, c.failed, c.skipped, c.errored, tally)
            for namespace, (c, tally, counted) in sorted(by_namespace.items())
            if c != ResultCounts() or tally.den > 0 or counted > 0
        ],
        organizations=sorted({cell.organization for cell in seen if cell.organization}),
        environments=sorted(
            {
                cell.environment
                for cell in seen
                if cell.environment and (not organization or cell.organization == organization)
            }
        ),
        violations=violations,
        policies=sorted(
            (
                PolicySummary(
                    policy,
                    info.title if (info := ledger.policy_info.get(policy)) is not None else "",
                    bucket,
                    policy_severity(ledger, policy),
                    failed,
                    weight,
                )
                for (policy, bucket), (_, failed, weight) in policies.items()
            ),
            key=lambda summary: (-summary.violations, -summary.weight, summary.name, summary.bucket),
        ),
        reports=report_count,
    )
