"""Compliance numbers as the pages print them: rows of text, colours and links (no Reflex here).

Every figure the dashboards draw is also one of these rows, so it can be read, copied and exported.
"""

from __future__ import annotations

from urllib.parse import quote

from console.compliance.feed import NOT_SERVED_TEXT
from console.compliance.model import ResourceRef, Tally, percent_text
from console.compliance.scoring import CategoryScore
from console.compliance.views import ApplicationScore, Coverage, NamespaceSummary, Violation
from console.kube.registry import object_href
from console.pages.compliance.charts import Palette, score_colour

NOT_SERVED = NOT_SERVED_TEXT + " There is nothing to score."
CATEGORY_LABELS = {"security": "Security", "sre": "SRE", "baseline": "Baseline"}
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_RESULT_TONES = {"pass": "ok", "fail": "err", "warn": "warn", "error": "err", "skip": "muted"}


def severity_rank(severity: str) -> int:
    return _SEVERITY_RANK.get(severity.lower(), 5)


def result_tone(result: str) -> str:
    return _RESULT_TONES.get(result, "muted")


def feed_notice(status: str) -> str:
    return NOT_SERVED if status == "not_served" else ""


def live_text(status: str, clock: str) -> str:
    """The live indicator, in the seed console's words."""
    if status == "loading":
        return "live: connecting…"
    if status in ("error", "reconnecting"):
        return "live: reconnecting…"
    if status == "not_served":
        return "live: idle"
    return f"live: {clock}"


def weight_caption(tally: Tally) -> str:
    if tally.den <= 0:
        return "No policies have evaluated this scope yet."
    return f"{tally.num} of {tally.den} policy weight passing."


def coverage_text(coverage: Coverage) -> str:
    noun = "workload" if coverage.workloads == 1 else "workloads"
    return f"{coverage.evaluated} of {coverage.workloads} {noun} evaluated"


def category_pill(name: str, score: CategoryScore, palette: Palette) -> dict[str, str]:
    text = "No data yet" if score.score is None else f"{score.score}%"
    return {
        "id": name,
        "label": CATEGORY_LABELS.get(name, name),
        "text": text,
        "colour": score_colour(score.score, palette),
        "detail": f"{score.policy_count} policies" if score.den else "",
    }


def application_href_for(environment: str, application: str) -> str:
    return f"/compliance/application/{quote(environment or '_', safe='')}/{quote(application, safe='')}"


def application_href(app: ApplicationScore) -> str:
    return application_href_for(app.environment, app.application)


def application_row(app: ApplicationScore, palette: Palette) -> dict[str, str]:
    return {
        "application": app.application,
        "environment": app.environment or "—",
        "organization": app.organization or "—",
        "score": percent_text(app.tally.total),
        "colour": score_colour(app.tally.total, palette),
        "weight": f"{app.tally.num} / {app.tally.den}",
        "violations": str(app.tally.violations),
        "href": application_href(app),
    }


def namespace_row(summary: NamespaceSummary, palette: Palette) -> dict[str, str]:
    return {
        "namespace": summary.namespace or "(cluster-scoped)",
        "pass": str(summary.passed),
        "warn": str(summary.warned),
        "fail": str(summary.failed),
        "skip": str(summary.skipped),
        "error": str(summary.errored),
        "score": percent_text(summary.tally.total),
        "colour": score_colour(summary.tally.total, palette),
    }


def resource_href(ref: ResourceRef) -> str:
    """The resource's detail page ("" when the console has no plain kind for it)."""
    return object_href(ref.kind, ref.api_version, ref.namespace, ref.name)


def policy_href(policy: str) -> str:
    return f"/compliance/policy/{quote(policy, safe='')}"


def violation_row(violation: Violation) -> dict[str, str]:
    ref = violation.resource
    return {
        "resource": f"{ref.kind}/{ref.name}",
        "namespace": ref.namespace or "—",
        "policy": violation.policy,
        "rule": violation.rule,
        "severity": violation.severity or "—",
        "weight": str(violation.weight),
        "application": violation.attribution.application or "—",
        "environment": violation.attribution.environment or "—",
        "message": violation.message,
        "href": resource_href(ref),
        "policy_href": policy_href(violation.policy),
    }


def capped_note(shown: int, total: int, noun: str) -> str:
    """Says that a table shows only part of what there is ("" when it shows everything)."""
    return (
        ""
        if shown >= total
        else f"Showing {shown:,} of {total:,} {noun}; filter by organization or environment to see the rest."
    )
