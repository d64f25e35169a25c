"""The SRE Lead and Security Lead dashboards: one state, two variants (all policies, or security ones).

Numbers come from the process's live Scorecard over what the viewer may see; a background loop pushes
a new view whenever a report changes (at most four times a second), and the trend and its "why" come
from the stored history.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import plotly.graph_objects as go
import reflex as rx

from console.compliance.export import violations_csv
from console.compliance.model import CATEGORIES, percent_text
from console.compliance.views import Dashboard
from console.pages.compliance import views
from console.pages.compliance.charts import RESILIENCE, SECURITY, TreemapTile, score_colour, treemap_figure
from console.pages.compliance.following import follow_scorecard
from console.pages.compliance.history_views import COMPARE_CHOICES, history_view
from console.pages.compliance.viewer import ComplianceProblem, Viewer, clock_text, viewer_for
from console.state.session import SessionState
from console.state.timing import timed_event
from console.state.wakeups import wake

PAGE_SIZE = 50
# What one push carries stays small however big the Sovereign (a state delta re-sends a var whole): the
# heaviest applications and the first namespaces, with a note saying how many there are.
MAX_APPLICATIONS = 100
MAX_NAMESPACES = 200
_SORTS = {
    "weight": lambda v: (-v.weight, v.resource.key, v.policy),
    "severity": lambda v: (views.severity_rank(v.severity), -v.weight, v.resource.key),
    "resource": lambda v: (v.resource.key, v.policy),
    "namespace": lambda v: (v.resource.namespace, v.resource.key, v.policy),
    "policy": lambda v: (v.policy, v.resource.key),
    "application": lambda v: (v.attribution.application, v.resource.key, v.policy),
}


class ComplianceDashboardState(rx.State):
    """What one dashboard tab shows: small lists and two figures, recomputed from the live scorecard."""

    variant: str = "sre"  # sre | security
    loading: bool = True
    problem: str = ""  # the page cannot show compliance: why
    notice: str = ""  # e.g. the cluster serves no report API
    live_text: str = "live: connecting…"
    score_text: str = "—"
    score_colour: str = "gray"
    score_caption: str = ""
    coverage_text: str = ""
    categories: list[dict[str, str]] = []
    organization: str = ""
    environment: str = ""
    organizations: list[str] = []
    environments: list[str] = []
    applications: list[dict[str, str]] = []
    applications_note: str = ""
    namespace_rows: list[dict[str, str]] = []
    namespaces_note: str = ""
    treemap: go.Figure = go.Figure()
    trend: go.Figure = go.Figure()
    trend_empty: bool = True
    compare: str = "24h"
    why_text: str = ""
    why_rows: list[dict[str, str]] = []
    violations: list[dict[str, str]] = []
    violation_count: int = 0
    page: int = 0
    pages: int = 1
    sort_key: str = "weight"
    descending: bool = False
    _generation: int = 0
    _tile_links: list[str] = []

    @rx.var
    def title(self) -> str:
        return (
            "Security Lead — Compliance Dashboard" if self.variant == "security" else "SRE Lead — Compliance Dashboard"
        )

    @timed_event
    def open_sre(self):
        return self._open("sre")

    @timed_event
    def open_security(self):
        return self._open("security")

    def _open(self, variant: str):
        query = self.router.url.query_parameters
        self._generation += 1
        self.variant, self.loading, self.problem, self.notice = variant, True, "", ""
        self.organization, self.environment = query.get("org", ""), query.get("env", "")
        self.page, self.why_text, self.why_rows = 0, "", []
        self.live_text = "live: connecting…"
        return ComplianceDashboardState.follow

    def _filter_href(self, organization: str, environment: str) -> str:
        path = "/sec/compliance" if self.variant == "security" else "/sre/compliance"
        parts = [f"{key}={quote(value)}" for key, value in (("org", organization), ("env", environment)) if value]
        return path + ("?" + "&".join(parts) if parts else "")

    @timed_event
    def choose_organization(self, organization: str):
        self.organization = "" if organization == "all" else organization
        self.page = 0
        wake_tab(self.router.session.client_token)
        return rx.redirect(self._filter_href(self.organization, self.environment), replace=True)

    @timed_event
    def choose_environment(self, environment: str):
        self.environment = "" if environment == "all" else environment
        self.page = 0
        wake_tab(self.router.session.client_token)
        return rx.redirect(self._filter_href(self.organization, self.environment), replace=True)

    @timed_event
    def set_compare(self, choice: str):
        if choice in dict(COMPARE_CHOICES):
            self.compare = choice
            wake_tab(self.router.session.client_token)

    @timed_event
    def sort_by(self, key: str):
        if key not in _SORTS:
            return
        self.descending = not self.descending if self.sort_key == key else False
        self.sort_key, self.page = key, 0
        wake_tab(self.router.session.client_token)

    @timed_event
    def go_to_page(self, page: int):
        self.page = max(0, min(int(page), self.pages - 1))
        wake_tab(self.router.session.client_token)

    @timed_event
    def open_tile(self, points: list[dict]):
        """A click on a treemap leaf opens that application's compliance view."""
        for point in points or ():
            index = point.get("pointNumber")
            if isinstance(index, int) and 0 <= index < len(self._tile_links) and self._tile_links[index]:
                return rx.redirect(self._tile_links[index])
        return None

    @timed_event
    async def download_csv(self):
        """The violations in view (every page, this sort), as CSV."""
        viewer = await self._viewer()
        if viewer is None:
            return None
        dashboard = self._dashboard(viewer)
        name = f"violations-{self.variant}-{self.organization or 'all'}-{self.environment or 'all'}.csv"
        return rx.download(data=violations_csv(self._sorted(dashboard)), filename=name)

    async def _viewer(self) -> Viewer | None:
        try:
            return await viewer_for(self.router.headers.cookie)
        except ComplianceProblem as problem:
            self.problem = str(problem)
            return None

    def _dashboard(self, viewer: Viewer) -> Dashboard:
        return viewer.compliance.scorecard.dashboard(
            viewer.namespaces, self.organization, self.environment, security_only=self.variant == "security"
        )

    def _sorted(self, dashboard: Dashboard) -> list:
        return sorted(dashboard.violations, key=_SORTS[self.sort_key], reverse=self.descending)

    def _show(self, viewer: Viewer, dashboard: Dashboard) -> None:
        palette = SECURITY if self.variant == "security" else RESILIENCE
        feed = viewer.compliance.feed
        self.loading = feed.status == "loading" and dashboard.reports == 0
        self.notice = views.feed_notice(feed.status)
        self.live_text = views.live_text(feed.status, clock_text(feed.updated_at or time.time()))
        total = dashboard.sovereign.total
        self.score_text, self.score_colour = percent_text(total), score_colour(total, palette)
        self.score_caption = views.weight_caption(dashboard.sovereign)
        self.coverage_text = views.coverage_text(dashboard.coverage)
        self.categories = [views.category_pill(name, dashboard.categories[name], palette) for name in CATEGORIES]
        self.organizations, self.environments = list(dashboard.organizations), list(dashboard.environments)
        applications = dashboard.applications[:MAX_APPLICATIONS]
        self.applications = [views.application_row(app, palette) for app in applications]
        self.applications_note = views.capped_note(len(applications), len(dashboard.applications), "applications")
        namespaces = dashboard.namespaces[:MAX_NAMESPACES]
        self.namespace_rows = [views.namespace_row(summary, palette) for summary in namespaces]
        self.namespaces_note = views.capped_note(len(namespaces), len(dashboard.namespaces), "namespaces")
        tiles = [
            TreemapTile(app.application, app.environment, app.weight, app.tally.total, views.application_href(app))
            for app in applications
        ]
        self.treemap = treemap_figure(tiles, palette)
        # The figure's leaves come after one node per environment: the click's point number indexes this.
        environments = sorted({tile.parent or "no environment" for tile in tiles})
        self._tile_links = [""] * len(environments) + [tile.href for tile in tiles]
        violations = self._sorted(dashboard)
        self.violation_count = len(violations)
        self.pages = max(1, -(-len(violations) // PAGE_SIZE))
        self.page = min(self.page, self.pages - 1)
        start = self.page * PAGE_SIZE
        self.violations = [views.violation_row(v) for v in violations[start : start + PAGE_SIZE]]

    @rx.event(background=True)
    async def follow(self):
        """Push the dashboard whenever the scorecard moves, until the tab leaves or reopens."""
        async with self:
            generation = self._generation
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        try:
            async for viewer in follow_scorecard(client_token, cookie_header):
                if viewer is None:
                    yield SessionState.check
                    return
                async with self:
                    if self._generation != generation:
                        return
                    dashboard = self._dashboard(viewer)
                    self._show(viewer, dashboard)
                    compare, organization, environment = self.compare, self.organization, self.environment
                # History reads the database: outside the state lock, then shown if the tab still wants it.
                history = await history_view(viewer, dashboard, organization, environment, compare)
                async with self:
                    if self._generation != generation:
                        return
                    self.trend, self.trend_empty, self.why_text, self.why_rows = history
        except ComplianceProblem as problem:
            async with self:
                self.loading, self.problem, self.live_text = False, str(problem), "live: idle"


def wake_tab(client_token: str) -> None:
    """A filter, sort or page changed: the tab's follow loop redraws now, not at the next report change."""
    wake(client_token)
