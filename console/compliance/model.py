"""The compliance vocabulary shared by ingestion, scoring, history and the pages (compliance.md).

Pure data: no I/O, no Reflex. A score is a pooled tally (num, den), never an average of percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Result = Literal["pass", "fail", "warn", "error", "skip"]
RESULTS: tuple[Result, ...] = ("pass", "fail", "warn", "error", "skip")
Category = Literal["security", "sre", "baseline"]
CATEGORIES: tuple[Category, ...] = ("security", "sre", "baseline")
PolicyScope = Literal["stateful", "stateless", "all"]
Mode = Literal["permissive", "enforcing"]
ScopeKind = Literal["sovereign", "organization", "environment", "application", "namespace"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("sovereign", "organization", "environment", "application", "namespace")
TARGET_PERCENT = 90  # "what to fix to reach 90 %"


@dataclass(frozen=True, slots=True)
class ResourceRef:
    """The resource a verdict is about."""

    kind: str  # e.g. "Deployment"
    namespace: str  # "" for cluster-scoped resources
    name: str
    api_version: str = ""  # e.g. "apps/v1" when the report says

    @property
    def key(self) -> str:
        """`lower(kind)/namespace/name`: the spec's resource key."""
        return f"{self.kind.lower()}/{self.namespace}/{self.name}"

    @property
    def stateful(self) -> bool:
        return self.kind.lower() in ("statefulset", "persistentvolumeclaim", "daemonset")


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of one policy (rule) about one resource, as a report states it."""

    policy: str
    rule: str
    result: str  # as reported, lower-cased: pass|fail|warn|error|skip, or anything else (then ignored)
    message: str = ""
    severity: str = ""
    category: str = ""
    source: str = ""  # kyverno, kube-bench, …
    timestamp: float | None = None  # seconds since the epoch, when the report says


@dataclass(frozen=True, slots=True)
class Attribution:
    """Where a resource belongs: application, environment, organization ("" when unknown)."""

    application: str = ""
    environment: str = ""
    organization: str = ""


@dataclass(frozen=True, slots=True)
class Tally:
    """Pooled weights: num of den policy weight passing; violations = failed weighted policies."""

    num: int = 0
    den: int = 0
    violations: int = 0
    resources: int = 0  # resources with den > 0 pooled into this tally

    @property
    def total(self) -> int | None:
        """floor(num / den × 100) clamped to [0, 100]; None ("—") when den is 0 — never 0, never 100."""
        if self.den <= 0:
            return None
        return max(0, min(100, (self.num * 100) // self.den))

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.num + other.num,
            self.den + other.den,
            self.violations + other.violations,
            self.resources + other.resources,
        )

    def __sub__(self, other: Tally) -> Tally:
        return Tally(
            self.num - other.num,
            self.den - other.den,
            self.violations - other.violations,
            self.resources - other.resources,
        )


def percent_text(total: int | None) -> str:
    """ "NN%" or "—" (no score)."""
    return "—" if total is None else f"{total}%"


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """One resource's verdict on one policy moved (recorded for "why did the score move?").

    `before`/`after` are the counted results (pass|fail|warn) or "" when the policy did not count for the
    resource (no verdict, skip/error, weight scope not matching, or the resource/report is gone).
    """

    at: float  # seconds since the epoch
    resource: str  # ResourceRef.key
    namespace: str
    attribution: Attribution
    policy: str
    before: str
    after: str
    weight: int  # the weight the policy counts with for this resource (after the change, else before)
