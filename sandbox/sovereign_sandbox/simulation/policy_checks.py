"""The policy library as small Python checks: each answers pass, fail (with a reason) or not applicable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sovereign_sandbox.simulation.base import Obj, matches_selector

__all__ = ["CHECKS", "Facts", "Verdict", "pod_spec_of"]

Verdict = tuple[bool, str] | None  # (passed, what is wrong when not) or None = not applicable
_HARBOR = "harbor.omantel.openova.cloud/"
_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass
class Facts:
    """What some policies need to know about the namespace (gathered once per evaluation)."""

    network_policies: bool = False
    l7_policies: bool = False
    disruption_budgets: list[Obj] = field(default_factory=list)
    autoscalers: list[Obj] = field(default_factory=list)


def pod_spec_of(obj: Obj) -> Obj:
    if obj["kind"] == "Pod":
        return obj.get("spec") or {}
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def _template_metadata(obj: Obj) -> Obj:
    if obj["kind"] == "Pod":
        return obj["metadata"]
    return ((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}


def _containers(obj: Obj) -> list[Obj]:
    return pod_spec_of(obj).get("containers") or []


def _every(obj: Obj, test: Callable[[Obj], bool], path: str, message: str) -> Verdict:
    for index, container in enumerate(_containers(obj)):
        if not test(container):
            prefix = "/spec/containers" if obj["kind"] == "Pod" else "/spec/template/spec/containers"
            return False, f"{message} rule failed at path {prefix}/{index}/{path}/"
    return True, ""


def _replicas(obj: Obj) -> int | None:
    if obj["kind"] not in ("Deployment", "StatefulSet"):
        return None
    return (obj.get("spec") or {}).get("replicas", 1)


def _probes(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: "livenessProbe" in c and "readinessProbe" in c,
        "livenessProbe",
        "Liveness and readiness probes are required.",
    )


def _requests(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: (
            bool((c.get("resources") or {}).get("requests", {}).get("cpu"))
            and bool((c.get("resources") or {}).get("requests", {}).get("memory"))
        ),
        "resources/requests",
        "CPU and memory resource requests are required.",
    )


def _limits(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: bool((c.get("resources") or {}).get("limits", {}).get("memory")),
        "resources/limits",
        "A memory limit is required.",
    )


def _multi_replica(obj: Obj, facts: Facts) -> Verdict:
    replicas = _replicas(obj)
    if replicas is None:
        return None
    return replicas >= 2, f"At least 2 replicas are required to survive a node drain; found {replicas}."


def _pdb(obj: Obj, facts: Facts) -> Verdict:
    replicas = _replicas(obj)
    if replicas is None:
        return None
    labels = _template_metadata(obj).get("labels") or {}
    for budget in facts.disruption_budgets:
        if matches_selector((budget.get("spec") or {}).get("selector"), labels):
            spec = budget["spec"]
            if "maxUnavailable" in spec:
                blocks = str(spec["maxUnavailable"]) in ("0", "0%")
            else:
                minimum = spec.get("minAvailable", 0)
                blocks = str(minimum) == "100%" or (isinstance(minimum, int) and minimum >= replicas)
            if blocks:
                return False, f"PodDisruptionBudget {budget['metadata']['name']} does not permit any eviction."
            return True, ""
    return False, "A PodDisruptionBudget selecting the pods is required."


def _topology(obj: Obj, facts: Facts) -> Verdict:
    replicas = _replicas(obj)
    if replicas is None or replicas < 2:
        return None
    return "topologySpreadConstraints" in pod_spec_of(obj), "topologySpreadConstraints are required for replicas > 1."


def _hpa(obj: Obj, facts: Facts) -> Verdict:
    for autoscaler in facts.autoscalers:
        target = (autoscaler.get("spec") or {}).get("scaleTargetRef") or {}
        if target.get("kind") == obj["kind"] and target.get("name") == obj["metadata"]["name"]:
            spec = autoscaler["spec"]
            return spec.get("minReplicas", 1) < spec.get(
                "maxReplicas", 1
            ), "The HPA cannot scale: minReplicas = maxReplicas."
    return None


def _image_pinned(obj: Obj, facts: Facts) -> Verdict:
    def pinned(container: Obj) -> bool:
        image = container.get("image", "")
        last = image.rsplit("/", 1)[-1]
        return "@sha256:" in image or (":" in last and not last.endswith(":latest"))

    return _every(obj, pinned, "image", "An image tag other than latest (or a digest) is required.")


def _harbor(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj, lambda c: c.get("image", "").startswith(_HARBOR), "image", f"Images must be pulled through {_HARBOR}."
    )


def _flux(obj: Obj, facts: Facts) -> Verdict:
    if obj["kind"] not in _WORKLOADS:
        return None
    labels = obj["metadata"].get("labels") or {}
    managed = "helm.toolkit.fluxcd.io/name" in labels or "kustomize.toolkit.fluxcd.io/name" in labels
    return managed, "The workload must be managed by Flux (HelmRelease or Kustomization labels)."


def _scrape(obj: Obj, facts: Facts) -> Verdict:
    annotations = _template_metadata(obj).get("annotations") or {}
    return annotations.get("prometheus.io/scrape") == "true", "The annotation prometheus.io/scrape=true is required."


def _network_policy(obj: Obj, facts: Facts) -> Verdict:
    return facts.network_policies, "A NetworkPolicy in the namespace is required."


def _l7(obj: Obj, facts: Facts) -> Verdict:
    return facts.l7_policies, "A CiliumNetworkPolicy with mutual authentication is required."


def _otel(obj: Obj, facts: Facts) -> Verdict:
    annotations = _template_metadata(obj).get("annotations") or {}
    injected = any(key.startswith("instrumentation.opentelemetry.io/inject-") for key in annotations)
    return injected, "OpenTelemetry auto-instrumentation must be injected."


def _read_only(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: bool((c.get("securityContext") or {}).get("readOnlyRootFilesystem")),
        "securityContext/readOnlyRootFilesystem",
        "Containers must run as non-root with a read-only root filesystem.",
    )


def _cosign(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj, lambda c: c.get("image", "").startswith(_HARBOR), "image", "The image signature could not be verified."
    )


def _secret_env(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: not any("secretKeyRef" in (e.get("valueFrom") or {}) for e in c.get("env") or ()),
        "env",
        "Secrets must be mounted as files, not passed in environment variables.",
    )


def _backup(obj: Obj, facts: Facts) -> Verdict:
    if obj["kind"] != "StatefulSet" or not (obj.get("spec") or {}).get("volumeClaimTemplates"):
        return None
    annotations = _template_metadata(obj).get("annotations") or {}
    return "backup.velero.io/backup-volumes" in annotations, "Persistent volumes must be included in a backup."


def _volume_expansion(obj: Obj, facts: Facts) -> Verdict:
    if obj["kind"] != "StatefulSet" or not (obj.get("spec") or {}).get("volumeClaimTemplates"):
        return None
    return True, ""


def _host_namespaces(obj: Obj, facts: Facts) -> Verdict:
    spec = pod_spec_of(obj)
    shared = spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC")
    prefix = "/spec" if obj["kind"] == "Pod" else "/spec/template/spec"
    return not shared, (
        "Sharing the host namespaces is disallowed. The fields spec.hostNetwork, spec.hostIPC, and "
        f"spec.hostPID must be unset or set to `false`. rule failed at path {prefix}/hostNetwork/"
    )


def _privileged(obj: Obj, facts: Facts) -> Verdict:
    return _every(
        obj,
        lambda c: not (c.get("securityContext") or {}).get("privileged"),
        "securityContext/privileged",
        "Privileged mode is disallowed. The fields spec.containers[*].securityContext.privileged must be unset "
        "or set to `false`.",
    )


def _non_root(obj: Obj, facts: Facts) -> Verdict:
    if (pod_spec_of(obj).get("securityContext") or {}).get("runAsNonRoot"):
        return True, ""
    return _every(
        obj,
        lambda c: bool((c.get("securityContext") or {}).get("runAsNonRoot")),
        "securityContext/runAsNonRoot",
        "Running as root is not allowed. Either the field spec.securityContext.runAsNonRoot or "
        "spec.containers[*].securityContext.runAsNonRoot must be set to `true`.",
    )


# policy → check; policies without a check here (e.g. forbid-nodeport-service on Services) are skipped.
CHECKS: dict[str, Callable[[Obj, Facts], Verdict]] = {
    "multi-replica-drainability": _multi_replica,
    "pdb-permits-eviction": _pdb,
    "topology-spread": _topology,
    "probes-present": _probes,
    "resource-requests": _requests,
    "resource-limits": _limits,
    "pvc-volume-expansion": _volume_expansion,
    "hpa-effective": _hpa,
    "cilium-l7-mtls": _l7,
    "flux-managed": _flux,
    "harbor-proxy-pull": _harbor,
    "image-tag-pinned": _image_pinned,
    "prometheus-scrape": _scrape,
    "networkpolicy-present": _network_policy,
    "otel-injected": _otel,
    "runasnonroot-readonlyrootfs": _read_only,
    "cosign-verified": _cosign,
    "secret-not-in-env": _secret_env,
    "backup-configured": _backup,
    "disallow-host-namespaces": _host_namespaces,
    "disallow-privileged-containers": _privileged,
    "require-run-as-nonroot": _non_root,
}
