"""Gauges and counters read from the running console at scrape time (watch cache, sessions, reconciler)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from console.kube import runtime as kube_runtime
from console.kube.kind_watch import CacheState
from console.observability.activity import SessionActivity, activity
from console.observability.counters import REGISTRY
from console.rbac import runtime as rbac_runtime

__all__ = ["ConsoleCollector", "install"]

WATCH_STATES: tuple[CacheState, ...] = ("connecting", "loading", "live", "resyncing", "error", "unreachable")


class ConsoleCollector(Collector):
    """Reads the process's watch cache, session activity and reconciler stats when Prometheus scrapes."""

    def __init__(self, sessions: SessionActivity) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        yield from self._watches()
        sessions = GaugeMetricFamily(
            "console_active_sessions", "Browser sessions seen (cookie on a request, or an open socket) in 15 min."
        )
        sessions.add_metric([], self._sessions.count())
        yield sessions
        yield from self._reconciler()

    @staticmethod
    def _watches() -> Iterator[Metric]:
        state = GaugeMetricFamily(
            "console_watch_state",
            "1 for the state each watched kind is in, 0 for the others.",
            labels=["resource", "state"],
        )
        events = CounterMetricFamily(
            "console_watch_events",
            "Object changes (added, modified, deleted) a kind's watch applied.",
            labels=["resource"],
        )
        relists = CounterMetricFamily("console_watch_relists", "Full lists a kind's watch made.", labels=["resource"])
        try:
            cache = kube_runtime.current().cache
        except kube_runtime.KubeUnavailable:
            cache = None
        if cache is not None:
            for resource in cache.running():
                watch = cache.peek(resource)
                if watch is None:
                    continue
                name = resource.collection()
                for candidate in WATCH_STATES:
                    state.add_metric([name, candidate], 1.0 if watch.status.state == candidate else 0.0)
                events.add_metric([name], watch.change_count)
                relists.add_metric([name], watch.relists)
        yield from (state, events, relists)

    @staticmethod
    def _reconciler() -> Iterator[Metric]:
        passes = CounterMetricFamily("console_reconciler_passes", "Grant reconciliations made by this process.")
        failures = CounterMetricFamily(
            "console_reconciler_failures", "Grant reconciliations that failed and were queued again."
        )
        writes = CounterMetricFamily(
            "console_reconciler_writes", "Writes the grant reconciler made (bindings, status)."
        )
        leading = GaugeMetricFamily("console_reconciler_leading", "1 while this process holds the reconciler's Lease.")
        try:
            runtime = rbac_runtime.current()
        except rbac_runtime.RbacUnavailable:
            runtime = None
        if runtime is not None and runtime.reconciler is not None:
            stats = runtime.reconciler.stats
            passes.add_metric([], stats.passes)
            failures.add_metric([], stats.failures)
            writes.add_metric([], stats.writes)
            leading.add_metric([], 1.0 if runtime.reconciler_leading() else 0.0)
        yield from (passes, failures, writes, leading)


_installed: ConsoleCollector | None = None


def install() -> None:
    """Register the collector on the console's registry (once per process)."""
    global _installed
    if _installed is None:
        _installed = ConsoleCollector(activity)
        REGISTRY.register(_installed)
