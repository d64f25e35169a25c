"""The Deployment and ReplicaSet controllers: rolling updates by pod-template hash, scaling and status."""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from sovereign_sandbox import errors
from sovereign_sandbox.simulation.base import Obj, controller_of, is_ready, now_rfc3339, owner_reference, template_hash
from sovereign_sandbox.simulation.kubelet import new_pod
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["DeploymentController"]

_HASH_LABEL = "pod-template-hash"
_REVISION = "deployment.kubernetes.io/revision"
_CREATE_BURST = 500  # pods one ReplicaSet pass creates at most (the real controller: slow-start batches)


def _resolve(value: Any, total: int, *, round_up: bool) -> int:
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        fraction = total * int(text[:-1]) / 100
        return math.ceil(fraction) if round_up else math.floor(fraction)
    return int(text)


def _without_hash(template: Obj) -> Obj:
    labels = template.get("metadata", {}).get("labels") or {}
    if _HASH_LABEL not in labels:
        return template
    stripped = copy.copy(template)
    stripped["metadata"] = {**template["metadata"], "labels": {k: v for k, v in labels.items() if k != _HASH_LABEL}}
    return stripped


def _revision(obj: Obj) -> int:
    try:
        return int((obj["metadata"].get("annotations") or {}).get(_REVISION, "0"))
    except ValueError:
        return 0


def _condition(old: list[Obj], kind: str, status: str, reason: str, message: str) -> Obj:
    now = now_rfc3339()
    previous = next((condition for condition in old if condition.get("type") == kind), None)
    if previous and (previous.get("status"), previous.get("reason"), previous.get("message")) == (
        status,
        reason,
        message,
    ):
        return previous
    changed = previous is None or previous.get("status") != status
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now if changed else previous.get("lastTransitionTime", now),  # type: ignore[union-attr]
        "reason": reason,
        "message": message,
    }


class DeploymentController:
    def __init__(self, engine: Engine):
        self.engine = engine
        kinds = engine.kinds
        engine.register("deployment", self.reconcile_deployment)
        engine.register("replicaset", self.reconcile_replica_set)
        engine.listen(kinds.deployment.storage_key, self._deployment_changed)
        engine.listen(kinds.replica_set.storage_key, self._replica_set_changed)

    def _deployment_changed(self, change: Change) -> None:
        if change.type != "DELETED":
            metadata = change.obj["metadata"]
            self.engine.enqueue("deployment", metadata["namespace"], metadata["name"])

    def _replica_set_changed(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        if change.type != "DELETED":
            self.engine.enqueue("replicaset", metadata["namespace"], metadata["name"])
        owner = controller_of(change.obj)
        if owner is not None and owner.get("kind") == "Deployment":
            self.engine.enqueue("deployment", metadata["namespace"], owner["name"])

    def reconcile_deployment(self, namespace: str, name: str) -> None:
        engine = self.engine
        kinds, writer = engine.kinds, engine.writer
        deployment = writer.get(kinds.deployment, namespace, name)
        if deployment is None or deployment["metadata"].get("deletionTimestamp"):
            return
        spec = deployment["spec"]
        template = spec["template"]
        replica_sets = sorted(
            engine.replica_sets_of(deployment["metadata"]["uid"]),
            key=lambda item: (item["metadata"].get("creationTimestamp", ""), item["metadata"]["name"]),
        )
        current = next((item for item in replica_sets if _without_hash(item["spec"]["template"]) == template), None)
        top_revision = max((_revision(item) for item in replica_sets), default=0)
        if current is None:
            current = self._create_replica_set(deployment, top_revision + 1)
            if current is None:
                return
            replica_sets.append(current)
        elif _revision(current) < top_revision:
            current = (
                writer.merge(
                    kinds.replica_set, current, {"metadata": {"annotations": {_REVISION: str(top_revision + 1)}}}
                )
                or current
            )
        if not spec.get("paused"):
            self._roll(deployment, current, [item for item in replica_sets if item is not current])
        self._prune_history(deployment, current)
        self._update_status(deployment, current)

    def _create_replica_set(self, deployment: Obj, revision: int) -> Obj | None:
        engine = self.engine
        spec, metadata = deployment["spec"], deployment["metadata"]
        template = copy.deepcopy(spec["template"])
        pod_hash = template_hash(template)
        template.setdefault("metadata", {}).setdefault("labels", {})[_HASH_LABEL] = pod_hash
        selector = copy.deepcopy(spec["selector"])
        selector.setdefault("matchLabels", {})[_HASH_LABEL] = pod_hash
        desired = spec.get("replicas", 1)
        surge = _resolve(
            ((spec.get("strategy") or {}).get("rollingUpdate") or {}).get("maxSurge", "25%"), desired, round_up=True
        )
        replica_set = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{metadata['name']}-{pod_hash}",
                "namespace": metadata["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(desired),
                    "deployment.kubernetes.io/max-replicas": str(desired + surge),
                    _REVISION: str(revision),
                },
                "ownerReferences": [owner_reference(deployment)],
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": spec.get("minReadySeconds", 0),
                "selector": selector,
                "template": template,
            },
        }
        created = engine.writer.create(engine.kinds.replica_set, replica_set)
        if created is not None:
            writer_deployment = engine.writer.get(engine.kinds.deployment, metadata["namespace"], metadata["name"])
            if writer_deployment is not None:
                engine.writer.merge(
                    engine.kinds.deployment,
                    writer_deployment,
                    {"metadata": {"annotations": {_REVISION: str(revision)}}},
                )
        return created

    def _scale(self, deployment: Obj, replica_set: Obj, replicas: int) -> None:
        before = replica_set["spec"].get("replicas", 0)
        if before == replicas:
            return
        updated = self.engine.writer.merge(self.engine.kinds.replica_set, replica_set, {"spec": {"replicas": replicas}})
        if updated is None:
            return
        direction = "up" if replicas > before else "down"
        self.engine.recorder.record(
            deployment,
            "ScalingReplicaSet",
            f"Scaled {direction} replica set {replica_set['metadata']['name']} from {before} to {replicas}",
            component="deployment-controller",
        )

    def _roll(self, deployment: Obj, current: Obj, old: list[Obj]) -> None:
        spec = deployment["spec"]
        desired = spec.get("replicas", 1)
        strategy = spec.get("strategy") or {}
        active_old = [item for item in old if item["spec"].get("replicas", 0) > 0]
        if strategy.get("type") == "Recreate":
            for item in active_old:
                self._scale(deployment, item, 0)
            if not any(self.engine.pods_by_owner.get(item["metadata"]["uid"]) for item in old):
                self._scale(deployment, current, desired)
            return
        rolling = strategy.get("rollingUpdate") or {}
        surge = _resolve(rolling.get("maxSurge", "25%"), desired, round_up=True)
        unavailable = _resolve(rolling.get("maxUnavailable", "25%"), desired, round_up=False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        count = current["spec"].get("replicas", 0)
        total = count + sum(item["spec"].get("replicas", 0) for item in old)
        if count > desired:
            target = desired
        elif count < desired:
            target = min(desired, count + max(0, desired + surge - total))
        else:
            target = count
        self._scale(deployment, current, target)
        available = sum((item.get("status") or {}).get("availableReplicas", 0) for item in [current, *old])
        budget = max(0, available - (desired - unavailable))
        for item in active_old:
            replicas = item["spec"]["replicas"]
            unhealthy = max(0, replicas - (item.get("status") or {}).get("availableReplicas", 0))
            from_budget = min(budget, replicas - unhealthy)
            budget -= from_budget
            self._scale(deployment, item, replicas - unhealthy - from_budget)

    def _prune_history(self, deployment: Obj, current: Obj) -> None:
        limit = deployment["spec"].get("revisionHistoryLimit", 10)
        engine = self.engine
        idle = [
            item
            for item in engine.replica_sets_of(deployment["metadata"]["uid"])
            if item["metadata"]["uid"] != current["metadata"]["uid"]
            and item["spec"].get("replicas", 0) == 0
            and not engine.pods_by_owner.get(item["metadata"]["uid"])
        ]
        idle.sort(key=_revision)
        for item in idle[: max(0, len(idle) - limit)]:
            engine.writer.delete(engine.kinds.replica_set, item)

    def _update_status(self, deployment: Obj, current: Obj) -> None:
        engine = self.engine
        spec, metadata = deployment["spec"], deployment["metadata"]
        desired = spec.get("replicas", 1)
        replica_sets = engine.replica_sets_of(metadata["uid"])
        totals = {"replicas": 0, "readyReplicas": 0, "availableReplicas": 0}
        for item in replica_sets:
            status = item.get("status") or {}
            for field in totals:
                totals[field] += status.get(field, 0)
        updated = (current.get("status") or {}).get("replicas", 0)
        unavailable = max(0, desired - totals["availableReplicas"])
        rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        max_unavailable = _resolve(rolling.get("maxUnavailable", "25%"), desired, round_up=False)
        old_conditions = (deployment.get("status") or {}).get("conditions") or []
        available = totals["availableReplicas"] >= desired - max_unavailable
        complete = updated == desired and totals["replicas"] == updated and totals["availableReplicas"] >= desired
        current_name = current["metadata"]["name"]
        conditions = [
            _condition(
                old_conditions,
                "Available",
                "True" if available else "False",
                "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "Deployment has minimum availability."
                if available
                else "Deployment does not have minimum availability.",
            ),
            _condition(
                old_conditions,
                "Progressing",
                "True",
                "NewReplicaSetAvailable" if complete else "ReplicaSetUpdated",
                f'ReplicaSet "{current_name}" has successfully progressed.'
                if complete
                else f'ReplicaSet "{current_name}" is progressing.',
            ),
        ]
        status: Obj = {"observedGeneration": metadata.get("generation", 1)}
        for field, value in (
            ("replicas", totals["replicas"]),
            ("updatedReplicas", updated),
            ("readyReplicas", totals["readyReplicas"]),
            ("availableReplicas", totals["availableReplicas"]),
            ("unavailableReplicas", unavailable),
        ):
            if value:
                status[field] = value
        status["conditions"] = conditions
        engine.writer.set_status(engine.kinds.deployment, deployment, status)

    def reconcile_replica_set(self, namespace: str, name: str) -> None:
        engine = self.engine
        kinds, writer = engine.kinds, engine.writer
        replica_set = writer.get(kinds.replica_set, namespace, name)
        if replica_set is None or replica_set["metadata"].get("deletionTimestamp"):
            return
        desired = replica_set["spec"].get("replicas", 1)
        pods = [
            pod
            for pod in engine.pods_of(replica_set["metadata"]["uid"])
            if not pod["metadata"].get("deletionTimestamp")
            and pod["status"].get("phase") not in ("Succeeded", "Failed")
        ]
        if len(pods) < desired:
            template = replica_set["spec"]["template"]
            refused = False
            for _ in range(min(_CREATE_BURST, desired - len(pods))):
                pod = new_pod(
                    engine, template, namespace, engine.pod_name(name, namespace), owner_reference(replica_set)
                )
                created = writer.create_or_refusal(kinds.pod, pod)
                if isinstance(created, errors.ApiError):
                    # The real controller sends only generateName: its refusal names that prefix, on every retry.
                    reason = created.message.replace(f'"{pod["metadata"]["name"]}"', f'"{name}-"', 1)
                    engine.refused(
                        replica_set, created, "replicaset", f"Error creating: {reason}", "replicaset-controller"
                    )
                    refused = True
                    break
                pods.append(created)
                engine.recorder.record(
                    replica_set,
                    "SuccessfulCreate",
                    f"Created pod: {created['metadata']['name']}",
                    component="replicaset-controller",
                )
            if len(pods) < desired and not refused:
                engine.after(0.05, "replicaset", namespace, name)
        elif len(pods) > desired:
            # Remove the least useful first: unscheduled, then not ready, then the newest.
            pods.sort(
                key=lambda pod: (pod["metadata"].get("creationTimestamp", ""), pod["metadata"]["name"]), reverse=True
            )
            pods.sort(key=lambda pod: (bool(pod["spec"].get("nodeName")), is_ready(pod)))
            victims = pods[: len(pods) - desired]
            for pod in victims:
                if writer.delete(kinds.pod, pod):
                    engine.recorder.record(
                        replica_set,
                        "SuccessfulDelete",
                        f"Deleted pod: {pod['metadata']['name']}",
                        component="replicaset-controller",
                    )
            kept = {id(pod) for pod in victims}
            pods = [pod for pod in pods if id(pod) not in kept]
        ready = sum(1 for pod in pods if is_ready(pod))
        status: Obj = {"replicas": len(pods), "fullyLabeledReplicas": len(pods)}
        if ready:
            status.update(readyReplicas=ready, availableReplicas=ready)
        status["observedGeneration"] = replica_set["metadata"].get("generation", 1)
        writer.set_status(kinds.replica_set, replica_set, status)
