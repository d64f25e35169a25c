"""Pooled sums that can be taken back: what one resource adds to its cell, and a cell's running totals.

A cell is one (namespace, application, environment, organization): every view sums cells, and a report
change subtracts a resource's old share from its cell and adds the new one (no full recompute).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.compliance.model import Category, Tally
from console.compliance.scoring import ResultCounts, Verdict, pooled, tally_of

__all__ = ["EMPTY_SHARE", "CellKey", "CellTotals", "PolicyTotals", "Share", "share_of"]

CellKey = tuple[str, str, str, str]  # (namespace, application, environment, organization)


@dataclass(frozen=True, slots=True)
class Share:
    """What one resource adds to its cell for one view (every policy, or the security ones only)."""

    tally: Tally  # pooled: zero when the resource's den is 0
    counts: ResultCounts  # its findings by reported result
    counted: int  # how many policies count for it (coverage)
    verdicts: tuple[Verdict, ...]  # its counted verdicts in this view (the per-policy sums' input)


EMPTY_SHARE = Share(Tally(), ResultCounts(), 0, ())


def share_of(verdicts: tuple[Verdict, ...], counts: ResultCounts) -> Share:
    return Share(pooled(tally_of(verdicts)), counts, len(verdicts), verdicts)


class PolicyTotals:
    """One policy's counted verdicts in a cell (kept per bucket: the bucket is part of the key)."""

    __slots__ = ("counted", "violations", "weights")

    def __init__(self) -> None:
        self.counted = 0
        self.violations = 0
        self.weights: dict[int, int] = {}  # weight → verdicts with it (a max must survive subtraction)

    @property
    def weight(self) -> int:
        return max(self.weights) if self.weights else 0


class CellTotals:
    """A cell's running sums for one view."""

    __slots__ = ("counts", "counted", "policies", "tally")

    def __init__(self) -> None:
        self.tally = Tally()
        self.counts = ResultCounts()
        self.counted = 0
        self.policies: dict[tuple[str, Category], PolicyTotals] = {}

    def add(self, share: Share) -> None:
        if share is EMPTY_SHARE:
            return
        self.tally = self.tally + share.tally
        self.counts = self.counts + share.counts
        self.counted += share.counted
        policies = self.policies
        for verdict in share.verdicts:
            key = (verdict.policy, verdict.bucket)
            totals = policies.get(key)
            if totals is None:
                totals = policies[key] = PolicyTotals()
            totals.counted += 1
            totals.violations += verdict.result == "fail"
            totals.weights[verdict.weight] = totals.weights.get(verdict.weight, 0) + 1

    def subtract(self, share: Share) -> None:
        if share is EMPTY_SHARE:
            return
        self.tally = self.tally - share.tally
        self.counts = self.counts - share.counts
        self.counted -= share.counted
        for verdict in share.verdicts:
            key = (verdict.policy, verdict.bucket)
            totals = self.policies[key]
            totals.counted -= 1
            totals.violations -= verdict.result == "fail"
            totals.weights[verdict.weight] -= 1
            if totals.weights[verdict.weight] <= 0:
                del totals.weights[verdict.weight]
            if totals.counted <= 0:
                del self.policies[key]

    @property
    def empty(self) -> bool:
        return self.tally.den == 0 and self.counted == 0 and self.counts == ResultCounts()
