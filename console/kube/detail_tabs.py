"""The resource detail page's tabs as data: which kinds each applies to, and what it follows while open.

The state offers a kind the tabs whose capability it has; the page maps each tab id to what it draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from console.kube.capabilities import Capability
from console.kube.kinds import Kind

# What the detail page follows besides the object while a tab shows: the workloads and pods around it
# (owner chain, tree), a Service's EndpointSlices, the object's Events, its metrics (polled).
Feed = Literal["related", "endpoints", "events", "metrics"]


@dataclass(frozen=True, slots=True)
class TabRule:
    id: str  # the URL's last segment, also the tab's test id suffix
    title: str  # the tab's label
    needs: Capability | None = None  # shown only for kinds with this capability; None: for every kind
    feeds: frozenset[Feed] = frozenset()


TAB_RULES: tuple[TabRule, ...] = (
    TabRule("overview", "Overview", feeds=frozenset({"related", "endpoints"})),
    TabRule("yaml", "YAML"),
    TabRule("logs", "Logs", Capability.LOGS),
    TabRule("exec", "Shell", Capability.EXEC),
    TabRule("events", "Events", feeds=frozenset({"events"})),
    TabRule("tree", "Tree", feeds=frozenset({"related"})),
    TabRule("metrics", "Metrics", Capability.METRICS, feeds=frozenset({"metrics"})),
    TabRule("reconcile", "Reconcile", Capability.RECONCILE, feeds=frozenset({"events"})),
    TabRule("compliance", "Compliance", Capability.COMPLIANCE),
)
DEFAULT_TAB = "overview"


def tabs_for(kind: Kind) -> tuple[TabRule, ...]:
    """The tabs a kind's detail page offers, in order."""
    return tuple(rule for rule in TAB_RULES if rule.needs is None or rule.needs in kind.capabilities)


def feeds_of(tab_id: str) -> frozenset[Feed]:
    """What the tab follows besides the object (nothing for an unknown tab)."""
    return next((rule.feeds for rule in TAB_RULES if rule.id == tab_id), frozenset())


__all__ = ["DEFAULT_TAB", "TAB_RULES", "Feed", "TabRule", "feeds_of", "tabs_for"]
