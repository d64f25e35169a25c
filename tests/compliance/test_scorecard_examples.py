"""The Scorecard by example: incremental updates, revisions, visibility, context changes and every view."""

from __future__ import annotations

from console.compliance.model import Attribution, OutcomeChange, ResourceRef, Tally
from console.compliance.scorecard import Scorecard

ENV = "catalyst.openova.io/environment"
ORG = "catalyst.openova.io/organization"
APP = "catalyst.openova.io/application"


def _report(namespace: str, kind: str, name: str, *results: tuple[str, str], category: str = "") -> dict:
    return {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "PolicyReport" if namespace else "ClusterPolicyReport",
        "metadata": {"name": f"{kind.lower()}-{name}", **({"namespace": namespace} if namespace else {})},
        "scope": {"apiVersion": "apps/v1", "kind": kind, "name": name, "namespace": namespace},
        "results": [
            {"policy": policy, "rule": policy, "result": result, "message": f"{policy} {result}", "category": category}
            for policy, result in results
        ],
    }


def _meta(name: str, namespace: str = "", labels: dict | None = None, owners: list | None = None) -> dict:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}, "ownerReferences": owners or []}}


def _world() -> Scorecard:
    """shop (acme-prod, acme): Deployment web (app shop), StatefulSet db (app shop); lab (dev, labs)."""
    scorecard = Scorecard()
    scorecard.set_context(
        "Namespace",
        [_meta("shop", labels={ENV: "acme-prod", ORG: "acme"}), _meta("lab", labels={ENV: "labs-dev", ORG: "labs"})],
    )
    scorecard.set_context(
        "Deployment", [_meta("web", "shop", {APP: "shop"}), _meta("exp", "lab", {APP: "exp"}), _meta("idle", "lab")]
    )
    scorecard.set_context("StatefulSet", [_meta("db", "shop", {APP: "shop"})])
    scorecard.set_context(
        "ReplicaSet", [_meta("web-5d4", "shop", owners=[{"kind": "Deployment", "name": "web", "controller": True}])]
    )
    scorecard.set_context(
        "Pod", [_meta("web-5d4-x", "shop", owners=[{"kind": "ReplicaSet", "name": "web-5d4", "controller": True}])]
    )
    scorecard.set_context("Environment", [{"metadata": {"name": "acme-prod"}, "spec": {"policyRef": "production"}}])
    scorecard.set_context(
        "EnvironmentPolicy",
        [
            {
                "metadata": {"name": "production"},
                "spec": {
                    "compliance": {
                        "weights": {
                            "probes-present": {"weight": 5, "scope": "all"},
                            "pdb": {"weight": 15, "scope": "all"},
                            "pvc-expansion": {"weight": 10, "scope": "stateful"},
                            "privileged": {"weight": 20, "scope": "stateless"},
                        },
                        "modes": {"probes-present": "enforcing"},
                    }
                },
            }
        ],
    )
    return scorecard


def test_a_report_change_moves_only_its_resource_and_says_which_outcomes_moved():
    scorecard = _world()
    scorecard.apply_report(
        "r/web", _report("shop", "Deployment", "web", ("probes-present", "fail"), ("pdb", "pass")), 1.0
    )
    scorecard.apply_report(
        "r/db", _report("shop", "StatefulSet", "db", ("pvc-expansion", "pass"), ("privileged", "fail")), 1.0
    )
    assert scorecard.dashboard(None).sovereign == Tally(num=25, den=30, violations=1, resources=2)
    moves = scorecard.apply_report(
        "r/web", _report("shop", "Deployment", "web", ("probes-present", "pass"), ("pdb", "pass")), 2.0
    )
    who = Attribution("shop", "acme-prod", "acme")
    assert moves == [OutcomeChange(2.0, "deployment/shop/web", "shop", who, "probes-present", "fail", "pass", 5)]
    assert scorecard.dashboard(None).sovereign == Tally(num=30, den=30, violations=0, resources=2)
    moves = scorecard.apply_report("r/web", None, 3.0)
    assert {(m.policy, m.before, m.after) for m in moves} == {("probes-present", "pass", ""), ("pdb", "pass", "")}
    assert scorecard.dashboard(None).sovereign == Tally(num=10, den=10, violations=0, resources=1)
    assert scorecard.reports == 1
    assert scorecard.report_resources("r/db") == {"statefulset/shop/db"}
    assert scorecard.report_resources("r/web") == frozenset()


def test_the_revision_moves_on_change_and_not_on_the_same_report_again():
    scorecard = _world()
    report = _report("shop", "Deployment", "web", ("pdb", "pass"))
    scorecard.apply_report("r/web", report, 1.0)
    revision = scorecard.revision
    assert scorecard.apply_report("r/web", report, 1.0) == []
    assert scorecard.revision == revision
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "warn")), 1.0)
    assert scorecard.revision > revision


def test_two_resources_in_one_cell_pool_and_unpool():
    """web and db share the cell (shop, shop, acme-prod, acme): changing one leaves the other's share."""
    scorecard = _world()
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "fail")), 1.0)
    scorecard.apply_report("r/db", _report("shop", "StatefulSet", "db", ("pdb", "fail")), 1.0)
    (app,) = scorecard.dashboard(None).applications
    assert (app.tally, app.weight) == (Tally(0, 30, 2, 2), 30)
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "pass")), 2.0)
    dashboard = scorecard.dashboard(None)
    assert dashboard.applications[0].tally == Tally(15, 30, 1, 2)
    assert dashboard.categories["sre"].num == 0  # pdb still fails on db
    scorecard.apply_report("r/db", _report("shop", "StatefulSet", "db", ("pdb", "pass")), 3.0)
    assert scorecard.dashboard(None).categories["sre"].score == 100
    (summary,) = scorecard.dashboard(None).namespaces
    assert (summary.passed, summary.failed) == (2, 0)


def test_views_see_only_the_namespaces_given_and_cluster_scope_only_with_everything():
    scorecard = _world()
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "pass")), 1.0)
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("pdb", "fail")), 1.0)
    scorecard.apply_report("r/node", _report("", "Node", "n1", ("pdb", "fail")), 1.0)
    assert scorecard.dashboard(None).sovereign == Tally(15, 17, 2, 3)
    assert scorecard.dashboard(frozenset({"shop"})).sovereign == Tally(15, 15, 0, 1)
    assert scorecard.dashboard(frozenset({"shop", ""})).sovereign == Tally(15, 15, 0, 1)  # "" is never a namespace
    assert scorecard.dashboard(frozenset()).sovereign == Tally()
    assert scorecard.dashboard(frozenset()).sovereign.total is None
    restricted = scorecard.dashboard(frozenset({"lab"}))
    assert [v.resource.key for v in restricted.violations] == ["deployment/lab/exp"]
    assert (restricted.organizations, restricted.environments, restricted.reports) == (["labs"], ["labs-dev"], 1)
    assert scorecard.dashboard(None).reports == 3


def test_organization_and_environment_filters_and_their_chips():
    scorecard = _world()
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "pass")), 1.0)
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("pdb", "fail")), 1.0)
    dashboard = scorecard.dashboard(None, organization="acme")
    assert dashboard.sovereign == Tally(15, 15, 0, 1)
    assert dashboard.organizations == ["acme", "labs"]  # chips keep every choice
    assert dashboard.environments == ["acme-prod"]  # within the chosen organization
    assert scorecard.dashboard(None, environment="labs-dev").sovereign == Tally(0, 1, 1, 1)
    assert scorecard.dashboard(None, organization="acme", environment="labs-dev").sovereign == Tally()


def test_security_only_counts_security_policies():
    scorecard = _world()
    report = _report("shop", "Deployment", "web", ("privileged", "fail"), ("pdb", "pass"))
    report["results"][0]["category"] = "Pod Security Standards (Baseline)"
    scorecard.apply_report("r/web", report, 1.0)
    security = scorecard.dashboard(None, security_only=True)
    assert security.sovereign == Tally(0, 20, 1, 1)
    assert [p.name for p in security.policies] == ["privileged"]
    assert scorecard.dashboard(None).sovereign == Tally(15, 35, 1, 1)


def test_coverage_counts_workloads_evaluated_on_themselves_or_their_pods():
    scorecard = _world()
    assert (scorecard.dashboard(None).coverage.evaluated, scorecard.dashboard(None).coverage.workloads) == (0, 4)
    scorecard.apply_report("r/pod", _report("shop", "Pod", "web-5d4-x", ("pdb", "fail")), 1.0)
    coverage = scorecard.dashboard(None).coverage
    assert (coverage.evaluated, coverage.workloads) == (1, 4)  # web, through its pod
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("pdb", "skip")), 1.0)
    assert scorecard.dashboard(None).coverage.evaluated == 1  # a skip is no verdict
    assert scorecard.dashboard(frozenset({"lab"})).coverage.workloads == 2
    scorecard.set_context("Deployment", [])
    assert scorecard.dashboard(None).coverage.workloads == 1  # the StatefulSet is left


def test_a_pod_is_attributed_through_its_replica_set_to_its_deployment():
    scorecard = _world()
    scorecard.apply_report("r/pod", _report("shop", "Pod", "web-5d4-x", ("pdb", "pass")), 1.0)
    assert scorecard.resource_attribution("pod/shop/web-5d4-x") == Attribution("shop", "acme-prod", "acme")


def test_a_label_change_re_attributes_the_resources_that_read_it():
    scorecard = _world()
    scorecard.apply_report("r/pod", _report("shop", "Pod", "web-5d4-x", ("pdb", "pass")), 1.0)
    scorecard.apply_report("r/db", _report("shop", "StatefulSet", "db", ("pdb", "pass")), 1.0)
    revision = scorecard.revision
    scorecard.set_context("Deployment", [_meta("web", "shop", {APP: "storefront"}), _meta("exp", "lab", {APP: "exp"})])
    assert scorecard.revision > revision
    assert scorecard.resource_attribution("pod/shop/web-5d4-x") == Attribution("storefront", "acme-prod", "acme")
    assert scorecard.resource_attribution("statefulset/shop/db") == Attribution("shop", "acme-prod", "acme")
    assert {app.application for app in scorecard.dashboard(None).applications} == {"shop", "storefront"}


def test_a_pod_status_change_is_no_change():
    scorecard = _world()
    scorecard.apply_report("r/pod", _report("shop", "Pod", "web-5d4-x", ("pdb", "pass")), 1.0)
    revision = scorecard.revision
    pod = _meta("web-5d4-x", "shop", owners=[{"kind": "ReplicaSet", "name": "web-5d4", "controller": True}])
    pod["status"] = {"phase": "Running"}
    scorecard.set_context("Pod", [pod])
    assert scorecard.revision == revision


def test_a_resource_not_in_the_cache_gets_its_namespace_labels_only():
    scorecard = _world()
    scorecard.apply_report("r/ghost", _report("shop", "Deployment", "ghost", ("pdb", "pass")), 1.0)
    assert scorecard.resource_attribution("deployment/shop/ghost") == Attribution("", "acme-prod", "acme")


def test_weights_follow_the_environment_policy_and_move_with_it():
    scorecard = _world()
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "fail"), ("unlisted", "pass")), 1.0)
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("pdb", "fail"), ("unlisted", "pass")), 1.0)
    # shop: production weighs pdb 15 and not "unlisted"; lab: no EnvironmentPolicy, both weigh 1
    assert scorecard.resource(ResourceRef("Deployment", "shop", "web")).tally == Tally(0, 15, 1, 1)
    assert scorecard.resource(ResourceRef("Deployment", "lab", "exp")).tally == Tally(1, 2, 1, 1)
    changed = {"metadata": {"name": "labs-dev"}, "spec": {"compliance": {"weights": {"pdb": {"weight": 50}}}}}
    production = {
        "metadata": {"name": "production"},
        "spec": {"compliance": {"weights": {"pdb": {"weight": 40, "scope": "all"}}}},
    }
    moves = scorecard.set_context("EnvironmentPolicy", [production, changed], 5.0)
    # an EnvironmentPolicy named like the environment applies there: "unlisted" stops counting in lab
    assert [(m.resource, m.policy, m.before, m.after) for m in moves] == [
        ("deployment/lab/exp", "unlisted", "pass", "")
    ]
    assert scorecard.resource(ResourceRef("Deployment", "lab", "exp")).tally == Tally(0, 50, 1, 1)
    assert scorecard.resource(ResourceRef("Deployment", "shop", "web")).tally == Tally(0, 40, 1, 1)
    scorecard.set_context("EnvironmentPolicy", [], 6.0)
    assert scorecard.dashboard(None).sovereign == Tally(2, 4, 2, 2)  # nothing weighs: weight 1 each
    scorecard.set_context("EnvironmentPolicy", [production], 7.0)
    assert scorecard.dashboard(None).categories["sre"].den == 40  # the weight went back down and up again


def test_the_policy_view():
    scorecard = _world()
    scorecard.set_context(
        "ClusterPolicy",
        [
            {
                "metadata": {
                    "name": "probes-present",
                    "annotations": {
                        "policies.kyverno.io/title": "Probes Present",
                        "policies.kyverno.io/category": "Reliability",
                        "policies.kyverno.io/severity": "high",
                        "policies.kyverno.io/description": "Pods need probes.",
                    },
                },
                "spec": {"validationFailureAction": "enforce", "rules": [{"name": "check-probes"}]},
            },
            {"metadata": {"name": "quiet"}, "spec": {"rules": [{"name": "r", "validate": {"failureAction": "Audit"}}]}},
        ],
    )
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("probes-present", "fail")), 1.0)
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("probes-present", "fail")), 1.0)
    view = scorecard.policy("probes-present", None)
    assert view is not None
    assert (view.title, view.category, view.bucket, view.severity, view.kyverno_action, view.rules) == (
        "Probes Present",
        "Reliability",
        "sre",
        "high",
        "Enforce",
        ["check-probes"],
    )
    assert [(e.environment, e.environment_policy, e.weight, e.scope, e.mode) for e in view.environments] == [
        ("acme-prod", "production", 5, "all", "enforcing"),
        ("labs-dev", "", 1, "all", "permissive"),
    ]
    assert view.failures_per_environment == [("acme-prod", 1), ("labs-dev", 1)]
    assert [v.resource.key for v in view.offending] == ["deployment/shop/web", "deployment/lab/exp"]  # heaviest first
    assert scorecard.policy("probes-present", frozenset({"lab"})).violations == 1  # type: ignore[union-attr]
    quiet = scorecard.policy("quiet", None)
    assert quiet is not None and (quiet.violations, quiet.kyverno_action) == (0, "Audit")
    assert scorecard.policy("never-heard-of", None) is None
    assert scorecard.environments_sharing("production") == ["acme-prod"]


def test_the_application_view_with_outcomes_and_fixes():
    scorecard = _world()
    scorecard.apply_report(
        "r/web", _report("shop", "Deployment", "web", ("probes-present", "fail"), ("pdb", "pass")), 1.0
    )
    scorecard.apply_report(
        "r/db",
        _report("shop", "StatefulSet", "db", ("probes-present", "pass"), ("pdb", "warn"), ("pvc-expansion", "skip")),
        1.0,
    )
    view = scorecard.application("shop", None)
    # web: probes 5 fail, pdb 15 pass; db: probes 5 pass, pdb 15 warn → num 20 of den 40
    assert view.tally == Tally(20, 40, 1, 2)
    assert [(o.policy, o.result, o.weight, o.failing_resources) for o in view.outcomes] == [
        ("probes-present", "fail", 5, 1),
        ("pdb", "warn", 15, 0),
        ("pvc-expansion", "skip", 10, 0),
    ]
    assert [(f.policy, f.gain) for f in view.fixes] == [("pdb", 37.5), ("probes-present", 12.5)]
    assert view.violations == 1
    assert scorecard.application("shop", frozenset({"lab"})).tally == Tally()
    assert scorecard.application("shop", None, environment="elsewhere").outcomes == []


def test_the_resource_view():
    scorecard = _world()
    assert scorecard.resource(ResourceRef("Deployment", "shop", "web")).found is False
    assert scorecard.resource(ResourceRef("Deployment", "shop", "web")).attribution == Attribution(
        "shop", "acme-prod", "acme"
    )
    scorecard.apply_report(
        "r/web", _report("shop", "Deployment", "web", ("pdb", "fail"), ("probes-present", "pass"), ("x", "pass")), 1.0
    )
    view = scorecard.resource(ResourceRef("Deployment", "shop", "web"))
    assert view.found and view.tally == Tally(5, 20, 1, 1)
    assert [(f.policy, f.result, f.weight, f.counted) for f in view.findings] == [
        ("pdb", "fail", 15, True),
        ("probes-present", "pass", 5, True),
        ("x", "pass", None, False),
    ]
    assert [(f.policy, f.gain) for f in view.fixes] == [("pdb", 75.0)]


def test_scope_tallies_name_every_scope():
    scorecard = _world()
    scorecard.apply_report("r/web", _report("shop", "Deployment", "web", ("pdb", "pass")), 1.0)
    scorecard.apply_report("r/exp", _report("lab", "Deployment", "exp", ("pdb", "fail")), 1.0)
    tallies = scorecard.scope_tallies()
    assert tallies[("sovereign", "")] == Tally(15, 16, 1, 2)
    assert tallies[("organization", "acme")] == Tally(15, 15, 0, 1)
    assert tallies[("environment", "labs-dev")] == Tally(0, 1, 1, 1)
    assert tallies[("application", "acme-prod/shop")] == Tally(15, 15, 0, 1)
    assert tallies[("namespace", "lab")] == Tally(0, 1, 1, 1)
    assert Scorecard().scope_tallies() == {("sovereign", ""): Tally()}
