"""`/compliance/application/<environment>/<application>`: one application's score over what the viewer
may see, its per-policy outcomes, what to fix to reach 90 %, and its failing results."""

from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from console.compliance.views import ApplicationView
from console.pages.compliance import views
from console.pages.compliance.following import follow_scorecard
from console.pages.compliance.summary import SummaryFields, summarize
from console.pages.compliance.viewer import ComplianceProblem
from console.state.session import SessionState
from console.state.timing import timed_event


class ComplianceApplicationState(SummaryFields, rx.State):
    application: str = ""
    environment: str = ""
    loading: bool = True
    problem: str = ""
    violations: list[dict[str, str]] = []
    _generation: int = 0

    @timed_event
    def open_application(self):
        self._generation += 1
        parts = [unquote(part) for part in self.router.url.path.strip("/").split("/")]
        environment, application = (parts[-2], parts[-1]) if len(parts) >= 4 else ("_", "")
        self.environment = "" if environment == "_" else environment
        self.application, self.loading, self.problem = application, True, ""
        return ComplianceApplicationState.follow

    def _show(self, view: ApplicationView) -> None:
        self.loading = False
        outcomes = [(outcome.policy, outcome.result, outcome.weight) for outcome in view.outcomes]
        self._apply_summary(summarize(view.tally, outcomes, list(view.fixes), "application"))
        self.violations = [views.violation_row(violation) for violation in view.failing_results]

    @rx.event(background=True)
    async def follow(self):
        async with self:
            generation, application, environment = self._generation, self.application, self.environment
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        try:
            async for viewer in follow_scorecard(client_token, cookie_header):
                if viewer is None:
                    yield SessionState.check
                    return
                view = viewer.compliance.scorecard.application(application, viewer.namespaces, environment)
                async with self:
                    if self._generation != generation:
                        return
                    self._show(view)
        except ComplianceProblem as problem:
            async with self:
                self.loading, self.problem = False, str(problem)
