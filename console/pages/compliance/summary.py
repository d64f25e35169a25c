"""One application's or one resource's compliance, as the application view and the resource's
`compliance` tab both show it: the score hero, the weight passing, per-policy outcomes, what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from console.compliance.model import TARGET_PERCENT, Tally, percent_text
from console.compliance.scoring import Fix
from console.pages.compliance import views
from console.pages.compliance.charts import RESILIENCE, score_colour
from console.pages.compliance.components import result_pill, score_pill


@dataclass(slots=True)
class SummaryView:
    """Plain values a state copies onto its vars (see `summary_vars`)."""

    score_text: str = "—"
    score_colour: str = "rgba(125,125,125,0.45)"
    caption: str = ""
    gap_text: str = ""
    outcomes: list[dict[str, str]] = field(default_factory=list)
    fixes: list[dict[str, str]] = field(default_factory=list)
    fix_text: str = ""
    violations_text: str = ""


def summarize(tally: Tally, outcomes: list[tuple[str, str, int]], fixes: list[Fix], subject: str) -> SummaryView:
    """`outcomes`: (policy, result, weight); `subject`: "application" or "resource" (for the wording)."""
    total = tally.total
    view = SummaryView(score_text=percent_text(total), score_colour=score_colour(total, RESILIENCE))
    if tally.den <= 0:
        view.caption = f"No policies have evaluated this {subject} yet."
    else:
        view.caption = f"{tally.num} of {tally.den} policy weight passing."
        if total is not None and total < TARGET_PERCENT:
            view.gap_text = f"{TARGET_PERCENT - total} points to reach {TARGET_PERCENT}%."
    view.outcomes = [
        {
            "policy": policy,
            "result": result,
            "tone": views.result_tone(result),
            "weight": str(weight),
            "href": views.policy_href(policy),
        }
        for policy, result, weight in outcomes
    ]
    view.fixes = [
        {"policy": fix.policy, "gain": f"+{fix.gain:.1f}", "href": views.policy_href(fix.policy)} for fix in fixes
    ]
    if tally.den > 0 and not fixes:
        view.fix_text = f"Already at or above {TARGET_PERCENT}%. Nothing to fix."
    elif tally.den <= 0:
        view.fix_text = f"Nothing to fix yet: no policy has evaluated this {subject}."
    count = tally.violations
    if count:
        noun = "Violation" if count == 1 else "Violations"
        view.violations_text = (
            f"{count} active {noun} — each Violation reduces the Compliance Score for this {subject.title()}."
        )
    return view


def summary_panel(state: type[rx.State], test_prefix: str = "summary") -> rx.Component:
    """Draws a state that has the SummaryView fields as vars."""
    return rx.vstack(
        rx.hstack(
            score_pill(state.score_text, state.score_colour, test_id="compliance-score", size="80px"),
            rx.vstack(
                rx.text(state.caption, size="2", data_testid="compliance-caption"),
                rx.text(state.gap_text, size="2", color_scheme="gray", data_testid="compliance-gap"),
                rx.text(state.violations_text, size="2", color_scheme="red", data_testid="compliance-violations"),
                gap="1",
                align="start",
            ),
            align="center",
            gap="4",
        ),
        rx.heading("Per-policy outcome", size="3"),
        rx.cond(
            state.outcomes.length() > 0,
            rx.hstack(
                rx.foreach(
                    state.outcomes,
                    lambda row: rx.link(
                        rx.hstack(
                            rx.text(row["policy"], size="2"),
                            result_pill(row["result"], row["tone"]),
                            align="center",
                            gap="1",
                        ),
                        href=row["href"],
                        underline="none",
                        data_testid="policy-outcome",
                        data_result=row["result"],
                        title="weight " + row["weight"],
                    ),
                ),
                gap="3",
                wrap="wrap",
            ),
            rx.text("No policy results.", size="2", color_scheme="gray"),
        ),
        rx.heading(f"What would I need to fix to reach {TARGET_PERCENT}%", size="3"),
        rx.cond(
            state.fixes.length() > 0,
            rx.vstack(
                rx.foreach(
                    state.fixes,
                    lambda fix: rx.hstack(
                        rx.badge(fix["gain"], color_scheme="green", variant="soft", data_testid="fix-gain"),
                        rx.link(fix["policy"], href=fix["href"], data_testid="fix-policy"),
                        align="center",
                        gap="2",
                        data_testid="fix-row",
                    ),
                ),
                gap="1",
                align="start",
            ),
            rx.text(state.fix_text, size="2", color_scheme="gray", data_testid="fix-done"),
        ),
        width="100%",
        align="start",
        gap="3",
        data_testid=f"{test_prefix}-panel",
    )


class SummaryFields(rx.State, mixin=True):
    """The vars `summary_panel` draws, shared by the application view and the resource's tab."""

    score_text: str = "—"
    score_colour: str = "rgba(125,125,125,0.45)"
    caption: str = ""
    gap_text: str = ""
    outcomes: list[dict[str, str]] = []
    fixes: list[dict[str, str]] = []
    fix_text: str = ""
    violations_text: str = ""

    def _apply_summary(self, view: SummaryView) -> None:
        self.score_text, self.score_colour, self.caption, self.gap_text = (
            view.score_text,
            view.score_colour,
            view.caption,
            view.gap_text,
        )
        self.outcomes, self.fixes, self.fix_text, self.violations_text = (
            view.outcomes,
            view.fixes,
            view.fix_text,
            view.violations_text,
        )
