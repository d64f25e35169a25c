"""The drill-down views: one policy, one application, one resource; and every scope's tally for history."""

from __future__ import annotations

from collections import Counter

from console.compliance.attribution import attribute
from console.compliance.dashboard import policy_severity, violation_order
from console.compliance.ledger import ALL, Ledger, ResourceEntry, visible
from console.compliance.model import ResourceRef, ScopeKind, Tally
from console.compliance.scoring import COUNTED_RESULTS, bucket_of, fixes_to_target, pooled
from console.compliance.views import (
    ApplicationView,
    PolicyEnvironment,
    PolicyOutcome,
    PolicyView,
    ResourceFinding,
    ResourceView,
)
from console.compliance.weights import DEFAULT_MODE, DEFAULT_WEIGHT, counting_weight

__all__ = ["application_view", "policy_view", "resource_view", "scope_tallies"]

_RESULT_ORDER = {result: rank for rank, result in enumerate((*COUNTED_RESULTS, "skip"))}


def _policy_environments(ledger: Ledger, policy: str) -> list[PolicyEnvironment]:
    """Every Environment object and every environment seen on a resource, with the weights that apply there."""
    rows = []
    for environment in sorted(set(ledger.environments.environments) | ledger.environments_seen()):
        table = ledger.environments.table_for(environment)
        weight = DEFAULT_WEIGHT if table is None else table.weight_of(policy)
        rows.append(
            PolicyEnvironment(
                environment=environment,
                environment_policy=table.environment_policy if table is not None else "",
                weight=weight.weight if weight is not None else None,
                scope=weight.scope if weight is not None else "",
                mode=table.mode_of(policy) if table is not None else DEFAULT_MODE,
            )
        )
    return rows


def policy_view(ledger: Ledger, name: str, namespaces: frozenset[str] | None) -> PolicyView | None:
    """A policy's page; None when it is neither a ClusterPolicy nor named by any report held."""
    info = ledger.policy_info.get(name)
    keys = ledger.by_policy.get(name, set())
    if info is None and not keys:
        return None
    entries = [ledger.entries[key] for key in sorted(keys)]
    findings = [finding for entry in entries for finding in entry.all_findings() if finding.policy == name]
    category = (info.category if info is not None else "") or next((f.category for f in findings if f.category), "")
    source = next((finding.source for finding in findings if finding.source), "kyverno" if info is not None else "")
    offending = [
        violation
        for entry in entries
        if visible(entry.ref.namespace, namespaces)
        for violation in entry.violations[ALL]
        if violation.policy == name
    ]
    offending.sort(key=violation_order)
    environments = _policy_environments(ledger, name)
    per_environment = Counter(violation.attribution.environment for violation in offending)
    failures = [(row.environment, per_environment.pop(row.environment, 0)) for row in environments]
    failures.extend(sorted(per_environment.items()))  # fails on resources without a known environment
    counting = [row for row in environments if row.weight is not None]
    scopes = {row.scope for row in counting}
    return PolicyView(
        name=name,
        title=info.title if info is not None else "",
        category=category,
        bucket=bucket_of(name, category),
        severity=policy_severity(ledger, name),
        source=source,
        description=info.description if info is not None else "",
        kyverno_action=info.action if info is not None else "",
        rules=list(info.rules) if info is not None else sorted({f.rule for f in findings if f.rule}),
        weight=max((row.weight for row in counting if row.weight is not None), default=None),
        scope=scopes.pop() if len(scopes) == 1 else ("mixed" if scopes else ""),
        environments=environments,
        failures_per_environment=failures,
        offending=offending,
        violations=len(offending),
    )


def application_view(
    ledger: Ledger, name: str, namespaces: frozenset[str] | None, environment: str = ""
) -> ApplicationView:
    """An application's score, per-policy outcomes and what to fix (its resources within `namespaces`)."""
    cells = [
        cell
        for cell in ledger.visible_cells(namespaces)
        if cell.application == name and (not environment or cell.environment == environment)
    ]
    entries = sorted(ledger.entries_of(cells), key=lambda entry: entry.ref.key)
    tally = Tally()
    results: dict[str, str] = {}
    weights: dict[str, int] = {}
    failing: Counter[str] = Counter()
    not_passing: Counter[str] = Counter()
    for entry in entries:
        tally = tally + pooled(entry.tally)
        for policy, verdict in entry.verdicts.items():
            held = results.get(policy)
            if held is None or _RESULT_ORDER[verdict.result] < _RESULT_ORDER[held]:
                results[policy] = verdict.result
            weights[policy] = max(weights.get(policy, 0), verdict.weight)
            if verdict.result == "fail":
                failing[policy] += 1
            if verdict.result != "pass" and entry.tally.den > 0:
                not_passing[policy] += verdict.weight
    for entry in entries:  # policies that would count but only skipped (or errored) here
        for finding in entry.all_findings():
            if finding.policy in results:
                continue
            weight = counting_weight(entry.table, finding.policy, entry.ref.stateful)
            if weight is not None:
                results[finding.policy] = "skip"
                weights[finding.policy] = max(weights.get(finding.policy, 0), weight)
    outcomes = [PolicyOutcome(policy, result, weights[policy], failing[policy]) for policy, result in results.items()]
    outcomes.sort(key=lambda outcome: (_RESULT_ORDER[outcome.result], -outcome.weight, outcome.policy))
    return ApplicationView(
        application=name,
        environment=environment,
        tally=tally,
        outcomes=outcomes,
        fixes=fixes_to_target(tally, not_passing),
        violations=sum(failing.values()),
        failing_results=sorted((v for entry in entries for v in entry.violations[ALL]), key=violation_order),
    )


def _resource_findings(ledger: Ledger, entry: ResourceEntry) -> list[ResourceFinding]:
    findings = entry.all_findings()
    categories: dict[str, str] = {}
    for finding in findings:
        if finding.category:
            categories.setdefault(finding.policy, finding.category)
    rows = []
    for finding in findings:
        info = ledger.policy_info.get(finding.policy)
        weight = counting_weight(entry.table, finding.policy, entry.ref.stateful)
        rows.append(
            ResourceFinding(
                policy=finding.policy,
                rule=finding.rule,
                result=finding.result,
                message=finding.message,
                severity=finding.severity or (info.severity if info is not None else ""),
                category=finding.category or (info.category if info is not None else ""),
                title=info.title if info is not None else "",
                source=finding.source,
                bucket=ledger.bucket(finding.policy, categories),
                weight=weight,
                counted=weight is not None and finding.result in COUNTED_RESULTS,
                timestamp=finding.timestamp,
            )
        )
    rows.sort(key=lambda row: (_RESULT_ORDER.get(row.result, len(_RESULT_ORDER)), row.policy, row.rule))
    return rows


def resource_view(ledger: Ledger, ref: ResourceRef) -> ResourceView:
    """One resource's findings and score (the caller decides whether the viewer may see it)."""
    entry = ledger.entries.get(ref.key)
    if entry is None or entry.attributed is None:
        return ResourceView(ref, False, Tally(), attribute(ref, ledger.labels).attribution, [], [])
    not_passing = {policy: v.weight for policy, v in entry.verdicts.items() if v.result != "pass"}
    return ResourceView(
        resource=entry.ref,
        found=True,
        tally=entry.tally,
        attribution=entry.attributed.attribution,
        findings=_resource_findings(ledger, entry),
        fixes=fixes_to_target(entry.tally, not_passing),
    )


def scope_tallies(ledger: Ledger) -> dict[tuple[str, str], Tally]:
    """Every scope's unfiltered tally: the sovereign, each organization, environment, application
    ("<environment>/<application>") and namespace (empty names left out)."""
    tallies: dict[tuple[str, str], Tally] = {("sovereign", ""): Tally()}

    def add(scope: tuple[ScopeKind, str], tally: Tally) -> None:
        tallies[scope] = tallies.get(scope, Tally()) + tally

    for cell in ledger.cells.values():
        tally = cell.totals[ALL].tally
        add(("sovereign", ""), tally)
        if cell.organization:
            add(("organization", cell.organization), tally)
        if cell.environment:
            add(("environment", cell.environment), tally)
        if cell.application:
            add(("application", f"{cell.environment}/{cell.application}"), tally)
        if cell.namespace:
            add(("namespace", cell.namespace), tally)
    return tallies
