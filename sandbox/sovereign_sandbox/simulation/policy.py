"""The Kyverno stand-in: one `wgpolicyk8s.io/v1alpha2` PolicyReport per resource, named by its uid, kept in
step with the resource (a background scan within about a second of each change)."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import Obj, owner_reference
from sovereign_sandbox.simulation.policy_checks import CHECKS, Facts
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["PolicyEngine"]

_MANAGED_BY = {"app.kubernetes.io/managed-by": "kyverno"}
_DELAY = 0.2  # seconds from a change to its re-scan (changes in between are scanned once)
_POD_SECURITY = "Pod Security"


class PolicyEngine:
    def __init__(self, engine: Engine):
        self.engine = engine
        kinds = engine.kinds
        self.scanned: dict[str, ResourceType] = {
            "Pod": kinds.pod,
            "Deployment": kinds.deployment,
            "StatefulSet": kinds.stateful_set,
            "DaemonSet": kinds.daemon_set,
        }
        self.policies: dict[str, Obj] = {}  # name → {kinds, severity, category, scored}
        self._extra = {
            kind: engine.cluster.catalogue.get(group, version, plural)
            for kind, (group, version, plural) in {
                "networkpolicies": ("networking.k8s.io", "v1", "networkpolicies"),
                "ciliumnetworkpolicies": ("cilium.io", "v2", "ciliumnetworkpolicies"),
                "poddisruptionbudgets": ("policy", "v1", "poddisruptionbudgets"),
                "horizontalpodautoscalers": ("autoscaling", "v2", "horizontalpodautoscalers"),
            }.items()
        }
        if kinds.policy_report is None:
            return
        for kind, resource in self.scanned.items():
            engine.register(f"policy/{kind}", self._scanner(kind))
            engine.listen(resource.storage_key, self._changed(kind))
        if kinds.cluster_policy is not None:
            engine.listen(kinds.cluster_policy.storage_key, lambda change: self._load_policies())

    def start(self) -> None:
        """Replace the seeded `<kind>-<name>` reports with uid-named ones and scan every resource."""
        engine = self.engine
        if engine.kinds.policy_report is None:
            return
        self._load_policies()
        for report in engine.store.list(engine.kinds.policy_report).items:
            scope = report.get("scope") or {}
            if scope.get("kind") in self.scanned and report["metadata"]["name"] != scope.get("uid"):
                engine.writer.delete(engine.kinds.policy_report, report)
        for kind, resource in self.scanned.items():
            for obj in engine.store.list(resource).items:
                engine.enqueue(f"policy/{kind}", obj["metadata"]["namespace"], obj["metadata"]["name"])

    def _load_policies(self) -> None:
        kinds = self.engine.kinds
        self.policies = {}
        if kinds.cluster_policy is None:
            return
        for policy in self.engine.store.list(kinds.cluster_policy).items:
            annotations = policy["metadata"].get("annotations") or {}
            category = annotations.get("policies.kyverno.io/category", "")
            matched: set[str] = set()
            for rule in (policy.get("spec") or {}).get("rules") or ():
                match = rule.get("match") or {}
                for clause in (match.get("any") or []) + (match.get("all") or []):
                    matched.update((clause.get("resources") or {}).get("kinds") or ())
            if category.startswith(_POD_SECURITY):
                matched.add("Pod")  # Pod Security policies are written for Pods (controllers by autogen)
            severity = annotations.get("policies.kyverno.io/severity", "")
            self.policies[policy["metadata"]["name"]] = {
                "kinds": matched,
                "category": category,
                "severity": severity if severity in ("critical", "high", "medium", "low", "info") else "",
                "scored": annotations.get("policies.kyverno.io/scored") != "false",
                "rule": ((policy.get("spec") or {}).get("rules") or [{}])[0].get("name", policy["metadata"]["name"]),
            }

    def _changed(self, kind: str):
        def listener(change: Change) -> None:
            metadata = change.obj["metadata"]
            if change.type == "DELETED":
                self._delete_report(metadata)
                return
            old = change.old or {}
            if (
                change.type == "MODIFIED"
                and kind != "Pod"
                and old.get("spec") == change.obj.get("spec")
                and (old["metadata"].get("labels") == metadata.get("labels"))
            ):
                return  # status-only changes do not change a verdict
            if kind == "Pod" and change.type == "MODIFIED" and old.get("spec") == change.obj.get("spec"):
                return
            self.engine.after(_DELAY, f"policy/{kind}", metadata["namespace"], metadata["name"])

        return listener

    def _delete_report(self, metadata: Obj) -> None:
        engine = self.engine
        report = engine.writer.get(engine.kinds.policy_report, metadata["namespace"], metadata["uid"])
        if report is not None:
            engine.writer.delete(engine.kinds.policy_report, report)

    def _facts(self, namespace: str) -> Facts:
        store = self.engine.store
        facts = Facts()

        def items(plural: str) -> list[Obj]:
            resource = self._extra.get(plural)
            return store.list(resource, namespace).items if resource is not None else []

        facts.network_policies = bool(items("networkpolicies"))
        facts.l7_policies = any(
            "authentication" in rule
            for policy in items("ciliumnetworkpolicies")
            for rule in (policy.get("spec") or {}).get("ingress") or ()
        )
        facts.disruption_budgets = items("poddisruptionbudgets")
        facts.autoscalers = items("horizontalpodautoscalers")
        return facts

    def _scanner(self, kind: str):
        def scan(namespace: str, name: str) -> None:
            engine = self.engine
            obj = engine.writer.get(self.scanned[kind], namespace, name)
            if obj is None or obj["metadata"].get("deletionTimestamp"):
                return
            self.report(obj)

        return scan

    def report(self, obj: Obj) -> None:
        engine = self.engine
        facts: Facts | None = None
        seconds = int(time.time())
        results = []
        for policy, meta in sorted(self.policies.items()):
            check = CHECKS.get(policy)
            if check is None or obj["kind"] not in meta["kinds"]:
                continue
            if facts is None:
                facts = self._facts(obj["metadata"]["namespace"])
            verdict = check(obj, facts)
            if verdict is None:
                continue
            passed, reason = verdict
            outcome = "pass" if passed else ("fail" if meta["scored"] else "warn")
            results.append(
                {
                    "policy": policy,
                    "rule": meta["rule"],
                    "result": outcome,
                    "scored": meta["scored"],
                    "severity": meta["severity"],
                    "category": meta["category"],
                    "source": "kyverno",
                    "message": f"validation rule '{meta['rule']}' passed." if passed else f"validation error: {reason}",
                    "timestamp": {"seconds": seconds, "nanos": 0},
                    "properties": {"process": "background scan"},
                }
            )
        metadata = obj["metadata"]
        summary = {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0}
        for result in results:
            summary[result["result"]] += 1
        scope = {
            "apiVersion": obj["apiVersion"],
            "kind": obj["kind"],
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "uid": metadata["uid"],
        }
        existing = engine.writer.get(engine.kinds.policy_report, metadata["namespace"], metadata["uid"])
        if existing is None:
            engine.writer.create(
                engine.kinds.policy_report,
                {
                    "apiVersion": "wgpolicyk8s.io/v1alpha2",
                    "kind": "PolicyReport",
                    "metadata": {
                        "name": metadata["uid"],
                        "namespace": metadata["namespace"],
                        "labels": dict(_MANAGED_BY),
                        "ownerReferences": [owner_reference(obj, controller=False)],
                    },
                    "scope": scope,
                    "results": results,
                    "summary": summary,
                },
            )
            return
        if _without_time(existing.get("results") or []) == _without_time(results) and existing.get("scope") == scope:
            return
        updated = copy.deepcopy(existing)
        updated.update(scope=scope, results=results, summary=summary)
        engine.writer.replace(engine.kinds.policy_report, updated)


def _without_time(results: list[Obj]) -> list[Obj]:
    return [{key: value for key, value in result.items() if key != "timestamp"} for result in results]
