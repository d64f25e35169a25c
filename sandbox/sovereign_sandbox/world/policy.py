"""Kyverno: the policy library as ClusterPolicies and first-generation reports about the seeded workloads.

Reports are computed once from the seeded manifests with small checks; the sandbox's policy engine
replaces them later (then named by resource uid, as Kyverno does). Seeded reports are named
`<kind>-<name>` because uids do not exist yet, and point at their resource through `scope`.
"""

from __future__ import annotations

from collections.abc import Callable

from sovereign_sandbox.world.context import DOMAIN, MINUTE, WorldContext, owner_reference

__all__ = ["policy_library", "policy_reports"]

# policy → (domain, severity, action, category text Kyverno puts in results)
_LIBRARY = {
    "multi-replica-drainability": ("resilience", "medium", "Audit"),
    "pdb-permits-eviction": ("resilience", "medium", "Audit"),
    "topology-spread": ("resilience", "medium", "Audit"),
    "probes-present": ("resilience", "high", "Enforce"),
    "resource-requests": ("resilience", "high", "Enforce"),
    "resource-limits": ("resilience", "low", "Audit"),
    "pvc-volume-expansion": ("resilience", "medium", "Audit"),
    "hpa-effective": ("resilience", "low", "Audit"),
    "cilium-l7-mtls": ("security", "high", "Enforce"),
    "flux-managed": ("governance", "high", "Enforce"),
    "harbor-proxy-pull": ("governance", "high", "Enforce"),
    "image-tag-pinned": ("governance", "high", "Enforce"),
    "prometheus-scrape": ("observability", "low", "Audit"),
    "networkpolicy-present": ("security", "medium", "Audit"),
    "otel-injected": ("observability", "low", "Audit"),
    "runasnonroot-readonlyrootfs": ("security", "medium", "Audit"),
    "cosign-verified": ("security", "medium", "Audit"),
    "secret-not-in-env": ("security", "high", "Audit"),
    "backup-configured": ("resilience", "medium", "Audit"),
    "forbid-nodeport-service": ("network-exposure", "critical", "Audit"),
    "disallow-host-namespaces": ("pod-security", "medium", "Audit"),
    "disallow-privileged-containers": ("pod-security", "medium", "Audit"),
    "require-run-as-nonroot": ("pod-security", "medium", "Audit"),
}
# Category strings drive the console's security / sre / baseline buckets (compliance.md).
_CATEGORY = {
    "resilience": "Reliability",
    "security": "Security",
    "governance": "Governance",
    "observability": "Observability",
    "network-exposure": "Security",
    "pod-security": "Pod Security Standards (Baseline)",
}


def policy_library(context: WorldContext, age: float) -> None:
    for index, (name, (domain, severity, action)) in enumerate(_LIBRARY.items()):
        title = name.replace("-", " ").title()
        context.add(
            {
                "apiVersion": "kyverno.io/v1",
                "kind": "ClusterPolicy",
                "metadata": {
                    "name": name,
                    "labels": {"app.kubernetes.io/part-of": "catalyst-policies"},
                    "annotations": {
                        "policies.kyverno.io/title": title,
                        "policies.kyverno.io/category": _CATEGORY[domain],
                        "policies.kyverno.io/severity": severity,
                        "policies.kyverno.io/subject": "Pod, Deployment, StatefulSet",
                        "policies.kyverno.io/description": f"{title}: part of the Catalyst policy library "
                        f"for Sovereign {DOMAIN}.",
                        "kyverno.io/kyverno-version": "1.15.1",
                    },
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age - index * 7),
                },
                "spec": {
                    "validationFailureAction": action,
                    "background": True,
                    "admission": True,
                    "emitWarning": False,
                    "failurePolicy": "Fail",
                    "rules": [
                        {
                            "name": name,
                            "match": {"any": [{"resources": {"kinds": ["Deployment", "StatefulSet", "DaemonSet"]}}]},
                            "skipBackgroundRequests": True,
                            "validate": {
                                "message": f"{title} is required.",
                                "allowExistingViolations": True,
                                "pattern": {
                                    "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "?*"}}}}
                                },
                            },
                        }
                    ],
                },
                "status": {
                    "ready": True,
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "reason": "Succeeded",
                            "message": "Ready",
                            "lastTransitionTime": context.timestamp(age - index * 7 - 20),
                        }
                    ],
                    "rulecount": {"validate": 1, "generate": 0, "mutate": 0, "verifyimages": 0},
                    "validatingadmissionpolicy": {"generated": False, "message": ""},
                },
            }
        )


def _containers(workload: dict) -> list[dict]:
    return workload["spec"]["template"]["spec"]["containers"]


def _checks(
    context: WorldContext, namespaces_with_policies: set[str], namespaces_with_l7: set[str]
) -> dict[str, Callable[[dict], bool | None]]:
    """policy → check(workload) returning True (pass), False (fail) or None (not applicable)."""

    def replicas(workload: dict) -> int:
        return workload["spec"].get("replicas", 1)

    return {
        "probes-present": lambda w: all("readinessProbe" in c and "livenessProbe" in c for c in _containers(w)),
        "resource-requests": lambda w: all(c.get("resources", {}).get("requests") for c in _containers(w)),
        "resource-limits": lambda w: all(c.get("resources", {}).get("limits") for c in _containers(w)),
        "multi-replica-drainability": lambda w: replicas(w) >= 2,
        "topology-spread": lambda w: (
            None if replicas(w) < 2 else "topologySpreadConstraints" in w["spec"]["template"]["spec"]
        ),
        "image-tag-pinned": lambda w: all(not c["image"].endswith(":latest") for c in _containers(w)),
        "harbor-proxy-pull": lambda w: all(c["image"].startswith(f"harbor.{DOMAIN}/") for c in _containers(w)),
        "flux-managed": lambda w: "helm.toolkit.fluxcd.io/name" in w["metadata"]["labels"],
        "prometheus-scrape": lambda w: (
            w["spec"]["template"]["metadata"]["annotations"].get("prometheus.io/scrape") == "true"
        ),
        "secret-not-in-env": lambda w: (
            not any("secretKeyRef" in e.get("valueFrom", {}) for c in _containers(w) for e in c.get("env", ()))
        ),
        "runasnonroot-readonlyrootfs": lambda w: all(
            c.get("securityContext", {}).get("readOnlyRootFilesystem") for c in _containers(w)
        ),
        "networkpolicy-present": lambda w: w["metadata"]["namespace"] in namespaces_with_policies,
        "cilium-l7-mtls": lambda w: w["metadata"]["namespace"] in namespaces_with_l7,
    }


def _result(policy: str, outcome: bool, seconds: int) -> dict:
    domain, severity, _ = _LIBRARY[policy]
    message = (
        f"validation rule '{policy}' passed."
        if outcome
        else f"validation error: {policy.replace('-', ' ')} is required. rule {policy} failed at path /spec/template/"
    )
    return {
        "policy": policy,
        "rule": policy,
        "result": "pass" if outcome else "fail",
        "scored": True,
        "severity": severity,
        "category": _CATEGORY[domain],
        "source": "kyverno",
        "message": message,
        "timestamp": {"seconds": seconds, "nanos": 0},
    }


def policy_reports(context: WorldContext) -> None:
    """One PolicyReport per application workload, a ClusterPolicyReport per application namespace,
    and one openreports Report (Kyverno's newer output) for a control-plane pod."""
    with_policies = {item["metadata"]["namespace"] for item in context.objects if item["kind"] == "NetworkPolicy"}
    with_l7 = {
        item["metadata"]["namespace"]
        for item in context.objects
        if item["kind"] == "CiliumNetworkPolicy" and "authentication" in item["spec"]["ingress"][0]
    }
    checks = _checks(context, with_policies, with_l7)
    scanned = int(context.now.timestamp()) - context.rng.randint(2 * MINUTE, 50 * MINUTE)
    workloads = [
        item
        for item in context.objects
        if item["kind"] in ("Deployment", "StatefulSet")
        and "catalyst.openova.io/application" in item["metadata"]["labels"]
    ]
    for workload in workloads:
        results = []
        for policy, check in checks.items():
            outcome = check(workload)
            if outcome is not None:
                results.append(_result(policy, outcome, scanned))
        kind, name, namespace = workload["kind"], workload["metadata"]["name"], workload["metadata"]["namespace"]
        context.add(
            {
                "apiVersion": "wgpolicyk8s.io/v1alpha2",
                "kind": "PolicyReport",
                "metadata": {
                    "name": f"{kind.lower()}-{name}",
                    "namespace": namespace,
                    "labels": {"app.kubernetes.io/managed-by": "kyverno"},
                    "annotations": {},
                    "ownerReferences": [owner_reference("apps/v1", kind, name, controller=False)],
                    "creationTimestamp": context.timestamp(context.now.timestamp() - scanned + 30),
                },
                "scope": {"apiVersion": "apps/v1", "kind": kind, "name": name, "namespace": namespace},
                "results": results,
                "summary": _summary(results),
            }
        )
    for namespace in sorted({workload["metadata"]["namespace"] for workload in workloads}):
        results = [_result("networkpolicy-present", namespace in with_policies, scanned)]
        context.add(
            {
                "apiVersion": "wgpolicyk8s.io/v1alpha2",
                "kind": "ClusterPolicyReport",
                "metadata": {
                    "name": f"namespace-{namespace}",
                    "labels": {"app.kubernetes.io/managed-by": "kyverno"},
                    "annotations": {},
                    "ownerReferences": [owner_reference("v1", "Namespace", namespace, controller=False)],
                    "creationTimestamp": context.timestamp(context.now.timestamp() - scanned + 40),
                },
                "scope": {"apiVersion": "v1", "kind": "Namespace", "name": namespace},
                "results": results,
                "summary": _summary(results),
            }
        )
    pod = next(
        item
        for item in context.objects
        if item["kind"] == "Pod" and item["metadata"]["name"].startswith("kube-apiserver-")
    )
    results = [
        _result("disallow-host-namespaces", False, scanned),
        _result("disallow-privileged-containers", True, scanned),
    ]
    results[0]["message"] = (
        "validation error: Sharing the host namespaces is disallowed. The fields "
        "spec.hostNetwork, spec.hostIPC, and spec.hostPID must be unset or set to `false`. "
        "rule disallow-host-namespaces failed at path /spec/hostNetwork/"
    )
    for result in results:
        result["properties"] = {"process": "background scan"}
    context.add(
        {
            "apiVersion": "openreports.io/v1alpha1",
            "kind": "Report",
            "metadata": {
                "name": f"pod-{pod['metadata']['name']}",
                "namespace": "kube-system",
                "labels": {"app.kubernetes.io/managed-by": "kyverno"},
                "annotations": {},
                "ownerReferences": [owner_reference("v1", "Pod", pod["metadata"]["name"], controller=False)],
                "creationTimestamp": context.timestamp(context.now.timestamp() - scanned + 50),
            },
            "scope": {"apiVersion": "v1", "kind": "Pod", "name": pod["metadata"]["name"], "namespace": "kube-system"},
            "results": results,
            "summary": _summary(results),
        }
    )


def _summary(results: list[dict]) -> dict:
    summary = {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0}
    for result in results:
        summary[result["result"]] += 1
    return summary
