"""The trend and its "why" for a dashboard, read from the stored history as the viewer may see it.

A viewer allowed everything reads the sovereign (or the filtered organization / environment) samples
and one line per application; a viewer limited to some namespaces reads the sum of those namespaces'
samples, never a scope that includes what they may not see.
"""

from __future__ import annotations

import time

import plotly.graph_objects as go

from console.compliance.history import Explanation, HistoryRecorder
from console.compliance.views import Dashboard
from console.pages.compliance.charts import TrendSeries, trend_figure
from console.pages.compliance.viewer import Viewer

COMPARE_CHOICES: tuple[tuple[str, str], ...] = (
    ("1h", "an hour ago"),
    ("24h", "yesterday"),
    ("7d", "7 days ago"),
    ("30d", "30 days ago"),
)
_SECONDS = {"1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400}
_APPLICATION_LINES = 6  # the lowest-scoring applications get a line of their own
WHY_ROWS = 20  # the heaviest reasons; the sentence above the table counts them all

HistoryView = tuple[go.Figure, bool, str, list[dict[str, str]]]


def _scope(organization: str, environment: str) -> tuple[str, str, str]:
    if environment:
        return "environment", environment, f"Environment {environment}"
    if organization:
        return "organization", organization, f"Organization {organization}"
    return "sovereign", "", "Sovereign"


def explanation_rows(explanation: Explanation | None) -> list[dict[str, str]]:
    if explanation is None:
        return []
    return [
        {
            "policy": reason.policy,
            "resource": reason.resource,
            "namespace": reason.namespace,
            "change": f"{reason.before or 'not counted'} → {reason.after or 'not counted'}",
            "weight": str(reason.weight),
            "points": f"{reason.points:+.1f}".replace("-", "−"),
        }
        for reason in explanation.reasons[:WHY_ROWS]
    ]


async def _series(
    history: HistoryRecorder,
    visible: frozenset[str] | None,
    dashboard: Dashboard,
    organization: str,
    environment: str,
    since: float,
    now: float,
) -> list[TrendSeries]:
    if visible is not None:
        points = await history.namespaces_trend(visible, since, now)
        return [TrendSeries("Your namespaces", [p.at for p in points], [p.total for p in points])]
    kind, scope_id, label = _scope(organization, environment)
    points = await history.trend(kind, scope_id, since, now)
    series = [TrendSeries(label, [p.at for p in points], [p.total for p in points])]
    worst = sorted(dashboard.applications, key=lambda app: app.tally.total if app.tally.total is not None else 101)
    for app in worst[:_APPLICATION_LINES]:
        app_points = await history.trend("application", f"{app.environment}/{app.application}", since, now)
        series.append(TrendSeries(app.application, [p.at for p in app_points], [p.total for p in app_points]))
    return series


async def history_view(
    viewer: Viewer, dashboard: Dashboard, organization: str, environment: str, compare: str, now: float | None = None
) -> HistoryView:
    """The trend figure, whether it has any point, and why the score moved since the chosen moment."""
    history = viewer.compliance.history
    moment = time.time() if now is None else now
    if history is None:
        return go.Figure(), True, "", []
    since = moment - _SECONDS.get(compare, 86400)
    # A viewer limited to some namespaces reads the pooled samples of those in view, never a wider scope.
    visible = (
        None
        if viewer.namespaces is None
        else frozenset(summary.namespace for summary in dashboard.namespaces) & viewer.namespaces
    )
    series = await _series(history, visible, dashboard, organization, environment, since, moment)
    if visible is not None:
        explanation = await history.explain("sovereign", "", since, moment, visible)
    else:
        kind, scope_id, _ = _scope(organization, environment)
        explanation = await history.explain(kind, scope_id, since, moment, None)
    empty = not any(line.times for line in series)
    return (
        trend_figure(series, (since, moment)),
        empty,
        explanation.text if explanation else "",
        explanation_rows(explanation),
    )
