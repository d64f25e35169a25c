"""`/compliance/policy/<name>`: one policy over what the viewer may see, and its mode per Environment.

The mode toggle patches the Environment's EnvironmentPolicy as the person, after a confirm dialog that
shows the change; the API server decides (owners and admins may), and every attempt is audited.
"""

from __future__ import annotations

from urllib.parse import unquote

import plotly.graph_objects as go
import reflex as rx

from console.audit import AuditNotWritable
from console.audit.runtime import audit_log
from console.compliance.modes import describe_mode_change, set_mode
from console.compliance.views import PolicyView
from console.kube import runtime
from console.kube.access import AccessQuestion
from console.kube.api import KubeApiError
from console.pages.compliance import views
from console.pages.compliance.charts import failures_figure
from console.pages.compliance.following import follow_scorecard
from console.pages.compliance.viewer import ComplianceProblem, Viewer, viewer_for
from console.state.session import SessionState
from console.state.timing import timed_event

_MODES = ("permissive", "enforcing")


class CompliancePolicyState(rx.State):
    name: str = ""
    found: bool = True
    loading: bool = True
    problem: str = ""
    facts: list[dict[str, str]] = []  # label, value
    description: str = ""
    rules: list[str] = []
    violation_count: int = 0
    environments: list[dict[str, str]] = []
    failures: go.Figure = go.Figure()
    failure_rows: list[dict[str, str]] = []
    offending: list[dict[str, str]] = []
    may_change_modes: bool = False
    confirm_open: bool = False
    pending_policy: str = ""  # the EnvironmentPolicy the confirmed change patches
    pending_mode: str = ""
    pending_diff: str = ""
    result: str = ""
    result_tone: str = "muted"
    _generation: int = 0

    @timed_event
    def open_policy(self):
        self._generation += 1
        self.name = unquote(self.router.url.path.rstrip("/").rpartition("/")[2])
        self.loading, self.problem, self.result, self.confirm_open = True, "", "", False
        return CompliancePolicyState.follow

    def _show(self, view: PolicyView | None) -> None:
        self.loading = False
        self.found = view is not None
        if view is None:
            self.facts, self.environments, self.offending, self.failure_rows, self.rules = [], [], [], [], []
            return
        self.facts = [
            {"label": label, "value": value or "—"}
            for label, value in (
                ("Title", view.title),
                ("Category", view.category),
                ("Severity", view.severity),
                ("Source", view.source),
                ("Weight", "—" if view.weight is None else str(view.weight)),
                ("Scope", view.scope),
                ("Violations", str(view.violations)),
                ("Kyverno mode", view.kyverno_action),
            )
        ]
        self.description, self.rules, self.violation_count = view.description, list(view.rules), view.violations
        self.environments = [
            {
                "environment": row.environment,
                "environment_policy": row.environment_policy,
                "weight": "—" if row.weight is None else str(row.weight),
                "scope": row.scope or "—",
                "mode": row.mode if row.environment_policy else "—",
                "next_mode": "enforcing" if row.mode != "enforcing" else "permissive",
            }
            for row in view.environments
        ]
        self.failures = failures_figure(view.failures_per_environment)
        self.failure_rows = [
            {"environment": environment or "—", "count": str(count)}
            for environment, count in view.failures_per_environment
        ]
        self.offending = [views.violation_row(violation) for violation in view.offending]

    @rx.event(background=True)
    async def follow(self):
        async with self:
            generation, name = self._generation, self.name
            client_token = self.router.session.client_token
            cookie_header = self.router.headers.cookie
        try:
            async for viewer in follow_scorecard(client_token, cookie_header):
                if viewer is None:
                    yield SessionState.check
                    return
                may_change = await _may_change_modes(viewer)
                async with self:
                    if self._generation != generation:
                        return
                    self._show(viewer.compliance.scorecard.policy(name, viewer.namespaces))
                    self.may_change_modes = may_change
        except ComplianceProblem as problem:
            async with self:
                self.loading, self.problem = False, str(problem)

    @timed_event
    def ask_mode(self, environment_policy: str, mode: str):
        """The toggle: show what would change and ask to confirm (nothing is written yet)."""
        if mode not in _MODES:
            self.result, self.result_tone = f"“{mode}” is not a mode: choose permissive or enforcing.", "err"
            return
        row = next((r for r in self.environments if r["environment_policy"] == environment_policy), None)
        if row is None:
            self.result, self.result_tone = (
                f"No Environment here uses the EnvironmentPolicy “{environment_policy}”.",
                "err",
            )
            return
        sharing = [r["environment"] for r in self.environments if r["environment_policy"] == environment_policy]
        self.pending_policy, self.pending_mode = environment_policy, mode
        self.pending_diff = describe_mode_change(environment_policy, self.name, row["mode"], mode, sharing)
        self.confirm_open = True

    @timed_event
    def cancel_mode(self):
        self.confirm_open, self.pending_policy, self.pending_mode, self.pending_diff = False, "", "", ""

    @timed_event
    async def confirm_mode(self):
        """Patch the EnvironmentPolicy as the person; the API server's answer is the outcome, audited."""
        environment_policy, mode, policy = self.pending_policy, self.pending_mode, self.name
        self.confirm_open = False
        if not environment_policy or mode not in _MODES:
            self.result, self.result_tone = "Choose a mode to change first.", "err"
            return
        try:
            viewer = await viewer_for(self.router.headers.cookie)
        except ComplianceProblem as problem:
            self.result, self.result_tone = str(problem), "err"
            return
        if viewer is None:
            return SessionState.check
        target = f"environmentpolicies.catalyst.openova.io/{environment_policy}"
        detail = f"spec.compliance.modes.{policy}={mode}"
        try:
            await audit_log().ensure_writable()  # no change the audit log could not record
        except AuditNotWritable as problem:
            self.result, self.result_tone = problem.message, "err"
            return
        try:
            await set_mode(viewer.api, environment_policy, policy, mode)
        except KubeApiError as error:
            refused = error.status in (401, 403)
            await audit_log().record(
                viewer.kube_user,
                "set-compliance-mode",
                target,
                "denied" if refused else "error",
                f"{detail}: {error.message}",
            )
            self.result = ("Refused: " if refused else "Failed: ") + error.message
            self.result_tone = "err"
            return
        await audit_log().record(viewer.kube_user, "set-compliance-mode", target, "ok", detail)
        self.result, self.result_tone = f"{policy} is now {mode} in EnvironmentPolicy {environment_policy}.", "ok"
        self.pending_policy, self.pending_mode, self.pending_diff = "", "", ""


async def _may_change_modes(viewer: Viewer) -> bool:
    """Whether to offer the toggle: the person may patch EnvironmentPolicies (the API server decides anyway)."""
    question = AccessQuestion("patch", "environmentpolicies", group="catalyst.openova.io")
    return await runtime.current().reviews.allowed(viewer.api, viewer.kube_user, question)
