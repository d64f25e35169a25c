"""Keeps a Scorecard in step with the shared watch cache: reports in, context kinds in, nothing recomputed twice.

The feed holds watches (for the life of the process) of the four report resources and of the kinds the
score reads: namespaces, pods, workloads and their ReplicaSets, Environments, EnvironmentPolicies and
ClusterPolicies. Each time a watch moves, the report watches' objects are diffed by resourceVersion
against what was applied, and only new, changed and vanished reports go to the Scorecard. A resource the
cluster does not serve is simply absent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from console.compliance.model import OutcomeChange
from console.compliance.scorecard import Scorecard, collector_paused
from console.kube.api import ResourcePath
from console.kube.kind_watch import SETTLED_FAILURES
from console.kube.objects import cache_key, resource_version_of
from console.kube.watch_cache import KindWatch, WatchCache, wait_any

__all__ = [
    "CONTEXT_RESOURCES",
    "NOT_SERVED_TEXT",
    "OPENREPORTS",
    "POLICY_REPORTS",
    "REPORT_RESOURCES",
    "ComplianceFeed",
    "FeedStatus",
]

log = logging.getLogger(__name__)

NOT_SERVED_TEXT = "This cluster serves neither wgpolicyk8s.io PolicyReports nor openreports.io Reports."

POLICY_REPORTS = (
    ResourcePath("wgpolicyk8s.io", "v1alpha2", "policyreports"),
    ResourcePath("wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports"),
)
OPENREPORTS = (
    ResourcePath("openreports.io", "v1alpha1", "reports"),
    ResourcePath("openreports.io", "v1alpha1", "clusterreports"),
)
REPORT_RESOURCES = (*POLICY_REPORTS, *OPENREPORTS)
# resource → the Scorecard context kind its objects are
CONTEXT_RESOURCES: dict[ResourcePath, str] = {
    ResourcePath("", "v1", "namespaces"): "Namespace",
    ResourcePath("apps", "v1", "deployments"): "Deployment",
    ResourcePath("apps", "v1", "statefulsets"): "StatefulSet",
    ResourcePath("apps", "v1", "daemonsets"): "DaemonSet",
    ResourcePath("apps", "v1", "replicasets"): "ReplicaSet",
    ResourcePath("", "v1", "pods"): "Pod",
    ResourcePath("catalyst.openova.io", "v1alpha1", "environments"): "Environment",
    ResourcePath("catalyst.openova.io", "v1alpha1", "environmentpolicies"): "EnvironmentPolicy",
    ResourcePath("kyverno.io", "v1", "clusterpolicies"): "ClusterPolicy",
}

# loading: a served report resource is still being listed; reconnecting: one is failing or resyncing;
# not_served: the cluster serves none of the four report resources.
FeedStatus = Literal["loading", "live", "reconnecting", "not_served"]
_RECHECK_SECONDS = 30.0


def report_key(resource: ResourcePath, obj: dict[str, object]) -> str:
    """A report's stable key: `<group>/<plural>/<namespace>/<name>` (no namespace for cluster reports)."""
    return f"{resource.group}/{resource.plural}/{cache_key(obj)}"


class ComplianceFeed:
    """Applies the cache's report and context changes to a Scorecard (see the module doc)."""

    def __init__(
        self,
        cache: WatchCache,
        scorecard: Scorecard,
        on_changes: Callable[[list[OutcomeChange]], None] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache = cache
        self.scorecard = scorecard
        self._on_changes = on_changes
        self._clock = clock
        self._applied: dict[ResourcePath, dict[str, str]] = {resource: {} for resource in REPORT_RESOURCES}
        self._seen: dict[int, int] = {}  # id(watch) → the revision last processed
        self._not_served: set[ResourcePath] = set()
        self._status: FeedStatus = "loading"
        self._signal = asyncio.Event()
        self.updated_at: float | None = None  # epoch of the last change the scorecard took
        self.applied_log: deque[str] = deque(maxlen=10_000)  # report keys applied, oldest first (diagnostics)

    @property
    def status(self) -> FeedStatus:
        return self._status

    @property
    def openreports_only(self) -> bool:
        """The cluster serves openreports.io but not wgpolicyk8s.io reports (access then asks about `reports`)."""
        return set(POLICY_REPORTS) <= self._not_served and not set(OPENREPORTS) <= self._not_served

    def _watches(self) -> dict[ResourcePath, KindWatch]:
        resources = [*CONTEXT_RESOURCES, *REPORT_RESOURCES]
        self._cache.keep(resources)
        watches = {}
        for resource in resources:
            watch = self._cache.peek(resource)
            watches[resource] = watch if watch is not None else self._cache.acquire(resource)
        return watches

    async def run(self) -> None:
        """Follow the cache until cancelled."""
        watches = self._watches()
        while True:
            self.step(watches)
            await wait_any(watches.values(), self._seen, timeout=_RECHECK_SECONDS)

    def step(self, watches: dict[ResourcePath, KindWatch]) -> None:
        """Apply whatever moved since the last step: context first (so reports attribute right), then reports."""
        revision, status = self.scorecard.revision, self._status
        at = self._clock()
        moves: list[OutcomeChange] = []
        with collector_paused():
            for resource, kind in CONTEXT_RESOURCES.items():
                watch = watches[resource]
                if self._moved(watch):
                    moves.extend(self.scorecard.set_context(kind, watch.objects(), at))
            for resource in REPORT_RESOURCES:
                watch = watches[resource]
                if self._moved(watch):
                    moves.extend(self._apply_reports(resource, watch, at))
        self._status = self._status_of(watches)
        if self.scorecard.revision != revision:
            self.updated_at = at
        if moves and self._on_changes is not None:
            try:
                self._on_changes(moves)
            except Exception:  # noqa: BLE001 - history failing must not stop the scores
                log.exception("recording %d compliance outcome changes failed", len(moves))
        if self.scorecard.revision != revision or self._status != status:
            self._signal.set()
            self._signal = asyncio.Event()

    def _moved(self, watch: KindWatch) -> bool:
        if self._seen.get(id(watch)) == watch.revision:
            return False
        self._seen[id(watch)] = watch.revision
        return True

    def _apply_reports(self, resource: ResourcePath, watch: KindWatch, at: float) -> list[OutcomeChange]:
        """Apply the reports of one watch that are new, changed (by resourceVersion) or gone."""
        applied = self._applied[resource]
        current = {report_key(resource, obj): obj for obj in watch.objects()}
        moves: list[OutcomeChange] = []
        for key, obj in current.items():
            version = resource_version_of(obj)
            if version and applied.get(key) == version:
                continue
            applied[key] = version
            moves.extend(self._apply(key, obj, at))
        for key in applied.keys() - current.keys():
            del applied[key]
            moves.extend(self._apply(key, None, at))
        return moves

    def _apply(self, key: str, report: dict[str, object] | None, at: float) -> list[OutcomeChange]:
        self.applied_log.append(key)
        try:
            return self.scorecard.apply_report(key, report, at)
        except Exception:  # noqa: BLE001 - one unreadable report must not stop every other score
            log.exception("applying the compliance report %s failed; skipped", key)
            return []

    def _status_of(self, watches: dict[ResourcePath, KindWatch]) -> FeedStatus:
        for resource in REPORT_RESOURCES:
            status = watches[resource].status
            # A not-served resource goes error (404) → resyncing → error…: remembered until it is live again.
            if status.not_served:
                self._not_served.add(resource)
            elif status.state == "live":
                self._not_served.discard(resource)
        served = [watches[resource] for resource in REPORT_RESOURCES if resource not in self._not_served]
        if not served:
            return "not_served"
        if any(not watch.synced and watch.status.state not in SETTLED_FAILURES for watch in served):
            return "loading"
        if any(watch.status.state != "live" for watch in served):
            return "reconnecting"
        return "live"

    async def wait_changed(self, after_revision: int, timeout: float | None = None) -> int:
        """Wait until the scorecard's revision passes `after_revision`, the feed's status changes, or the
        timeout; return the scorecard's revision."""
        if self.scorecard.revision > after_revision:
            return self.scorecard.revision
        signal = self._signal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), timeout)
        return self.scorecard.revision
