"""The Scorecard's state: every resource's findings and verdicts, cells of pooled sums, and the indexes that
let one change touch only the resources it concerns.

`refresh` is the one place a resource's numbers are (re)computed: it takes the resource's old share out of
its cell and puts the new one in, and says which (resource, policy) outcomes moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from console.compliance.attribution import Attributed, ContextKey, LabelIndex, attribute
from console.compliance.model import Attribution, Category, Finding, OutcomeChange, ResourceRef, Tally
from console.compliance.policies import PolicyInfo
from console.compliance.scoring import Verdict, bucket_of, category_of_findings, count_results, tally_of, verdicts_of
from console.compliance.shares import EMPTY_SHARE, CellKey, CellTotals, Share, share_of
from console.compliance.views import Violation
from console.compliance.weights import EnvironmentPolicies, WeightTable

__all__ = ["ALL", "SECURITY", "Cell", "Ledger", "ResourceEntry", "visible"]

ALL, SECURITY = 0, 1  # the two views every share and total is kept for
_VIEWS = (ALL, SECURITY)


def visible(namespace: str, namespaces: frozenset[str] | None) -> bool:
    """Whether a resource in `namespace` ("" = cluster-scoped) is within what the viewer may see."""
    return namespaces is None or (bool(namespace) and namespace in namespaces)


class ResourceEntry:
    """One resource with findings: what the reports say and what that adds up to."""

    __slots__ = (
        "attributed",
        "cell",
        "findings",
        "policies",
        "ref",
        "shares",
        "table",
        "tally",
        "verdicts",
        "violations",
    )

    def __init__(self, ref: ResourceRef) -> None:
        self.ref = ref
        self.findings: dict[str, tuple[Finding, ...]] = {}  # report key → its findings about this resource
        self.attributed: Attributed | None = None
        self.table: WeightTable | None = None
        self.verdicts: dict[str, Verdict] = {}
        self.tally = Tally()  # its own (den may be 0)
        self.shares: tuple[Share, Share] = (EMPTY_SHARE, EMPTY_SHARE)
        self.violations: tuple[tuple[Violation, ...], tuple[Violation, ...]] = ((), ())
        self.cell: CellKey | None = None
        self.policies: frozenset[str] = frozenset()  # the policies it is indexed under (any finding)

    def all_findings(self) -> list[Finding]:
        """Every finding, reports in key order: the same list whatever order the reports came in."""
        return [finding for key in sorted(self.findings) for finding in self.findings[key]]


class Cell:
    """The resources of one (namespace, application, environment, organization) and their sums per view."""

    __slots__ = ("key", "resources", "totals")

    def __init__(self, key: CellKey) -> None:
        self.key = key
        self.resources: set[str] = set()
        self.totals = (CellTotals(), CellTotals())

    @property
    def namespace(self) -> str:
        return self.key[0]

    @property
    def application(self) -> str:
        return self.key[1]

    @property
    def environment(self) -> str:
        return self.key[2]

    @property
    def organization(self) -> str:
        return self.key[3]


def _index_add(index: dict[str, set[str]] | dict[ContextKey, set[str]], key: object, value: str) -> None:
    index.setdefault(key, set()).add(value)  # type: ignore[arg-type]


def _index_remove(index: dict[str, set[str]] | dict[ContextKey, set[str]], key: object, value: str) -> None:
    members = index.get(key)  # type: ignore[call-overload]
    if members is not None:
        members.discard(value)
        if not members:
            del index[key]  # type: ignore[arg-type]


class Ledger:
    """Resources, cells and indexes (see the module doc). The Scorecard drives it; views read it."""

    def __init__(self) -> None:
        self.labels = LabelIndex()
        self.environments = EnvironmentPolicies()
        self.policy_info: dict[str, PolicyInfo] = {}
        self.entries: dict[str, ResourceEntry] = {}
        self.cells: dict[CellKey, Cell] = {}
        self.cells_by_namespace: dict[str, set[CellKey]] = {}
        self.by_policy: dict[str, set[str]] = {}  # policy → resources with any finding of it
        self.by_workload: dict[str, set[str]] = {}  # workload key → resources that are it or its pods
        self.by_dependency: dict[ContextKey, set[str]] = {}  # cached object → resources attributed from it
        self._buckets: dict[tuple[str, str], Category] = {}  # (policy, category text) → bucket

    def set_policy_info(self, infos: dict[str, PolicyInfo]) -> None:
        self.policy_info = infos
        self._buckets.clear()

    def bucket(self, policy: str, categories: dict[str, str]) -> Category:
        """A policy's bucket: the ClusterPolicy's category text, else the findings', else its name."""
        info = self.policy_info.get(policy)
        category = info.category if info is not None and info.category else categories.get(policy, "")
        key = (policy, category)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = bucket_of(policy, category)
        return bucket

    def visible_cells(self, namespaces: frozenset[str] | None) -> Iterator[Cell]:
        if namespaces is None:
            yield from self.cells.values()
            return
        for namespace in namespaces:
            for key in self.cells_by_namespace.get(namespace, ()) if namespace else ():
                yield self.cells[key]

    def entries_of(self, cells: Iterable[Cell]) -> Iterator[ResourceEntry]:
        for cell in cells:
            for key in cell.resources:
                yield self.entries[key]

    def put_findings(self, ref: ResourceRef, report: str, findings: tuple[Finding, ...]) -> ResourceEntry:
        entry = self.entries.get(ref.key)
        if entry is None:
            entry = self.entries[ref.key] = ResourceEntry(ref)
        if findings:
            entry.findings[report] = findings
        else:
            entry.findings.pop(report, None)
        return entry

    def refresh(self, entry: ResourceEntry, at: float) -> tuple[bool, list[OutcomeChange]]:
        """Recompute one resource from its findings and the context; (anything changed, outcome moves)."""
        before = (entry.verdicts, entry.shares, entry.cell, entry.violations, entry.tally)
        old_verdicts, old_attributed = entry.verdicts, entry.attributed
        self._unindex(entry)
        if not entry.findings:
            self._leave_cell(entry)
            del self.entries[entry.ref.key]
            attribution = old_attributed.attribution if old_attributed is not None else None
            return True, _moves(entry.ref, attribution, old_verdicts, {}, at)
        findings = entry.all_findings()
        attributed = entry.attributed = attribute(entry.ref, self.labels)
        attribution = attributed.attribution
        entry.table = self.environments.table_for(attribution.environment)
        categories = category_of_findings(findings)
        buckets = {policy: self.bucket(policy, categories) for policy in {finding.policy for finding in findings}}
        entry.verdicts = verdicts_of(findings, entry.table, entry.ref.stateful, buckets.__getitem__)
        entry.tally = tally_of(entry.verdicts.values())
        every = tuple(entry.verdicts.values())
        security = tuple(verdict for verdict in every if verdict.bucket == "security")
        counts, security_counts = count_results(findings, lambda finding: buckets[finding.policy] == "security")
        entry.shares = (share_of(every, counts), share_of(security, security_counts))
        violations = tuple(
            self._violation(entry.ref, verdict, attribution)
            for verdict in entry.verdicts.values()
            if verdict.result == "fail"
        )
        entry.violations = (violations, tuple(v for v in violations if buckets.get(v.policy) == "security"))
        cell = (entry.ref.namespace, attribution.application, attribution.environment, attribution.organization)
        if cell != entry.cell or entry.shares != before[1]:
            self._leave_cell(entry, before[1])
            self._join_cell(entry, cell)
        self._index(entry, findings)
        changed = before != (entry.verdicts, entry.shares, entry.cell, entry.violations, entry.tally)
        return changed or old_attributed != attributed, _moves(entry.ref, attribution, old_verdicts, entry.verdicts, at)

    def _violation(self, ref: ResourceRef, verdict: Verdict, attribution: Attribution) -> Violation:
        info = self.policy_info.get(verdict.policy)
        severity = verdict.severity or (info.severity if info is not None else "")
        return Violation(
            ref,
            verdict.policy,
            verdict.rule,
            verdict.message,
            severity,
            attribution,
            verdict.weight,
            verdict.timestamp,
        )

    def _leave_cell(self, entry: ResourceEntry, shares: tuple[Share, Share] | None = None) -> None:
        if entry.cell is None:
            return
        cell = self.cells[entry.cell]
        for view, share in zip(_VIEWS, shares or entry.shares, strict=True):
            cell.totals[view].subtract(share)
        cell.resources.discard(entry.ref.key)
        if not cell.resources:
            del self.cells[cell.key]
            keys = self.cells_by_namespace.get(cell.namespace)
            if keys is not None:
                keys.discard(cell.key)
                if not keys:
                    del self.cells_by_namespace[cell.namespace]
        entry.cell = None

    def _join_cell(self, entry: ResourceEntry, key: CellKey) -> None:
        cell = self.cells.get(key)
        if cell is None:
            cell = self.cells[key] = Cell(key)
            self.cells_by_namespace.setdefault(key[0], set()).add(key)
        for view, share in zip(_VIEWS, entry.shares, strict=True):
            cell.totals[view].add(share)
        cell.resources.add(entry.ref.key)
        entry.cell = key

    def _index(self, entry: ResourceEntry, findings: list[Finding]) -> None:
        key = entry.ref.key
        entry.policies = frozenset(finding.policy for finding in findings)
        for policy in entry.policies:
            _index_add(self.by_policy, policy, key)
        if entry.attributed is not None:
            if entry.attributed.workload:
                _index_add(self.by_workload, entry.attributed.workload, key)
            for dependency in entry.attributed.depends_on:
                _index_add(self.by_dependency, dependency, key)

    def _unindex(self, entry: ResourceEntry) -> None:
        key = entry.ref.key
        for policy in entry.policies:
            _index_remove(self.by_policy, policy, key)
        entry.policies = frozenset()
        if entry.attributed is not None:
            if entry.attributed.workload:
                _index_remove(self.by_workload, entry.attributed.workload, key)
            for dependency in entry.attributed.depends_on:
                _index_remove(self.by_dependency, dependency, key)

    def dependents(self, keys: Iterable[ContextKey]) -> set[str]:
        """Resources attributed from any of these cached objects."""
        found: set[str] = set()
        for key in keys:
            found |= self.by_dependency.get(key, set())
        return found

    def environments_seen(self) -> set[str]:
        return {cell.environment for cell in self.cells.values() if cell.environment}


def _moves(
    ref: ResourceRef,
    attribution: Attribution | None,
    before: dict[str, Verdict],
    after: dict[str, Verdict],
    at: float,
) -> list[OutcomeChange]:
    """The (resource, policy) outcomes that moved between two verdict sets."""
    who = attribution if attribution is not None else Attribution()
    key, namespace = ref.key, ref.namespace
    moves = []
    for policy in sorted(before.keys() | after.keys()) if before else sorted(after):
        old, new = before.get(policy), after.get(policy)
        old_result, new_result = old.result if old else "", new.result if new else ""
        if old_result != new_result:
            weight = new.weight if new is not None else old.weight if old is not None else 0
            moves.append(OutcomeChange(at, key, namespace, who, policy, old_result, new_result, weight))
    return moves
