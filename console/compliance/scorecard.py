"""The Scorecard: compliance scores kept up to date incrementally as reports and cluster context change.

A report change touches only the resources the report speaks (or spoke) about: each one's old share comes
out of its cell and the new one goes in. A context change (labels, Environments, EnvironmentPolicies,
ClusterPolicies) recomputes only the resources that read what changed. Views sum cells, so they cost what
the viewer may see, not what the cluster holds; a dashboard is memoised until the next change.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from console.compliance.attribution import LABELLED_KINDS, WORKLOAD_KINDS
from console.compliance.dashboard import Workload, build_dashboard, workloads_by_namespace
from console.compliance.drilldowns import application_view, policy_view, resource_view, scope_tallies
from console.compliance.ledger import Ledger
from console.compliance.model import Attribution, Finding, OutcomeChange, ResourceRef, Tally
from console.compliance.policies import PolicyInfo, policy_info_of
from console.compliance.reports import findings_of, report_namespace
from console.compliance.views import (
    ApplicationView,
    Dashboard,
    PolicyView,
    ResourceView,
)
from console.compliance.weights import WeightTable

__all__ = ["CONTEXT_KINDS", "Scorecard", "collector_paused"]

# The kinds `set_context` takes.
CONTEXT_KINDS = (*LABELLED_KINDS, "Environment", "EnvironmentPolicy", "ClusterPolicy")
_MEMO_SIZE = 64

DashboardArgs = tuple[frozenset[str] | None, str, str, bool]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector over a batch of report changes.

    Ingesting reports allocates hundreds of thousands of long-lived objects and no cycles; each generation
    threshold they cross starts a collection that walks them all again — half the cost of a first full
    ingest (bench/compliance_core.py). Reference counting still frees everything as usual meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Scorecard:
    """Per-resource findings and tallies, pooled per cell; see the module doc."""

    def __init__(self) -> None:
        self._ledger = Ledger()
        self._reports: dict[str, tuple[str, frozenset[str]]] = {}  # key → (namespace, resource keys)
        self._reports_by_namespace: Counter[str] = Counter()
        self._workloads: dict[str, list[Workload]] | None = None  # coverage's workloads, rebuilt when stale
        self._memo: dict[DashboardArgs, Dashboard] = {}
        self._memo_revision = -1
        self.revision = 0  # moves on every change of any number a view shows

    def _changed(self) -> None:
        self.revision += 1

    def apply_report(self, key: str, report: object | None, at: float | None = None) -> list[OutcomeChange]:
        """Take in a report (new or changed) under a stable key, or forget it (`report` None: deleted).

        Returns the (resource, policy) outcomes that moved, for history.
        """
        at = time.time() if at is None else at
        grouped: dict[str, tuple[ResourceRef, list[Finding]]] = {}
        if isinstance(report, dict):
            last: ResourceRef | None = None
            findings: list[Finding] = []
            for ref, finding in findings_of(report):
                if ref is not last:  # results about one resource share its ResourceRef: key it once
                    findings = grouped.setdefault(ref.key, (ref, []))[1]
                    last = ref
                findings.append(finding)
        old = self._reports.pop(key, None)
        old_keys: frozenset[str] = frozenset()
        if old is not None:
            old_namespace, old_keys = old
            self._reports_by_namespace[old_namespace] -= 1
            if self._reports_by_namespace[old_namespace] <= 0:
                del self._reports_by_namespace[old_namespace]
        changed = (old is not None) != isinstance(report, dict)
        moves: list[OutcomeChange] = []
        touched = []
        for resource_key in old_keys - grouped.keys():
            entry = self._ledger.entries.get(resource_key)
            if entry is not None:
                touched.append(self._ledger.put_findings(entry.ref, key, ()))
        for ref, findings in grouped.values():
            touched.append(self._ledger.put_findings(ref, key, tuple(findings)))
        for entry in touched:
            entry_changed, entry_moves = self._ledger.refresh(entry, at)
            changed = changed or entry_changed
            moves.extend(entry_moves)
        if isinstance(report, dict):
            namespace = report_namespace(report)
            self._reports[key] = (namespace, frozenset(grouped))
            self._reports_by_namespace[namespace] += 1
        if changed:
            self._changed()
        return moves

    def report_resources(self, key: str) -> frozenset[str]:
        """The resources (`ResourceRef.key`) a held report speaks about; empty when it is not held."""
        held = self._reports.get(key)
        return held[1] if held is not None else frozenset()

    @property
    def reports(self) -> int:
        """How many reports are held."""
        return len(self._reports)

    def set_context(self, kind: str, objects: Iterable[object], at: float | None = None) -> list[OutcomeChange]:
        """Hold `objects` as every cached object of a context kind (see CONTEXT_KINDS); recompute only the
        resources whose attribution, weights or policy buckets read what changed.

        Returns the outcomes that moved (a weight appearing or vanishing makes a policy count or not).
        """
        at = time.time() if at is None else at
        ledger = self._ledger
        affected: set[str] = set()
        changed = False
        if kind in LABELLED_KINDS:
            moved = ledger.labels.replace(kind, objects)
            affected = ledger.dependents(moved)
            if moved and kind in (*WORKLOAD_KINDS, "Namespace"):
                self._workloads = None  # the coverage's workloads (or their attribution) changed
                changed = True
        elif kind in ("Environment", "EnvironmentPolicy"):
            changed, affected = self._set_weights(kind, list(objects))
        elif kind == "ClusterPolicy":
            infos = {info.name: info for info in map(policy_info_of, objects) if info is not None}
            moved_policies = {
                name
                for name in infos.keys() | ledger.policy_info.keys()
                if infos.get(name) != ledger.policy_info.get(name)
            }
            ledger.set_policy_info(infos)
            changed = bool(moved_policies)
            for policy in moved_policies:
                affected |= ledger.by_policy.get(policy, set())
        else:
            raise ValueError(f"not a compliance context kind: {kind!r} (one of {', '.join(CONTEXT_KINDS)})")
        moves: list[OutcomeChange] = []
        for resource_key in sorted(affected):
            entry = ledger.entries.get(resource_key)
            if entry is not None:
                entry_changed, entry_moves = ledger.refresh(entry, at)
                changed = changed or entry_changed
                moves.extend(entry_moves)
        if changed:
            self._changed()
        return moves

    def _set_weights(self, kind: str, objects: list[object]) -> tuple[bool, set[str]]:
        """Environments or EnvironmentPolicies changed: the resources of environments whose weights moved."""
        ledger = self._ledger
        environments = ledger.environments
        names = set(environments.environments) | ledger.environments_seen()
        before: dict[str, WeightTable | None] = {name: environments.table_for(name) for name in names}
        listed = environments.environments
        if kind == "Environment":
            environments.set_environments(objects)
        else:
            environments.set_environment_policies(objects)
        moved = {name for name in names if environments.table_for(name) != before[name]}
        affected = {key for cell in ledger.cells.values() if cell.environment in moved for key in cell.resources}
        return bool(moved) or listed != environments.environments, affected

    def _dashboard_memo(self) -> dict[DashboardArgs, Dashboard]:
        if self._memo_revision != self.revision:
            self._memo, self._memo_revision = {}, self.revision
        return self._memo

    def dashboard(
        self,
        namespaces: frozenset[str] | None,
        organization: str = "",
        environment: str = "",
        security_only: bool = False,
    ) -> Dashboard:
        """The SRE dashboard (`security_only`: the Security Lead's, over security policies only) of what the
        viewer may see: `namespaces` None is everything, cluster-scoped resources included; a set is only
        resources in those namespaces."""
        memo = self._dashboard_memo()
        args = (namespaces, organization, environment, security_only)
        cached = memo.get(args)
        if cached is not None:
            return cached
        if self._workloads is None:
            self._workloads = workloads_by_namespace(self._ledger)
        dashboard = build_dashboard(
            self._ledger,
            self._workloads,
            self._reports_by_namespace,
            namespaces,
            organization,
            environment,
            security_only,
        )
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[args] = dashboard
        return dashboard

    def policy(self, name: str, namespaces: frozenset[str] | None) -> PolicyView | None:
        """A policy's page; None when it is neither a ClusterPolicy nor named in any report."""
        return policy_view(self._ledger, name, namespaces)

    def application(self, name: str, namespaces: frozenset[str] | None, environment: str = "") -> ApplicationView:
        """An application's compliance (in one environment, or all of them when "")."""
        return application_view(self._ledger, name, namespaces, environment)

    def resource(self, ref: ResourceRef) -> ResourceView:
        """One resource's compliance tab."""
        return resource_view(self._ledger, ref)

    def resource_attribution(self, key: str) -> Attribution | None:
        """The attribution of a resource with findings (by `ResourceRef.key`); None when none speak about it."""
        entry = self._ledger.entries.get(key)
        return entry.attributed.attribution if entry is not None and entry.attributed is not None else None

    def policy_info(self, name: str) -> PolicyInfo | None:
        """What the ClusterPolicy of that name says (None when the cache holds no such ClusterPolicy)."""
        return self._ledger.policy_info.get(name)

    def environment_policy_of(self, environment: str) -> str:
        """The name of the EnvironmentPolicy that applies in an environment ("" when none does)."""
        table = self._ledger.environments.table_for(environment)
        return table.environment_policy if table is not None else ""

    def environments_sharing(self, environment_policy: str) -> list[str]:
        """The environments an EnvironmentPolicy applies to (what a mode change there also changes)."""
        ledger = self._ledger
        names = set(ledger.environments.environments) | ledger.environments_seen()
        return sorted(name for name in names if self.environment_policy_of(name) == environment_policy)

    def scope_tallies(self) -> dict[tuple[str, str], Tally]:
        """Every scope's unfiltered tally (history samples): sovereign, organizations, environments,
        applications as "<environment>/<application>", namespaces."""
        return scope_tallies(self._ledger)
