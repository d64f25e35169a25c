"""The spec's rules (compliance.md "The score (exact)") as small hand-computed examples."""

from __future__ import annotations

import pytest

from console.compliance.model import Finding, Tally, percent_text
from console.compliance.scoring import (
    bucket_of,
    category_scores,
    count_results,
    fixes_to_target,
    gain,
    pooled,
    tally_of,
    verdicts_of,
)
from console.compliance.weights import PolicyWeight, WeightTable


def _findings(*pairs: tuple[str, str]) -> list[Finding]:
    return [Finding(policy, policy, result) for policy, result in pairs]


def _weights(**weights: tuple[int, str]) -> WeightTable:
    return WeightTable(
        "production", {name.replace("_", "-"): PolicyWeight(w, scope) for name, (w, scope) in weights.items()}
    )  # type: ignore[arg-type]


def _score(findings: list[Finding], table: WeightTable | None, stateful: bool = False) -> Tally:
    return tally_of(verdicts_of(findings, table, stateful, lambda policy: "baseline").values())


def test_pass_fail_warn_add_up_as_the_spec_says():
    table = _weights(a=(5, "all"), b=(10, "all"), c=(3, "all"))
    tally = _score(_findings(("a", "pass"), ("b", "fail"), ("c", "warn")), table)
    # pass: num += 5, den += 5; fail: den += 10, one violation; warn: den += 3, not a violation
    assert tally == Tally(num=5, den=18, violations=1, resources=1)
    assert tally.total == 27  # floor(5 / 18 × 100) = floor(27.7)


@pytest.mark.parametrize("ignored", ["skip", "na", "error", "", "unknown", "PASSED"])
def test_results_other_than_pass_fail_warn_are_ignored(ignored: str):
    table = _weights(a=(5, "all"), b=(10, "all"))
    assert _score(_findings(("a", "pass"), ("b", ignored)), table) == Tally(5, 5, 0, 1)


def test_scope_stateful_counts_only_on_stateful_resources_and_stateless_only_on_stateless():
    table = _weights(state=(10, "stateful"), less=(20, "stateless"), every=(5, "all"))
    findings = _findings(("state", "pass"), ("less", "pass"), ("every", "fail"))
    assert _score(findings, table, stateful=False) == Tally(num=20, den=25, violations=1, resources=1)
    assert _score(findings, table, stateful=True) == Tally(num=10, den=15, violations=1, resources=1)


def test_the_stateful_kinds_are_statefulset_pvc_and_daemonset():
    from console.compliance.model import ResourceRef

    stateful = {kind for kind in ("StatefulSet", "PersistentVolumeClaim", "DaemonSet", "Deployment", "Pod")}
    assert {kind for kind in stateful if ResourceRef(kind, "ns", "x").stateful} == {
        "StatefulSet",
        "PersistentVolumeClaim",
        "DaemonSet",
    }


def test_without_an_environment_policy_every_observed_policy_weighs_one():
    tally = _score(_findings(("a", "pass"), ("b", "fail"), ("c", "pass")), None)
    assert tally == Tally(num=2, den=3, violations=1, resources=1)
    assert tally.total == 66  # floor, never rounded up to 67


def test_a_policy_the_environment_policy_does_not_weigh_does_not_count():
    table = _weights(a=(5, "all"))
    assert _score(_findings(("a", "pass"), ("unweighted", "fail")), table) == Tally(5, 5, 0, 1)


def test_den_zero_has_no_score_never_zero_nor_hundred():
    assert Tally().total is None
    assert percent_text(Tally().total) == "—"
    table = _weights(zero=(0, "all"))
    tally = _score(_findings(("zero", "fail")), table)
    assert (tally.den, tally.total, tally.resources) == (0, None, 0)
    assert tally.violations == 1  # the verdict still counts as a violation of that resource
    assert pooled(tally) == Tally()  # but the resource does not count in any rollup


def test_the_total_is_floored_and_clamped():
    assert Tally(num=999, den=1000).total == 99
    assert Tally(num=1, den=3).total == 33
    assert Tally(num=12, den=10).total == 100  # clamped (cannot happen from verdicts, but never above 100)


def test_several_rules_of_one_policy_count_once_and_the_worst_decides():
    table = _weights(a=(10, "all"))
    assert _score(_findings(("a", "pass"), ("a", "fail"), ("a", "pass")), table) == Tally(0, 10, 1, 1)
    assert _score(_findings(("a", "pass"), ("a", "warn")), table) == Tally(0, 10, 0, 1)
    assert _score(_findings(("a", "pass"), ("a", "skip")), table) == Tally(10, 10, 0, 1)


def test_rollups_pool_sums_and_never_average_percentages():
    a = Tally(num=1, den=1, violations=0, resources=1)  # 100 %
    b = Tally(num=0, den=9, violations=9, resources=1)  # 0 %
    pooled_total = pooled(a) + pooled(b)
    assert pooled_total.total == 10  # 1 of 10, not the 50 % an average would say
    assert pooled_total + pooled(Tally()) == pooled_total  # a resource with den 0 adds nothing


@pytest.mark.parametrize(
    ("policy", "category", "bucket"),
    [
        ("anything", "Pod Security Standards (Baseline)", "security"),
        ("anything", "Security", "security"),
        ("anything", "RBAC hygiene", "security"),
        ("anything", "Reliability", "sre"),
        ("anything", "High Availability", "sre"),
        ("anything", "SLO guard", "sre"),
        ("anything", "Best Practices", "sre"),
        ("anything", "Governance", "baseline"),
        ("disallow-privileged-containers", "Governance", "baseline"),  # a category wins over the name
        ("disallow-privileged-containers", "", "security"),
        ("disallow-host-path", "", "security"),
        ("require-non-root-groups", "", "security"),
        ("readonly-rootfs", "", "security"),
        ("require-pod-resources", "", "sre"),
        ("require-pdb", "", "sre"),
        ("require-pod-probes", "", "sre"),
        ("multi-replicas", "", "sre"),
        ("image-tag-pinned", "", "baseline"),
    ],
)
def test_buckets_come_from_the_category_else_the_name(policy: str, category: str, bucket: str):
    assert bucket_of(policy, category) == bucket


def test_category_scores_give_each_policy_max_weight_one_and_zero_when_violated():
    scores = category_scores(
        [
            ("security", 10, 0),  # passing: num += 10, den += 10
            ("security", 0, 2),  # weight 0 counts as 1, violated: den += 1
            ("sre", 15, 1),  # violated: den += 15
            ("sre", 5, 0),  # passing: num += 5
        ]
    )
    assert (scores["security"].score, scores["security"].num, scores["security"].den) == (90, 10, 11)
    assert scores["security"].policy_count == 2
    assert (scores["sre"].score, scores["sre"].num, scores["sre"].den) == (25, 5, 20)
    assert scores["baseline"].score is None and scores["baseline"].policy_count == 0


def test_gains_are_weight_over_den_to_one_decimal_halves_up():
    assert gain(30, 100) == 30.0
    assert gain(1, 3) == 33.3
    assert gain(2, 3) == 66.7
    assert gain(1, 16) == 6.3  # 6.25 → 6.3 (as toFixed(1) shows it), not banker's 6.2
    assert gain(5, 0) == 0.0


def test_what_to_fix_lists_every_non_passing_policy_by_gain():
    tally = Tally(num=60, den=100, violations=2, resources=3)
    fixes = fixes_to_target(tally, {"small": 10, "big": 30})
    assert [(fix.policy, fix.gain) for fix in fixes] == [("big", 30.0), ("small", 10.0)]


def test_nothing_to_fix_at_or_above_ninety_or_without_a_score():
    assert fixes_to_target(Tally(num=90, den=100), {"a": 10}) == []
    assert fixes_to_target(Tally(num=95, den=100), {"a": 5}) == []
    assert fixes_to_target(Tally(), {"a": 5}) == []
    assert fixes_to_target(Tally(num=89, den=100), {"a": 11})[0].gain == 11.0


def test_result_counts_count_findings_as_reported():
    counts, _ = count_results(
        _findings(
            ("a", "pass"), ("b", "pass"), ("c", "warn"), ("d", "fail"), ("e", "skip"), ("f", "error"), ("g", "odd")
        )
    )
    assert (counts.passed, counts.warned, counts.failed, counts.skipped, counts.errored) == (2, 1, 1, 1, 1)
