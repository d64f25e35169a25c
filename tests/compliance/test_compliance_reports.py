"""Reading reports: both APIs' shapes, the resource fallbacks, real sample reports, and junk that must not raise."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sovereign_sandbox.world.sovereign import build_world

from console.compliance.model import Attribution, ResourceRef
from console.compliance.reports import findings_of
from console.compliance.scorecard import CONTEXT_KINDS, Scorecard

TESTDATA = Path(__file__).parent / "testdata"  # copies of ../shared/data/policyreports (real examples)


def _documents(name: str) -> list[dict]:
    documents = [doc for doc in yaml.safe_load_all((TESTDATA / name).read_text()) if doc]
    reports = []
    for document in documents:
        reports.extend(document["items"] if document.get("kind") == "List" else [document])
    return reports


def test_a_kyverno_policy_report_speaks_about_its_scope():
    (report,) = _documents("policyreport-kyverno-wgpolicyk8s-v1alpha2.yaml")
    pairs = findings_of(report)
    assert [(ref, finding.policy, finding.result) for ref, finding in pairs] == [
        (ResourceRef("Pod", "kube-system", "kube-apiserver-kind-control-plane", "v1"), "disallow-capabilities", "pass"),
        (
            ResourceRef("Pod", "kube-system", "kube-apiserver-kind-control-plane", "v1"),
            "disallow-host-namespaces",
            "fail",
        ),
    ]
    finding = pairs[1][1]
    assert (finding.rule, finding.severity, finding.category, finding.source) == (
        "host-namespaces",
        "medium",
        "Pod Security Standards (Baseline)",
        "kyverno",
    )
    assert finding.timestamp == 1701868762.0
    assert finding.message.startswith("validation error: Sharing the host namespaces is disallowed.")


def test_successive_states_of_a_report_each_read():
    first, second = _documents("policyreport-kyverno-secrets-not-from-env.yaml")
    assert [(ref.key, f.result) for ref, f in findings_of(first)] == [("pod/default/busybox", "pass")]
    assert [(ref.key, f.result) for ref, f in findings_of(second)] == [("pod/default/secret-pod", "fail")]


def test_a_cluster_policy_report_about_a_namespace_is_cluster_scoped():
    (report,) = _documents("clusterpolicyreport-kyverno-assert.yaml")
    ((ref, finding),) = findings_of(report)
    assert ref == ResourceRef("Namespace", "", "gpol-audit-ann-ns", "v1")
    assert (finding.policy, finding.result, finding.source, finding.timestamp) == (
        "gpol-audit-annotations",
        "pass",
        "KyvernoGeneratingPolicy",
        None,
    )


def test_an_openreports_report_reads_like_a_policy_report():
    (report,) = _documents("openreports-report-kyverno.yaml")
    ((ref, finding),) = findings_of(report)
    # the docs' output has no metadata.namespace: the scope says where the Pod is
    assert ref.key == "pod/default/example-deployment-c94dc9f47-dfq6l"
    assert (finding.policy, finding.rule, finding.result) == ("default/require-app-label", "check-app-label", "fail")
    assert finding.timestamp == 1849050397.0


def test_a_report_without_scope_or_resources_is_about_itself_and_lends_its_source():
    (report,) = _documents("openreports-sample-cis-k8s.yaml")
    pairs = findings_of(report)
    assert {ref for ref, _ in pairs} == {
        ResourceRef("Report", "", "sample-cis-bench-api-server", "openreports.io/v1alpha1")
    }
    assert [(f.policy, f.result, f.rule, f.source) for _, f in pairs] == [
        ("api-server:anonymous-auth", "warn", "", "kube-bench-adapter"),
        ("api-server:basic-auth-file", "fail", "", "kube-bench-adapter"),
        ("api-server:token-auth-file", "warn", "", "kube-bench-adapter"),
    ]


def test_the_first_resource_of_a_result_wins_over_the_scope():
    report = {
        "kind": "PolicyReport",
        "metadata": {"name": "r", "namespace": "shop"},
        "scope": {"kind": "Deployment", "name": "web", "namespace": "shop"},
        "results": [
            {
                "policy": "p",
                "result": "PASS",
                "resources": [{"kind": "Pod", "name": "web-1"}, {"kind": "Pod", "name": "x"}],
            },
            {"policy": "q", "result": "Fail", "severity": "HIGH"},
        ],
    }
    pairs = findings_of(report)
    assert [(ref.key, f.result) for ref, f in pairs] == [("pod/shop/web-1", "pass"), ("deployment/shop/web", "fail")]
    assert pairs[1][1].severity == "high"


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "report",
        42,
        [],
        {},
        {"results": "nope"},
        {"results": [None, 1, "x", {}, {"policy": ""}, {"policy": {"a": 1}}]},
        {"metadata": "x", "scope": [], "results": [{"policy": "p", "result": 3}]},
        {"results": [{"policy": "p", "resources": "x", "timestamp": {"seconds": "soon"}}]},
        {"metadata": {"name": "r"}, "results": [{"policy": "p", "resources": [None], "timestamp": {"seconds": "nan"}}]},
    ],
)
def test_junk_never_raises(junk: object):
    findings_of(junk)


def test_junk_keeps_what_can_be_read():
    report = {
        "kind": "PolicyReport",
        "metadata": {"name": "r", "namespace": "shop"},
        "results": [
            {"policy": "p", "result": "pass", "timestamp": {"seconds": 10, "nanos": 500_000_000}},
            "garbage",
            {"policy": "q", "result": ["fail"], "timestamp": True},
        ],
    }
    pairs = findings_of(report)
    assert [(ref.key, f.policy, f.result, f.timestamp) for ref, f in pairs] == [
        ("policyreport/shop/r", "p", "pass", 10.5),
        ("policyreport/shop/r", "q", "", None),
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "policy",
                    "result",
                    "resources",
                    "scope",
                    "metadata",
                    "results",
                    "kind",
                    "name",
                    "namespace",
                    "timestamp",
                    "seconds",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(json_values)
def test_any_json_neither_breaks_ingestion_nor_the_scorecard(value: object):
    findings_of(value)
    scorecard = Scorecard()
    scorecard.apply_report("k", value)
    scorecard.dashboard(None)
    scorecard.apply_report("k", None)
    assert scorecard.scope_tallies()[("sovereign", "")].den == 0


def test_every_sample_report_ingests_with_the_expected_attribution():
    """The real samples, with a cluster around them: the Pod's Deployment names the application, the
    namespace the environment and organization."""
    scorecard = Scorecard()
    labels = {"catalyst.openova.io/environment": "acme-dev", "openova.io/organization": "acme"}
    scorecard.set_context(
        "Namespace",
        [
            {"metadata": {"name": "default", "labels": labels}},
            {"metadata": {"name": "kube-system", "labels": {"openova.io/environment": "platform-prod"}}},
        ],
    )
    owner = {"kind": "Deployment", "name": "example-deployment", "controller": True}
    scorecard.set_context(
        "ReplicaSet",
        [{"metadata": {"name": "example-deployment-c94dc9f47", "namespace": "default", "ownerReferences": [owner]}}],
    )
    scorecard.set_context(
        "Deployment",
        [
            {
                "metadata": {
                    "name": "example-deployment",
                    "namespace": "default",
                    "labels": {"app.kubernetes.io/name": "example"},
                }
            }
        ],
    )
    pod_owner = {"kind": "ReplicaSet", "name": "example-deployment-c94dc9f47", "controller": True}
    scorecard.set_context(
        "Pod",
        [
            {
                "metadata": {
                    "name": "example-deployment-c94dc9f47-dfq6l",
                    "namespace": "default",
                    "ownerReferences": [pod_owner],
                }
            }
        ],
    )
    count = 0
    for path in sorted(TESTDATA.glob("*.yaml")):
        for index, report in enumerate(_documents(path.name)):
            scorecard.apply_report(f"{path.stem}/{index}", report)
            count += 1
    assert scorecard.reports == count == 6
    assert scorecard.resource_attribution("pod/default/example-deployment-c94dc9f47-dfq6l") == Attribution(
        "example", "acme-dev", "acme"
    )
    assert scorecard.resource_attribution("pod/default/busybox") == Attribution("", "acme-dev", "acme")
    assert scorecard.resource_attribution("pod/kube-system/kube-apiserver-kind-control-plane") == Attribution(
        "", "platform-prod", ""
    )
    assert scorecard.resource_attribution("namespace//gpol-audit-ann-ns") == Attribution()
    assert scorecard.resource_attribution("report//sample-cis-bench-api-server") == Attribution()
    dashboard = scorecard.dashboard(None)
    # No EnvironmentPolicy: every policy weighs 1. Passing: busybox, disallow-capabilities, gpol; failing:
    # secret-pod, host-namespaces, require-app-label, basic-auth-file; warning: two more cis policies
    assert (dashboard.sovereign.num, dashboard.sovereign.den, dashboard.sovereign.violations) == (3, 9, 4)
    assert dashboard.categories["security"].policy_count == 2  # the two Pod Security policies
    assert scorecard.dashboard(frozenset({"default"})).sovereign.den == 3  # busybox, secret-pod, example pod


def test_the_sandbox_world_reports_attribute_to_their_workloads():
    """The sandbox's seeded reports (one per workload, one per namespace, one openreports Report)."""
    world = build_world(seed=1, now=datetime(2026, 11, 27, tzinfo=UTC))
    scorecard = Scorecard()
    for kind in CONTEXT_KINDS:
        scorecard.set_context(kind, [obj for obj in world if obj["kind"] == kind])
    reports = [obj for obj in world if obj["kind"] in ("PolicyReport", "ClusterPolicyReport", "Report")]
    for report in reports:
        scorecard.apply_report(
            f"{report['kind']}/{report['metadata'].get('namespace', '')}/{report['metadata']['name']}", report
        )
    assert scorecard.reports == len(reports) > 30
    assert scorecard.resource_attribution("deployment/openova-prod-gitea/gitea") == Attribution(
        "gitea", "openova-prod", "openova"
    )
    apiserver = next(o for o in world if o["kind"] == "Pod" and o["metadata"]["name"].startswith("kube-apiserver-"))
    assert scorecard.resource_attribution(f"pod/kube-system/{apiserver['metadata']['name']}") is not None
    dashboard = scorecard.dashboard(None)
    assert dashboard.sovereign.den > 0 and dashboard.coverage.workloads > dashboard.coverage.evaluated > 0
    assert {"acme", "bankdhofar", "openova"} <= set(dashboard.organizations)
