"""What the compliance browser tests share: the score as they compute it themselves, from `kubectl get …
-o json` straight from compliance.md and sharing no code with the console, and waiting for a page to agree.

The conventions the spec leaves open follow the console's documented ones: a policy with several counted
results on one resource takes the worst (fail > warn > pass); an EnvironmentPolicy without a weights map
weighs every policy 1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

PERCENT = re.compile(r"^\d{1,3}%$")
LIVE = re.compile(r"^live: \d\d:\d\d:\d\d UTC$")
FIRST_SCORE_MS = 60_000  # spec: the first score appears within 60 s of start
KUBECTL = Path(sys.executable).parent / "kubectl"
APPLICATION = (
    "catalyst.openova.io/application",
    "openova.io/application",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/name",
)
ENVIRONMENT = ("catalyst.openova.io/environment", "openova.io/environment")
ORGANIZATION = ("catalyst.openova.io/organization", "openova.io/organization")
STATEFUL = {"statefulset", "persistentvolumeclaim", "daemonset"}
# A reference without a namespace inside a namespaced report is in the report's namespace, unless its
# kind is cluster-scoped.
CLUSTER_SCOPED = {
    "namespace", "node", "persistentvolume", "clusterrole", "clusterrolebinding", "storageclass",
    "customresourcedefinition", "clusterpolicy", "environment", "environmentpolicy", "organization",
}  # fmt: skip
WORST_FIRST = ("fail", "warn", "pass")
CONTEXT = "deployments,statefulsets,daemonsets,replicasets,pods,namespaces"
POLICY_REPORTS = "policyreports.wgpolicyk8s.io,clusterpolicyreports.wgpolicyk8s.io"
OPENREPORTS = "reports.openreports.io,clusterreports.openreports.io"


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _first(labels: dict[str, str], keys: Iterable[str]) -> str:
    return next((labels[key] for key in keys if labels.get(key)), "")


@dataclass
class Tally:
    num: int = 0
    den: int = 0
    fails: int = 0

    @property
    def score(self) -> int | None:
        return None if self.den <= 0 else max(0, min(100, self.num * 100 // self.den))

    @property
    def text(self) -> str:
        return "—" if self.score is None else f"{self.score}%"


@dataclass
class Resource:
    kind: str
    namespace: str
    name: str
    results: dict[str, list[str]] = field(default_factory=dict)  # policy → its results
    application: str = ""
    environment: str = ""
    organization: str = ""
    verdicts: dict[str, tuple[str, int]] = field(default_factory=dict)  # policy → (pass|warn|fail, weight)

    @property
    def tally(self) -> Tally:
        tally = Tally()
        for result, weight in self.verdicts.values():
            tally.den += weight
            tally.num += weight if result == "pass" else 0
            tally.fails += result == "fail"
        return tally


class Snapshot:
    """Reports, weights and labels as kubectl printed them, and every resource's verdicts."""

    def __init__(self, kubeconfig: Path, openreports: bool = True):
        kinds = POLICY_REPORTS + (f",{OPENREPORTS}" if openreports else "")
        listed = json.loads(kubectl(kubeconfig, "get", f"{kinds},environmentpolicies,environments", "-A", "-o", "json"))
        context = json.loads(kubectl(kubeconfig, "get", CONTEXT, "-A", "-o", "json"))
        self.objects: dict[tuple[str, str, str], dict] = {}
        for obj in context["items"]:
            meta = obj["metadata"]
            self.objects[(obj["kind"].lower(), meta.get("namespace", ""), meta["name"])] = obj
        reports = [o for o in listed["items"] if o["kind"] not in ("Environment", "EnvironmentPolicy")]
        self.policy_refs = {
            o["metadata"]["name"]: (o.get("spec") or {}).get("policyRef", "")
            for o in listed["items"]
            if o["kind"] == "Environment"
        }
        self.environment_policies = {
            o["metadata"]["name"]: (o.get("spec") or {}).get("compliance") or {}
            for o in listed["items"]
            if o["kind"] == "EnvironmentPolicy"
        }
        self.resources: dict[str, Resource] = {}
        for report in reports:
            self._read(report)
        for resource in self.resources.values():
            self._attribute(resource)
            self._weigh(resource)

    def _read(self, report: dict) -> None:
        report_namespace = report["metadata"].get("namespace", "")
        own = {"kind": report["kind"], "name": report["metadata"]["name"], "namespace": report_namespace}
        for result in report.get("results") or ():
            if not result.get("policy"):
                continue
            ref = (result.get("resources") or [None])[0] or report.get("scope") or own
            kind = ref["kind"]
            namespace = ref.get("namespace") or ("" if kind.lower() in CLUSTER_SCOPED else report_namespace)
            key = f"{kind.lower()}/{namespace}/{ref['name']}"
            resource = self.resources.setdefault(key, Resource(kind, namespace, ref["name"]))
            resource.results.setdefault(result["policy"], []).append(str(result.get("result", "")).lower())

    def labels(self, kind: str, namespace: str, name: str) -> dict[str, str]:
        obj = self.objects.get((kind.lower(), namespace, name)) or {}
        return (obj.get("metadata") or {}).get("labels") or {}

    def _controller(self, kind: str, namespace: str, name: str) -> tuple[str, str] | None:
        obj = self.objects.get((kind.lower(), namespace, name))
        owners = ((obj or {}).get("metadata") or {}).get("ownerReferences") or []
        owners = sorted(owners, key=lambda owner: owner.get("controller") is not True)
        return (owners[0]["kind"], owners[0]["name"]) if owners else None

    def workload_of_pod(self, namespace: str, name: str) -> tuple[str, str] | None:
        owner = self._controller("Pod", namespace, name)
        if owner is not None and owner[0] == "ReplicaSet":
            above = self._controller("ReplicaSet", namespace, owner[1])
            if above is not None and above[0] == "Deployment":
                return above
        return owner

    def _attribute(self, resource: Resource) -> None:
        own = self.labels(resource.kind, resource.namespace, resource.name)
        owner: dict[str, str] = {}
        if resource.kind == "Pod":
            workload = self.workload_of_pod(resource.namespace, resource.name)
            owner = self.labels(workload[0], resource.namespace, workload[1]) if workload else {}
        namespace = self.labels("Namespace", "", resource.namespace) if resource.namespace else {}
        if resource.kind == "Namespace":
            namespace = own
        resource.application = _first(own, APPLICATION) or _first(owner, APPLICATION)
        resource.environment = _first(own, ENVIRONMENT) or _first(owner, ENVIRONMENT) or _first(namespace, ENVIRONMENT)
        resource.organization = (
            _first(own, ORGANIZATION) or _first(owner, ORGANIZATION) or _first(namespace, ORGANIZATION)
        )

    def weights_for(self, environment: str) -> dict[str, dict] | None:
        """policy → {weight, scope} of the environment's EnvironmentPolicy; None: every policy weighs 1."""
        compliance = self.environment_policies.get(self.policy_refs.get(environment, "")) if environment else None
        if compliance is None or not isinstance(compliance.get("weights"), dict):
            return None
        return compliance["weights"]

    def _weigh(self, resource: Resource) -> None:
        weights = self.weights_for(resource.environment)
        stateful = resource.kind.lower() in STATEFUL
        for policy, results in resource.results.items():
            entry = {"weight": 1, "scope": "all"} if weights is None else weights.get(policy)
            if entry is None:
                continue
            if isinstance(entry, dict):
                weight, scope = int(entry.get("weight", 0)), entry.get("scope", "all")
            else:
                weight, scope = int(entry), "all"
            if (scope == "stateful" and not stateful) or (scope == "stateless" and stateful):
                continue
            counted = [result for result in WORST_FIRST if result in results]
            if counted:
                resource.verdicts[policy] = (counted[0], max(0, min(100, weight)))

    def tally(self, namespaces: Iterable[str] | None = None, application: str = "", environment: str = "") -> Tally:
        """The pooled tally of the resources in `namespaces` (None: all, cluster-scoped ones included)."""
        allowed = None if namespaces is None else set(namespaces)
        total = Tally()
        for resource in self.resources.values():
            if allowed is not None and resource.namespace not in allowed:
                continue
            if application and (resource.application, resource.environment) != (application, environment):
                continue
            own = resource.tally
            if own.den > 0:
                total.num, total.den, total.fails = total.num + own.num, total.den + own.den, total.fails + own.fails
        return total

    def resource(self, kind: str, namespace: str, name: str) -> Resource | None:
        return self.resources.get(f"{kind.lower()}/{namespace}/{name}")


Expected = list[tuple[Locator, str | list[str]]]


def converge(checks: Callable[[], Expected], within: float = 45.0) -> Expected:
    """Until every (locator, text) of a fresh computation holds on the page: the page follows the cluster,
    which keeps moving, so each round computes from a new snapshot (bounded)."""
    deadline = time.monotonic() + within
    while True:
        expected = checks()
        try:
            for locator, text in expected:
                expect(locator).to_have_text(text, timeout=3000)
            return expected
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def caption(tally: Tally) -> str:
    return f"{tally.num} of {tally.den} policy weight passing."


def open_dashboard(page: Page, sign_in, username: str, path: str = "/sre/compliance") -> None:
    """Sign in on a dashboard and wait for its first live score."""
    sign_in(page, username, path=path)
    expect(page.get_by_test_id("compliance-live")).to_have_text(LIVE, timeout=FIRST_SCORE_MS)
    expect(page.get_by_test_id("compliance-score")).to_have_text(PERCENT)
