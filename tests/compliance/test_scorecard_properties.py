"""Property: whatever sequence of report adds, changes and deletes (and context changes) reaches one Scorecard
incrementally, every number equals the naive formula recomputed from scratch, for every namespace filter."""

from __future__ import annotations

from collections import defaultdict

import naive_compliance as naive
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.compliance.dashboard import WORKLOAD_KINDS
from console.compliance.scorecard import CONTEXT_KINDS, Scorecard

NAMESPACES = ("shop", "bank", "lab")
RESOURCES = (
    ("Deployment", "shop", "web"),
    ("StatefulSet", "shop", "db"),
    ("Pod", "shop", "web-7f9c-abcde"),
    ("Pod", "shop", "db-0"),
    ("DaemonSet", "bank", "agent"),
    ("Deployment", "bank", "api"),
    ("Pod", "bank", "stray"),
    ("Deployment", "lab", "exp"),
    ("PersistentVolumeClaim", "lab", "data"),
    ("Namespace", "", "shop"),
)
# policy → the category text its results carry ("" = none: the name decides)
POLICIES = {
    "probes-present": "Reliability",
    "disallow-privileged": "Pod Security Standards (Baseline)",
    "rbac-limits": "",
    "flux-managed": "Governance",
    "require-pdb": "",
    "cosign-verified": "Security",
}
RESULTS = ("pass", "fail", "warn", "skip", "error", "na", "bogus", "")
REPORT_KEYS = tuple(f"wgpolicyk8s.io/policyreports/r{i}" for i in range(6))


def _meta(name: str, namespace: str = "", labels: dict | None = None, owners: list | None = None) -> dict:
    meta: dict = {"name": name, "labels": labels or {}}
    if namespace:
        meta["namespace"] = namespace
    if owners:
        meta["ownerReferences"] = owners
    return meta


def _owner(kind: str, name: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": kind, "name": name, "controller": True}


def context(variant: int) -> list[dict]:
    """Namespaces, workloads, pods, Environments, EnvironmentPolicies and ClusterPolicies; the variant moves
    labels (application, environment) and weights."""
    web_app = "shop" if variant % 2 == 0 else "storefront"  # "shop" shares a cell with the StatefulSet
    bank_env = "acme-dev" if variant < 2 else "acme-prod"
    probes = 5 if variant < 3 else 40
    env_labels = "catalyst.openova.io/environment"
    org_labels = "openova.io/organization"
    production = {
        "probes-present": {"weight": probes, "scope": "all"},
        "disallow-privileged": {"weight": 10, "scope": "stateless"},
        "rbac-limits": {"weight": 0, "scope": "all"},
        "require-pdb": {"weight": 15, "scope": "stateful"},
        "cosign-verified": {"weight": 3, "scope": "all"},
    }
    development = {"probes-present": {"weight": 2, "scope": "all"}, "flux-managed": {"weight": 7, "scope": "all"}}
    return [
        {"kind": "Namespace", "metadata": _meta("shop", labels={env_labels: "acme-prod", org_labels: "acme"})},
        {"kind": "Namespace", "metadata": _meta("bank", labels={env_labels: bank_env, org_labels: "acme"})},
        {"kind": "Namespace", "metadata": _meta("lab", labels={env_labels: "lab-x", org_labels: "labs"})},
        {"kind": "Deployment", "metadata": _meta("web", "shop", {"catalyst.openova.io/application": web_app})},
        {"kind": "StatefulSet", "metadata": _meta("db", "shop", {"app.kubernetes.io/name": "shop"})},
        {"kind": "ReplicaSet", "metadata": _meta("web-7f9c", "shop", owners=[_owner("Deployment", "web")])},
        {"kind": "Pod", "metadata": _meta("web-7f9c-abcde", "shop", owners=[_owner("ReplicaSet", "web-7f9c")])},
        {"kind": "Pod", "metadata": _meta("db-0", "shop", owners=[_owner("StatefulSet", "db")])},
        {"kind": "DaemonSet", "metadata": _meta("agent", "bank", {"openova.io/application": "agent"})},
        {
            "kind": "Deployment",
            "metadata": _meta("api", "bank", {"app.kubernetes.io/instance": "bank-api", env_labels: "acme-prod"}),
        },
        {"kind": "Deployment", "metadata": _meta("exp", "lab", {"app.kubernetes.io/name": "experiment"})},
        {"kind": "Deployment", "metadata": _meta("idle", "lab", {"app.kubernetes.io/name": "idle"})},
        {"kind": "Environment", "metadata": _meta("acme-prod"), "spec": {"policyRef": "production"}},
        {"kind": "EnvironmentPolicy", "metadata": _meta("production"), "spec": {"compliance": {"weights": production}}},
        {"kind": "EnvironmentPolicy", "metadata": _meta("acme-dev"), "spec": {"compliance": {"weights": development}}},
        {
            "kind": "ClusterPolicy",
            "metadata": {"name": "flux-managed", "annotations": {"policies.kyverno.io/category": "Best Practices"}},
        },
    ]


def set_context(scorecard: Scorecard, objects: list[dict]) -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for obj in objects:
        by_kind[obj["kind"]].append(obj)
    for kind in CONTEXT_KINDS:
        scorecard.set_context(kind, by_kind.get(kind, []), at=0.0)


def _reference(resource: tuple[str, str, str]) -> dict:
    kind, namespace, name = resource
    reference = {"apiVersion": "v1", "kind": kind, "name": name}
    if namespace:
        reference["namespace"] = namespace
    return reference


@st.composite
def results(draw: st.DrawFn) -> dict:
    policy = draw(st.sampled_from(sorted(POLICIES)))
    result: dict = {
        "policy": policy,
        "rule": draw(st.sampled_from(["a", "b"])),
        "result": draw(st.sampled_from(RESULTS)),
    }
    if POLICIES[policy]:
        result["category"] = POLICIES[policy]
    if draw(st.booleans()):
        result["resources"] = [_reference(draw(st.sampled_from(RESOURCES)))]
    return result


@st.composite
def reports(draw: st.DrawFn) -> dict:
    cluster = draw(st.booleans())
    namespace = "" if cluster else draw(st.sampled_from(NAMESPACES))
    report: dict = {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "ClusterPolicyReport" if cluster else "PolicyReport",
        "metadata": _meta(f"report-{draw(st.integers(0, 1))}", namespace),
        "results": draw(st.lists(results(), max_size=6)),
    }
    if draw(st.booleans()):
        report["scope"] = _reference(draw(st.sampled_from(RESOURCES)))
    return report


operations = st.lists(
    st.one_of(
        st.tuples(st.just("report"), st.sampled_from(REPORT_KEYS), st.one_of(st.none(), reports())),
        st.tuples(st.just("context"), st.integers(0, 3), st.none()),
    ),
    min_size=1,
    max_size=20,
)
# what a viewer may see: everything, or a set of namespaces (the empty name and unknown ones included)
namespace_filters = st.one_of(st.none(), st.frozensets(st.sampled_from([*NAMESPACES, "", "nowhere"])))
FILTERS = (
    None,
    frozenset(),
    frozenset({"shop"}),
    frozenset({"shop", "bank"}),
    frozenset(NAMESPACES),
    frozenset({"nowhere"}),
)


def _coverage(
    resources: dict, objects: list[dict], namespaces: frozenset[str] | None, security_only: bool
) -> tuple[int, int]:
    workloads = [o for o in objects if o["kind"] in WORKLOAD_KINDS]
    total = evaluated = 0
    for workload in workloads:
        namespace, name = workload["metadata"]["namespace"], workload["metadata"]["name"]
        if namespaces is not None and namespace not in namespaces:
            continue
        total += 1
        key = f"{workload['kind'].lower()}/{namespace}/{name}"
        members = [r for r in resources.values() if r.key == key or _pod_of(r, workload, objects)]
        if any(v for r in members for v in r.verdicts.values() if not security_only or v[2] == "security"):
            evaluated += 1
    return evaluated, total


def _pod_of(resource, workload: dict, objects: list[dict]) -> bool:
    if resource.kind != "Pod":
        return False
    pod = next((o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"] == resource.name), None)
    owners = ((pod or {}).get("metadata") or {}).get("ownerReferences") or []
    if not owners:
        return False
    kind, name = owners[0]["kind"], owners[0]["name"]
    if kind == "ReplicaSet":
        replica_set = next((o for o in objects if o["kind"] == "ReplicaSet" and o["metadata"]["name"] == name), None)
        above = ((replica_set or {}).get("metadata") or {}).get("ownerReferences") or []
        kind, name = (above[0]["kind"], above[0]["name"]) if above else (kind, name)
    return (kind, name) == (workload["kind"], workload["metadata"]["name"])


def assert_matches(
    scorecard: Scorecard, held: dict[str, dict], objects: list[dict], extra: frozenset[str] | None = None
) -> None:
    resources = naive.resources_of(held, objects)
    ours = {scope: (t.num, t.den, t.violations, t.resources) for scope, t in scorecard.scope_tallies().items()}
    assert ours == naive.scope_tallies(resources)
    for namespaces in (*FILTERS, extra):
        seen = naive.visible(resources, namespaces)
        for security_only in (False, True):
            dashboard = scorecard.dashboard(namespaces, security_only=security_only)
            expected = naive.pooled(seen, security_only)
            assert (dashboard.sovereign.num, dashboard.sovereign.den, dashboard.sovereign.violations) == (
                expected.num,
                expected.den,
                expected.violations,
            )
            assert dashboard.sovereign.total == expected.total
            categories = {
                name: (score.score, score.num, score.den, score.policy_count)
                for name, score in dashboard.categories.items()
            }
            assert categories == naive.category_scores(seen, security_only)
            counts = {
                n.namespace: (n.passed, n.warned, n.failed, n.skipped, n.errored)
                for n in dashboard.namespaces
                if (n.passed, n.warned, n.failed, n.skipped, n.errored) != (0, 0, 0, 0, 0)
            }
            assert counts == naive.result_counts(seen, security_only)
            for summary in dashboard.namespaces:
                members = [r for r in seen if r.namespace == summary.namespace]
                assert summary.tally == summary.tally.__class__(*naive.pooled(members, security_only).as_tuple())
            apps = {
                (a.application, a.environment, a.organization): (a.tally.num, a.tally.den)
                for a in dashboard.applications
            }
            groups: dict = defaultdict(list)
            for r in seen:
                if r.application:
                    groups[(r.application, r.environment, r.organization)].append(r)
            expected_apps = {
                key: (t.num, t.den)
                for key, members in groups.items()
                if (t := naive.pooled(members, security_only)).den > 0
            }
            assert apps == expected_apps
            assert sorted((v.resource.key, v.policy) for v in dashboard.violations) == naive.violations(
                seen, security_only
            )
            coverage = (dashboard.coverage.evaluated, dashboard.coverage.workloads)
            assert coverage == _coverage(resources, objects, namespaces, security_only)
    for org in ("acme", "labs"):
        dashboard = scorecard.dashboard(None, organization=org)
        expected = naive.pooled([r for r in resources.values() if r.organization == org])
        assert (dashboard.sovereign.num, dashboard.sovereign.den) == (expected.num, expected.den)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, namespace_filters)
def test_incremental_scores_equal_the_naive_formula(ops, namespaces):
    scorecard = Scorecard()
    variant = 0
    objects = context(variant)
    set_context(scorecard, objects)
    held: dict[str, dict] = {}
    for op, key_or_variant, report in ops:
        revision = scorecard.revision
        if op == "context":
            variant = key_or_variant
            objects = context(variant)
            set_context(scorecard, objects)
        elif report is None:
            held.pop(key_or_variant, None)
            scorecard.apply_report(key_or_variant, None, at=1.0)
        else:
            before = naive.scope_tallies(naive.resources_of(held, objects))
            held[key_or_variant] = report
            scorecard.apply_report(key_or_variant, report, at=1.0)
            if naive.scope_tallies(naive.resources_of(held, objects)) != before:
                assert scorecard.revision > revision, "a number moved but the revision did not"
        assert_matches(scorecard, held, objects, namespaces)
    assert scorecard.reports == len(held)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_the_outcome_changes_replay_to_the_final_verdicts(ops):
    """Replaying every OutcomeChange from nothing gives exactly the verdicts a fresh computation finds."""
    scorecard = Scorecard()
    objects = context(0)
    set_context(scorecard, objects)
    held: dict[str, dict] = {}
    replayed: dict[tuple[str, str], str] = {}
    for op, key_or_variant, report in ops:
        if op == "context":
            objects = context(key_or_variant)
            by_kind: dict[str, list[dict]] = defaultdict(list)
            for obj in objects:
                by_kind[obj["kind"]].append(obj)
            changes = [c for kind in CONTEXT_KINDS for c in scorecard.set_context(kind, by_kind.get(kind, []), at=2.0)]
        else:
            if report is None:
                held.pop(key_or_variant, None)
            else:
                held[key_or_variant] = report
            changes = scorecard.apply_report(key_or_variant, report, at=2.0)
        for change in changes:
            assert replayed.get((change.resource, change.policy), "") == change.before
            replayed[(change.resource, change.policy)] = change.after
    final = {
        (key, policy): verdict[0]
        for key, r in naive.resources_of(held, objects).items()
        for policy, verdict in r.verdicts.items()
    }
    assert {k: v for k, v in replayed.items() if v} == final


@st.composite
def rescans(draw: st.DrawFn) -> tuple[int, dict | None]:
    """Kyverno's shape: one report per resource, rescanned (results change) or deleted."""
    index = draw(st.integers(0, len(RESOURCES) - 1))
    if draw(st.integers(0, 5)) == 0:
        return index, None
    kind, namespace, name = RESOURCES[index]
    policies = draw(st.lists(st.sampled_from(sorted(POLICIES)), min_size=1, max_size=4, unique=True))
    report_results = []
    for policy in policies:
        result = {"policy": policy, "rule": policy, "result": draw(st.sampled_from(("pass", "fail", "warn", "skip")))}
        if POLICIES[policy]:
            result["category"] = POLICIES[policy]
        report_results.append(result)
    report = {
        "apiVersion": "wgpolicyk8s.io/v1alpha2",
        "kind": "PolicyReport" if namespace else "ClusterPolicyReport",
        "metadata": _meta(f"uid-{index}", namespace),
        "scope": _reference(RESOURCES[index]),
        "results": report_results,
    }
    return index, report


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rescans(), min_size=1, max_size=30), st.integers(0, 3), namespace_filters)
def test_rescans_of_one_report_per_resource_equal_the_naive_formula(scans, variant, namespaces):
    scorecard = Scorecard()
    objects = context(variant)
    set_context(scorecard, objects)
    held: dict[str, dict] = {}
    for index, report in scans:
        key = f"wgpolicyk8s.io/policyreports/uid-{index}"
        if report is None:
            held.pop(key, None)
        else:
            held[key] = report
        scorecard.apply_report(key, report, at=3.0)
        assert_matches(scorecard, held, objects, namespaces)
