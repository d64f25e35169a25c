"""The `compliance` tab of a resource: its score and findings from the live scorecard, if the person may
read the reports of its namespace."""

from __future__ import annotations

import reflex as rx

from console.compliance.model import ResourceRef
from console.compliance.views import ResourceView
from console.kube import runtime
from console.kube.detail_service import DetailAddress
from console.kube.kinds import KindNotFound
from console.pages.compliance import views
from console.pages.compliance.following import follow_scorecard
from console.pages.compliance.summary import SummaryFields, summarize
from console.pages.compliance.viewer import ComplianceProblem
from console.state.session import SessionState
from console.state.timing import timed_event


class ResourceComplianceState(SummaryFields, rx.State):
    loading: bool = True
    problem: str = ""
    found: bool = False
    application_href: str = ""
    application: str = ""
    findings: list[dict[str, str]] = []
    _generation: int = 0

    @timed_event
    async def open(self):
        """The tab mounted: follow the scorecard for this object."""
        self._generation += 1
        self.loading, self.problem, self.found = True, "", False
        return ResourceComplianceState.follow

    def _show(self, view: ResourceView) -> None:
        self.loading, self.found = False, view.found
        outcomes = [(f.policy, f.result, f.weight or 0) for f in view.findings if f.counted]
        self._apply_summary(summarize(view.tally, outcomes, list(view.fixes), "resource"))
        attribution = view.attribution
        self.application = attribution.application
        self.application_href = (
            views.application_href_for(attribution.environment, attribution.application)
            if attribution.application
            else ""
        )
        self.findings = [
            {
                "policy": finding.policy,
                "result": finding.result,
                "tone": views.result_tone(finding.result),
                "severity": finding.severity or "—",
                "message": finding.message,
                "href": views.policy_href(finding.policy),
            }
            for finding in view.findings
        ]

    @rx.event(background=True)
    async def follow(self):
        async with self:
            generation = self._generation
            address = DetailAddress.from_path(self.router.url.path)
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        if address is None:
            return
        try:
            kind = await runtime.current().catalog.find(address.kind_id)
        except (KindNotFound, runtime.KubeUnavailable):
            async with self:
                self.loading, self.problem = False, "This kind has no compliance view."
            return
        ref = ResourceRef(kind.kind, address.namespace, address.name)
        try:
            async for viewer in follow_scorecard(client_token, cookie_header):
                if viewer is None:
                    yield SessionState.check
                    return
                allowed = viewer.namespaces is None or address.namespace in viewer.namespaces
                async with self:
                    if self._generation != generation:
                        return
                    if not allowed:
                        self.loading = False
                        self.problem = f"You may not read the policy reports of namespace {address.namespace}."
                        continue
                    self.problem = ""
                    self._show(viewer.compliance.scorecard.resource(ref))
        except ComplianceProblem as problem:
            async with self:
                self.loading, self.problem = False, str(problem)
