"""What the compliance pages show, as frozen dataclasses built by the Scorecard (lists already sorted).

Callers share these objects (a dashboard is memoised per revision): read them, never mutate their lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.compliance.model import Attribution, ResourceRef, Tally
from console.compliance.scoring import CategoryScore, Fix

__all__ = [
    "ApplicationScore",
    "ApplicationView",
    "Coverage",
    "Dashboard",
    "NamespaceSummary",
    "PolicyEnvironment",
    "PolicyOutcome",
    "PolicySummary",
    "PolicyView",
    "ResourceFinding",
    "ResourceView",
    "Violation",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """A counted `fail`: one policy failing on one resource (a policy with several failing rules: the first)."""

    resource: ResourceRef
    policy: str
    rule: str
    message: str
    severity: str  # the result's, else the ClusterPolicy's; "" when neither says
    attribution: Attribution
    weight: int
    timestamp: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Workloads (Deployments, StatefulSets, DaemonSets) in scope, and how many of them are evaluated.

    A workload is evaluated when at least one policy counts for it or for one of its pods (a pass, warn or
    fail of a weighted policy whose scope matches; weight 0 included): "412 of 530 workloads evaluated".
    """

    evaluated: int
    workloads: int


@dataclass(frozen=True, slots=True)
class ApplicationScore:
    application: str
    environment: str
    organization: str
    tally: Tally
    weight: int  # the pooled den: the treemap's tile size


@dataclass(frozen=True, slots=True)
class NamespaceSummary:
    """A namespace's findings by reported result (whatever their weight) and its pooled score."""

    namespace: str  # "" for cluster-scoped resources
    passed: int
    warned: int
    failed: int
    skipped: int
    errored: int
    tally: Tally


@dataclass(frozen=True, slots=True)
class PolicySummary:
    name: str
    title: str
    bucket: str  # security | sre | baseline
    severity: str
    violations: int  # counted fails in scope
    weight: int  # the largest weight it counts with in scope


@dataclass(frozen=True, slots=True)
class Dashboard:
    sovereign: Tally
    categories: dict[str, CategoryScore]  # security, sre, baseline
    coverage: Coverage
    applications: list[ApplicationScore]  # den > 0 only, largest first
    namespaces: list[NamespaceSummary]  # by name
    organizations: list[str]  # filter chips: every organization visible
    environments: list[str]  # filter chips: every environment visible (within the chosen organization)
    violations: list[Violation]  # heaviest first
    policies: list[PolicySummary]  # most violations first
    reports: int  # reports held whose namespace is visible (cluster reports only when everything is)


@dataclass(frozen=True, slots=True)
class PolicyEnvironment:
    """How one Environment weighs a policy, and its mode there (the toggle)."""

    environment: str
    environment_policy: str  # the EnvironmentPolicy that applies, "" when none does
    weight: int | None  # None: the policy does not count in this environment
    scope: str  # stateful | stateless | all, "" when it does not count
    mode: str  # permissive | enforcing


@dataclass(frozen=True, slots=True)
class PolicyView:
    name: str
    title: str
    category: str
    bucket: str
    severity: str
    source: str
    description: str
    kyverno_action: str  # "Audit", "Enforce" or ""
    rules: list[str]
    weight: int | None  # the largest weight over the environments where it counts
    scope: str  # the scope where it counts ("mixed" when environments differ)
    environments: list[PolicyEnvironment]
    failures_per_environment: list[tuple[str, int]]
    offending: list[Violation]
    violations: int


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    policy: str
    result: str  # worst across the application's resources: fail > warn > pass; skip when only skipped
    weight: int
    failing_resources: int


@dataclass(frozen=True, slots=True)
class ApplicationView:
    application: str
    environment: str  # "" for every environment
    tally: Tally
    outcomes: list[PolicyOutcome]  # failing first
    fixes: list[Fix]  # "what to fix to reach 90 %"
    violations: int
    failing_results: list[Violation]  # the application's counted fails, heaviest first


@dataclass(frozen=True, slots=True)
class ResourceFinding:
    policy: str
    rule: str
    result: str
    message: str
    severity: str
    category: str
    title: str
    source: str
    bucket: str
    weight: int | None  # None: the policy does not count for this resource
    counted: bool  # pass/fail/warn of a policy that counts
    timestamp: float | None


@dataclass(frozen=True, slots=True)
class ResourceView:
    resource: ResourceRef
    found: bool  # any report speaks about it ("no policies have evaluated this resource yet" otherwise)
    tally: Tally
    attribution: Attribution
    findings: list[ResourceFinding]  # failing first
    fixes: list[Fix]
