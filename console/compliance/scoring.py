"""The score, exactly as compliance.md defines it: per-resource verdicts, pooled tallies, categories, fixes.

Pure functions over findings and weights; the Scorecard keeps their results up to date incrementally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from console.compliance.model import TARGET_PERCENT, Category, Finding, Tally
from console.compliance.weights import WeightTable, counting_weight

__all__ = [
    "COUNTED_RESULTS",
    "SECURITY_CATEGORY_WORDS",
    "SECURITY_NAME_WORDS",
    "SEVERITY_RANK",
    "SRE_CATEGORY_WORDS",
    "SRE_NAME_WORDS",
    "CategoryScore",
    "Fix",
    "ResultCounts",
    "Verdict",
    "bucket_of",
    "category_of_findings",
    "category_scores",
    "count_results",
    "fixes_to_target",
    "gain",
    "pooled",
    "tally_of",
    "verdicts_of",
]

# Bucketing by the policy's category text (lower-cased, substring match), security first.
SECURITY_CATEGORY_WORDS = ("security", "pod security", "rbac")
SRE_CATEGORY_WORDS = ("reliab", "availab", "slo", "sre", "best practice")
# Without a category, by the policy's name.
SECURITY_NAME_WORDS = ("privileg", "host-network", "host-path", "non-root", "capabilities", "selinux", "rbac", "rootfs")
SRE_NAME_WORDS = ("resources", "pdb", "limit", "probe", "replicas")

# The results that count, worst first: when several rules of one policy speak about one resource, the
# worst counted result is the policy's verdict (a policy counts once per resource).
COUNTED_RESULTS = ("fail", "warn", "pass")
_RANK = {result: rank for rank, result in enumerate(COUNTED_RESULTS)}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def bucket_of(policy: str, category: str) -> Category:
    """security / sre / baseline from the category text, else from the policy name (compliance.md lists)."""
    text = category.lower()
    if text:
        if any(word in text for word in SECURITY_CATEGORY_WORDS):
            return "security"
        if any(word in text for word in SRE_CATEGORY_WORDS):
            return "sre"
        return "baseline"
    name = policy.lower()
    if any(word in name for word in SECURITY_NAME_WORDS):
        return "security"
    if any(word in name for word in SRE_NAME_WORDS):
        return "sre"
    return "baseline"


def category_of_findings(findings: Iterable[Finding]) -> dict[str, str]:
    """policy → the first non-empty category text its findings carry (in the order given)."""
    categories: dict[str, str] = {}
    for finding in findings:
        if finding.category and finding.policy not in categories:
            categories[finding.policy] = finding.category
    return categories


class Verdict(NamedTuple):
    """One policy's counted result for one resource.

    A tuple of plain values on purpose: there is one per (resource, policy), and the cyclic garbage
    collector stops tracking tuples of atomic values, so 100,000 verdicts cost no collection time.
    """

    policy: str
    result: str  # pass | fail | warn
    weight: int
    bucket: Category
    rule: str  # of the finding that decided it (the first one with that result)
    message: str
    severity: str
    timestamp: float | None


def verdicts_of(
    findings: Iterable[Finding],
    table: WeightTable | None,
    stateful: bool,
    bucket: Callable[[str], Category],
) -> dict[str, Verdict]:
    """The counted verdict of each policy for one resource.

    Ignored: policies the weights do not count (absent from an applicable EnvironmentPolicy, or scope
    stateful/stateless not matching the resource), and results other than pass/fail/warn (skip, na, error,
    none, unknown). Several counted results of one policy: the worst (fail > warn > pass) decides.
    """
    verdicts: dict[str, Verdict] = {}
    weights: dict[str, int | None] = {}
    for finding in findings:
        rank = _RANK.get(finding.result)
        if rank is None:
            continue
        policy = finding.policy
        if policy in weights:
            weight = weights[policy]
        else:
            weight = weights[policy] = counting_weight(table, policy, stateful)
        if weight is None:
            continue
        held = verdicts.get(policy)
        if held is None or rank < _RANK[held.result]:
            verdicts[policy] = Verdict(
                policy,
                finding.result,
                weight,
                bucket(policy),
                finding.rule,
                finding.message,
                finding.severity,
                finding.timestamp,
            )
    return verdicts


def tally_of(verdicts: Iterable[Verdict]) -> Tally:
    """One resource's tally: pass adds w to num and den, fail and warn add w to den, fail is a violation."""
    num = den = violations = 0
    for verdict in verdicts:
        den += verdict.weight
        if verdict.result == "pass":
            num += verdict.weight
        elif verdict.result == "fail":
            violations += 1
    return Tally(num, den, violations, 1 if den > 0 else 0)


_NOTHING = Tally()


def pooled(tally: Tally) -> Tally:
    """What a resource adds to a rollup: its tally, or nothing when its den is 0 (it has no score)."""
    return tally if tally.den > 0 else _NOTHING


@dataclass(frozen=True, slots=True)
class CategoryScore:
    score: int | None  # floor(num × 100 / den); None when no policy of the bucket counted
    num: int
    den: int
    policy_count: int


def category_scores(policies: Iterable[tuple[Category, int, int]]) -> dict[Category, CategoryScore]:
    """Per bucket over its policies given as (bucket, weight, violations): w = max(weight, 1) adds to den,
    and to num only when the policy has no violations in scope."""
    sums: dict[Category, list[int]] = {"security": [0, 0, 0], "sre": [0, 0, 0], "baseline": [0, 0, 0]}
    for bucket, weight, violations in policies:
        w = max(weight, 1)
        totals = sums[bucket]
        totals[1] += w
        totals[0] += w if violations == 0 else 0
        totals[2] += 1
    return {
        bucket: CategoryScore((num * 100) // den if den else None, num, den, count)
        for bucket, (num, den, count) in sums.items()
    }


@dataclass(frozen=True, slots=True)
class Fix:
    policy: str
    gain: float  # points the score gains when the policy passes everywhere it does not (1 decimal)


def gain(weight: int, den: int) -> float:
    """weight / den × 100 to one decimal, halves rounded up (as the seed UI's toFixed(1) shows it)."""
    if den <= 0:
        return 0.0
    tenths = (weight * 2000 + den) // (2 * den)
    return tenths / 10


def fixes_to_target(tally: Tally, not_passing: Mapping[str, int]) -> list[Fix]:
    """ "What to fix to reach 90 %": each non-passing policy (fail or warn) with its gain, largest first.

    `not_passing` maps each such policy to the weight it does not earn (summed over the resources where it
    fails or warns). Empty when the score is already at or above the target, or there is no score.
    """
    total = tally.total
    if total is None or total >= TARGET_PERCENT:
        return []
    fixes = [Fix(policy, gain(weight, tally.den)) for policy, weight in not_passing.items()]
    fixes.sort(key=lambda fix: (-fix.gain, fix.policy))
    return fixes


@dataclass(frozen=True, slots=True)
class ResultCounts:
    """Findings by reported result, whatever their weight (as a report's summary counts them)."""

    passed: int = 0
    warned: int = 0
    failed: int = 0
    skipped: int = 0
    errored: int = 0

    def __add__(self, other: ResultCounts) -> ResultCounts:
        return ResultCounts(
            self.passed + other.passed,
            self.warned + other.warned,
            self.failed + other.failed,
            self.skipped + other.skipped,
            self.errored + other.errored,
        )

    def __sub__(self, other: ResultCounts) -> ResultCounts:
        return ResultCounts(
            self.passed - other.passed,
            self.warned - other.warned,
            self.failed - other.failed,
            self.skipped - other.skipped,
            self.errored - other.errored,
        )


_COUNT_INDEX = {"pass": 0, "warn": 1, "fail": 2, "skip": 3, "error": 4}


def count_results(
    findings: Iterable[Finding], also: Callable[[Finding], bool] | None = None
) -> tuple[ResultCounts, ResultCounts]:
    """Findings by reported result: all of them, and those `also` selects (one pass for both)."""
    counts, selected = [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]
    for finding in findings:
        index = _COUNT_INDEX.get(finding.result)
        if index is not None:
            counts[index] += 1
            if also is not None and also(finding):
                selected[index] += 1
    return ResultCounts(*counts), ResultCounts(*selected)
