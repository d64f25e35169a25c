"""A deliberately naive compliance score: everything recomputed from the raw objects, straight from
compliance.md, with no indexes, no caches and none of the Scorecard's code (for the property and sandbox
tests to compare against).

Conventions the Scorecard documents and this follows: reports are read in key order; a policy with several
counted results on one resource takes the worst (fail > warn > pass); a policy's bucket comes from its
ClusterPolicy's category, else the first category its findings on that resource carry, else its name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

APP = (
    "catalyst.openova.io/application",
    "openova.io/application",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/name",
)
ENV = ("catalyst.openova.io/environment", "openova.io/environment")
ORG = ("catalyst.openova.io/organization", "openova.io/organization")
RANK = {"fail": 0, "warn": 1, "pass": 2}


@dataclass
class NaiveTally:
    num: int = 0
    den: int = 0
    violations: int = 0
    resources: int = 0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.num, self.den, self.violations, self.resources)

    @property
    def total(self) -> int | None:
        return None if self.den == 0 else max(0, min(100, self.num * 100 // self.den))


@dataclass
class NaiveResource:
    key: str
    kind: str
    namespace: str
    name: str
    application: str
    environment: str
    organization: str
    findings: list[dict] = field(default_factory=list)  # raw results, reports in key order
    verdicts: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # policy → (result, weight, bucket)
    buckets: dict[str, str] = field(default_factory=dict)  # policy → bucket, for every policy with a finding


def _find(objects: list[dict], kind: str, namespace: str, name: str) -> dict | None:
    for obj in objects:
        meta = obj.get("metadata") or {}
        if obj.get("kind") == kind and meta.get("name") == name and (meta.get("namespace") or "") == namespace:
            return obj
    return None


def _label(obj: dict | None, keys: tuple[str, ...]) -> str:
    labels = ((obj or {}).get("metadata") or {}).get("labels") or {}
    for key in keys:
        if labels.get(key):
            return labels[key]
    return ""


def _controller(obj: dict | None) -> tuple[str, str] | None:
    refs = ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
    for ref in refs:
        if ref.get("controller") is True:
            return ref["kind"], ref["name"]
    return (refs[0]["kind"], refs[0]["name"]) if refs else None


def bucket(policy: str, category: str) -> str:
    text = category.lower()
    if text:
        if "security" in text or "pod security" in text or "rbac" in text:
            return "security"
        if any(word in text for word in ("reliab", "availab", "slo", "sre", "best practice")):
            return "sre"
        return "baseline"
    name = policy.lower()
    words = ("privileg", "host-network", "host-path", "non-root", "capabilities", "selinux", "rbac", "rootfs")
    if any(word in name for word in words):
        return "security"
    if any(word in name for word in ("resources", "pdb", "limit", "probe", "replicas")):
        return "sre"
    return "baseline"


def _ref_of(reference: dict | None, report_namespace: str) -> tuple[str, str, str] | None:
    if not reference or not reference.get("kind") or not reference.get("name"):
        return None
    namespace = reference.get("namespace") or ""
    if not namespace and reference["kind"] != "Namespace":
        namespace = report_namespace
    return reference["kind"], namespace, reference["name"]


def resources_of(reports: dict[str, dict], context: list[dict]) -> dict[str, NaiveResource]:
    """Every resource with findings, attributed and judged from scratch."""
    found: dict[str, NaiveResource] = {}
    for report_key in sorted(reports):
        report = reports[report_key]
        report_namespace = (report.get("metadata") or {}).get("namespace") or ""
        fallback = _ref_of(report.get("scope"), report_namespace)
        if fallback is None:
            fallback = (report["kind"], report_namespace, report["metadata"]["name"])
        for result in report.get("results") or []:
            refs = result.get("resources") or []
            ref = _ref_of(refs[0], report_namespace) if refs else None
            kind, namespace, name = ref or fallback
            key = f"{kind.lower()}/{namespace}/{name}"
            if key not in found:
                found[key] = NaiveResource(key, kind, namespace, name, "", "", "")
            found[key].findings.append(result)
    for resource in found.values():
        _attribute(resource, context)
        _judge(resource, context)
    return found


def _attribute(resource: NaiveResource, context: list[dict]) -> None:
    own = _find(context, resource.kind, resource.namespace, resource.name)
    if resource.kind == "Namespace":
        namespace = own
    else:
        namespace = _find(context, "Namespace", "", resource.namespace) if resource.namespace else None
    owner = None
    if resource.kind == "Pod" and own is not None:
        controller = _controller(own)
        if controller and controller[0] in ("StatefulSet", "DaemonSet", "Job", "Deployment", "ReplicaSet"):
            owner = _find(context, controller[0], resource.namespace, controller[1])
            if controller[0] == "ReplicaSet" and owner is not None:
                above = _controller(owner)
                if above and above[0] == "Deployment":
                    owner = _find(context, "Deployment", resource.namespace, above[1])
    resource.application = _label(own, APP) or _label(owner, APP)
    resource.environment = _label(own, ENV) or _label(owner, ENV) or _label(namespace, ENV)
    resource.organization = _label(own, ORG) or _label(owner, ORG) or _label(namespace, ORG)


def _weights_for(environment: str, context: list[dict]) -> dict | None:
    """The applicable EnvironmentPolicy's weights map (None: no EnvironmentPolicy, every policy weighs 1)."""
    policies = {obj["metadata"]["name"]: obj for obj in context if obj.get("kind") == "EnvironmentPolicy"}
    chosen = None
    env = _find(context, "Environment", "", environment) if environment else None
    if env is not None and (env.get("spec") or {}).get("policyRef") in policies:
        chosen = policies[env["spec"]["policyRef"]]
    elif environment in policies:
        chosen = policies[environment]
    if chosen is None:
        return None
    weights = ((chosen.get("spec") or {}).get("compliance") or {}).get("weights")
    return weights if isinstance(weights, dict) else None


def _judge(resource: NaiveResource, context: list[dict]) -> None:
    weights = _weights_for(resource.environment, context)
    stateful = resource.kind.lower() in ("statefulset", "persistentvolumeclaim", "daemonset")
    cluster_policies = {obj["metadata"]["name"]: obj for obj in context if obj.get("kind") == "ClusterPolicy"}
    for result in resource.findings:
        policy, outcome = result["policy"], str(result.get("result") or "").lower()
        annotations = (cluster_policies.get(policy, {}).get("metadata") or {}).get("annotations") or {}
        category = annotations.get("policies.kyverno.io/category") or next(
            (r.get("category") for r in resource.findings if r["policy"] == policy and r.get("category")), ""
        )
        resource.buckets[policy] = bucket(policy, category)
        if outcome not in RANK:
            continue
        if weights is None:
            weight, scope = 1, "all"
        elif policy in weights:
            weight, scope = weights[policy]["weight"], weights[policy].get("scope", "all")
        else:
            continue
        if (scope == "stateful" and not stateful) or (scope == "stateless" and stateful):
            continue
        held = resource.verdicts.get(policy)
        if held is None or RANK[outcome] < RANK[held[0]]:
            resource.verdicts[policy] = (outcome, weight, resource.buckets[policy])


def tally(resource: NaiveResource, security_only: bool = False) -> NaiveTally:
    result = NaiveTally()
    for outcome, weight, policy_bucket in resource.verdicts.values():
        if security_only and policy_bucket != "security":
            continue
        result.den += weight
        result.num += weight if outcome == "pass" else 0
        result.violations += outcome == "fail"
    result.resources = 1 if result.den > 0 else 0
    return result


def pooled(resources: list[NaiveResource], security_only: bool = False) -> NaiveTally:
    """Pooled sums over resources with den > 0 (never an average of percentages)."""
    total = NaiveTally()
    for resource in resources:
        one = tally(resource, security_only)
        if one.den > 0:
            total.num += one.num
            total.den += one.den
            total.violations += one.violations
            total.resources += 1
    return total


def visible(resources: dict[str, NaiveResource], namespaces: frozenset[str] | None) -> list[NaiveResource]:
    return [r for r in resources.values() if namespaces is None or (r.namespace and r.namespace in namespaces)]


def scope_tallies(resources: dict[str, NaiveResource]) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    groups: dict[tuple[str, str], list[NaiveResource]] = defaultdict(list)
    for r in resources.values():
        groups[("sovereign", "")].append(r)
        if r.organization:
            groups[("organization", r.organization)].append(r)
        if r.environment:
            groups[("environment", r.environment)].append(r)
        if r.application:
            groups[("application", f"{r.environment}/{r.application}")].append(r)
        if r.namespace:
            groups[("namespace", r.namespace)].append(r)
    groups.setdefault(("sovereign", ""), [])
    return {scope: pooled(members).as_tuple() for scope, members in groups.items()}


def category_scores(resources: list[NaiveResource], security_only: bool = False) -> dict[str, tuple]:
    """bucket → (score, num, den, policy_count) over the policies counted on these resources."""
    weights: dict[tuple[str, str], int] = {}
    failures: dict[tuple[str, str], int] = defaultdict(int)
    for r in resources:
        for policy, (outcome, weight, policy_bucket) in r.verdicts.items():
            if security_only and policy_bucket != "security":
                continue
            key = (policy, policy_bucket)
            weights[key] = max(weights.get(key, 0), weight)
            failures[key] += outcome == "fail"
    scores = {}
    for name in ("security", "sre", "baseline"):
        num = den = count = 0
        for (policy, policy_bucket), weight in weights.items():
            if policy_bucket != name:
                continue
            w = max(weight, 1)
            den += w
            num += w if failures[(policy, policy_bucket)] == 0 else 0
            count += 1
        scores[name] = (num * 100 // den if den else None, num, den, count)
    return scores


def result_counts(resources: list[NaiveResource], security_only: bool = False) -> dict[str, tuple[int, ...]]:
    """namespace → (pass, warn, fail, skip, error) findings."""
    counts: dict[str, list[int]] = {}
    order = ("pass", "warn", "fail", "skip", "error")
    for r in resources:
        for result in r.findings:
            outcome = str(result.get("result") or "").lower()
            if outcome not in order:
                continue
            if security_only and r.buckets[result["policy"]] != "security":
                continue
            counts.setdefault(r.namespace, [0] * 5)[order.index(outcome)] += 1
    return {namespace: tuple(values) for namespace, values in counts.items()}


def violations(resources: list[NaiveResource], security_only: bool = False) -> list[tuple[str, str]]:
    return sorted(
        (r.key, policy)
        for r in resources
        for policy, (outcome, _, policy_bucket) in r.verdicts.items()
        if outcome == "fail" and (not security_only or policy_bucket == "security")
    )
