"""StatefulSet pods `<name>-<ordinal>` in order, DaemonSet pods one per fitting node; both with status."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sovereign_sandbox import errors
from sovereign_sandbox.simulation.base import Obj, controller_of, is_ready, owner_reference, safe_hash, template_hash
from sovereign_sandbox.simulation.kubelet import fits, new_pod
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["SetController"]

_REVISION_LABEL = "controller-revision-hash"


class SetController:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._revisions: dict[str, tuple[int, str]] = {}
        kinds = engine.kinds
        engine.register("statefulset", self.reconcile_stateful_set)
        engine.register("daemonset", self.reconcile_daemon_set)
        engine.listen(kinds.stateful_set.storage_key, self._changed("statefulset"))
        engine.listen(kinds.daemon_set.storage_key, self._changed("daemonset"))
        engine.listen(kinds.pod.storage_key, self._pod_changed)
        engine.listen(kinds.node.storage_key, self._node_changed)

    def _changed(self, controller: str):
        def listener(change: Change) -> None:
            if change.type != "DELETED":
                metadata = change.obj["metadata"]
                self.engine.enqueue(controller, metadata["namespace"], metadata["name"])

        return listener

    def _pod_changed(self, change: Change) -> None:
        owner = controller_of(change.obj)
        if owner is None:
            return
        namespace = change.obj["metadata"]["namespace"]
        kind = owner.get("kind")
        if kind == "ReplicaSet":
            self.engine.enqueue("replicaset", namespace, owner["name"])
        elif kind == "StatefulSet":
            self.engine.enqueue("statefulset", namespace, owner["name"])
        elif kind == "DaemonSet":
            self.engine.enqueue("daemonset", namespace, owner["name"])

    def _node_changed(self, change: Change) -> None:
        if change.type == "MODIFIED" and change.old is not None:
            if (change.old["metadata"].get("labels"), change.old.get("spec")) == (
                change.obj["metadata"].get("labels"),
                change.obj.get("spec"),
            ):
                return
        for daemon_set in self.engine.store.list(self.engine.kinds.daemon_set).items:
            self.engine.enqueue("daemonset", daemon_set["metadata"]["namespace"], daemon_set["metadata"]["name"])

    def _revision(self, obj: Obj, pods: list[Obj]) -> str:
        """The current revision hash: the seeded one until the template changes, then the template's hash."""
        metadata = obj["metadata"]
        generation = metadata.get("generation", 1)
        known = self._revisions.get(metadata["uid"])
        if known is not None and known[0] == generation:
            return known[1]
        revision = template_hash(obj["spec"]["template"])
        if known is None and (obj.get("status") or {}).get("observedGeneration") == generation:
            seeded = (obj.get("status") or {}).get("updateRevision")
            if seeded:
                revision = seeded.removeprefix(f"{metadata['name']}-")
            elif pods:
                revision = pods[0]["metadata"].get("labels", {}).get(_REVISION_LABEL, revision)
        self._revisions[metadata["uid"]] = (generation, revision)
        self._record_revision(obj, revision)
        return revision

    def _record_revision(self, obj: Obj, revision: str) -> None:
        """Keep the template as a ControllerRevision `<name>-<hash>`, numbered after the set's newest one."""
        engine = self.engine
        metadata = obj["metadata"]
        name = f"{metadata['name']}-{revision}"
        kind = engine.kinds.controller_revision
        if engine.writer.get(kind, metadata["namespace"], name) is not None:
            return
        numbers = [
            item.get("revision", 0)
            for item in engine.store.list(kind, metadata["namespace"]).items
            if any(
                reference.get("uid") == metadata["uid"] for reference in item["metadata"].get("ownerReferences") or ()
            )
        ]
        template = copy.deepcopy(obj["spec"]["template"]) | {"$patch": "replace"}
        labels = dict((obj["spec"].get("selector") or {}).get("matchLabels") or {}) | {_REVISION_LABEL: revision}
        engine.writer.create(
            kind,
            {
                "apiVersion": "apps/v1",
                "kind": "ControllerRevision",
                "metadata": {
                    "name": name,
                    "namespace": metadata["namespace"],
                    "labels": labels,
                    "ownerReferences": [owner_reference(obj)],
                },
                "data": {"spec": {"template": template}},
                "revision": max(numbers, default=0) + 1,
            },
        )

    def reconcile_stateful_set(self, namespace: str, name: str) -> None:
        engine = self.engine
        kinds, writer = engine.kinds, engine.writer
        stateful_set = writer.get(kinds.stateful_set, namespace, name)
        if stateful_set is None or stateful_set["metadata"].get("deletionTimestamp"):
            return
        desired = stateful_set["spec"].get("replicas", 1)
        pods = {pod["metadata"]["name"]: pod for pod in engine.pods_of(stateful_set["metadata"]["uid"])}
        revision = self._revision(stateful_set, list(pods.values()))
        full_revision = f"{name}-{revision}"
        ordered = stateful_set["spec"].get("podManagementPolicy", "OrderedReady") == "OrderedReady"
        for ordinal in range(desired):
            pod_name = f"{name}-{ordinal}"
            pod = pods.get(pod_name)
            if pod is None:
                template = stateful_set["spec"]["template"]
                labels = {
                    "apps.kubernetes.io/pod-index": str(ordinal),
                    _REVISION_LABEL: full_revision,
                    "statefulset.kubernetes.io/pod-name": pod_name,
                }
                manifest = new_pod(engine, template, namespace, pod_name, owner_reference(stateful_set), labels)
                manifest["spec"].update(hostname=pod_name, subdomain=stateful_set["spec"].get("serviceName", ""))
                for claim in stateful_set["spec"].get("volumeClaimTemplates") or ():
                    claim_name = claim["metadata"]["name"]
                    manifest["spec"].setdefault("volumes", []).insert(
                        0, {"name": claim_name, "persistentVolumeClaim": {"claimName": f"{claim_name}-{pod_name}"}}
                    )
                created = writer.create_or_refusal(kinds.pod, manifest)
                if isinstance(created, errors.ApiError):
                    message = f"create Pod {pod_name} in StatefulSet {name} failed error: {created.message}"
                    engine.refused(stateful_set, created, "statefulset", message, "statefulset-controller")
                    break
                engine.recorder.record(
                    stateful_set,
                    "SuccessfulCreate",
                    f"create Pod {pod_name} in StatefulSet {name} successful",
                    component="statefulset-controller",
                )
                if ordered:
                    break
            elif ordered and not is_ready(pod):
                break
        for pod_name, pod in sorted(pods.items(), key=lambda item: -int(item[0].rsplit("-", 1)[-1] or 0)):
            ordinal = int(pod_name.rsplit("-", 1)[-1]) if pod_name.rsplit("-", 1)[-1].isdigit() else -1
            stale = pod["metadata"].get("labels", {}).get(_REVISION_LABEL) != full_revision
            if ordinal >= desired or (stale and not pod["metadata"].get("deletionTimestamp")):
                if writer.delete(kinds.pod, pod):
                    engine.recorder.record(
                        stateful_set,
                        "SuccessfulDelete",
                        f"delete Pod {pod_name} in StatefulSet {name} successful",
                        component="statefulset-controller",
                    )
                if ordered or stale:
                    break
        pods = {pod["metadata"]["name"]: pod for pod in engine.pods_of(stateful_set["metadata"]["uid"])}
        ready = sum(1 for pod in pods.values() if is_ready(pod))
        updated = sum(
            1 for pod in pods.values() if pod["metadata"].get("labels", {}).get(_REVISION_LABEL) == full_revision
        )
        status: Obj = {
            "observedGeneration": stateful_set["metadata"].get("generation", 1),
            "replicas": len(pods),
            "currentReplicas": updated,
            "updatedReplicas": updated,
            "currentRevision": full_revision,
            "updateRevision": full_revision,
            "collisionCount": 0,
            "availableReplicas": ready,
        }
        if ready:
            status["readyReplicas"] = ready
        writer.set_status(kinds.stateful_set, stateful_set, status)

    def reconcile_daemon_set(self, namespace: str, name: str) -> None:
        engine = self.engine
        kinds, writer = engine.kinds, engine.writer
        daemon_set = writer.get(kinds.daemon_set, namespace, name)
        if daemon_set is None or daemon_set["metadata"].get("deletionTimestamp"):
            return
        pods = engine.pods_of(daemon_set["metadata"]["uid"])
        revision = self._revision(daemon_set, pods)
        by_node: dict[str, Obj] = {}
        for pod in pods:
            node = pod["spec"].get("nodeName") or _pinned_node(pod)
            if node in by_node or pod["metadata"].get("deletionTimestamp"):
                continue
            by_node[node] = pod
        template = daemon_set["spec"]["template"]
        nodes = [node for node in engine.store.list(kinds.node).items if fits(template.get("spec") or {}, node)]
        wanted = {node["metadata"]["name"] for node in nodes}
        for node_name in sorted(wanted - set(by_node)):
            manifest = new_pod(
                engine,
                template,
                namespace,
                f"{name}-{safe_hash(f'{engine.seed}/{namespace}/{name}/{node_name}/{revision}', 5)}",
                owner_reference(daemon_set),
                {
                    _REVISION_LABEL: revision,
                    "pod-template-generation": str(daemon_set["metadata"].get("generation", 1)),
                },
            )
            manifest["spec"]["affinity"] = {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
                        ]
                    }
                }
            }
            created = writer.create_or_refusal(kinds.pod, manifest)
            if isinstance(created, errors.ApiError):
                # The real controller sends only generateName: its refusal names that prefix, on every retry.
                reason = created.message.replace(f'"{manifest["metadata"]["name"]}"', f'"{name}-"', 1)
                engine.refused(daemon_set, created, "daemonset", f"Error creating: {reason}", "daemonset-controller")
                break
            engine.recorder.record(
                daemon_set,
                "SuccessfulCreate",
                f"Created pod: {created['metadata']['name']}",
                component="daemonset-controller",
            )
        for node_name, pod in sorted(by_node.items()):
            stale = pod["metadata"].get("labels", {}).get(_REVISION_LABEL) != revision
            if node_name not in wanted or stale:
                if writer.delete(kinds.pod, pod):
                    engine.recorder.record(
                        daemon_set,
                        "SuccessfulDelete",
                        f"Deleted pod: {pod['metadata']['name']}",
                        component="daemonset-controller",
                    )
                if stale:
                    break  # maxUnavailable 1: one node at a time
        pods = [
            pod for pod in engine.pods_of(daemon_set["metadata"]["uid"]) if not pod["metadata"].get("deletionTimestamp")
        ]
        ready = sum(1 for pod in pods if is_ready(pod))
        updated = sum(1 for pod in pods if pod["metadata"].get("labels", {}).get(_REVISION_LABEL) == revision)
        status = {
            "currentNumberScheduled": sum(1 for pod in pods if pod["spec"].get("nodeName") in wanted),
            "desiredNumberScheduled": len(wanted),
            "numberAvailable": ready,
            "numberMisscheduled": sum(1 for pod in pods if pod["spec"].get("nodeName") not in wanted | {None}),
            "numberReady": ready,
            "observedGeneration": daemon_set["metadata"].get("generation", 1),
            "updatedNumberScheduled": updated,
        }
        if len(wanted) - ready:
            status["numberUnavailable"] = len(wanted) - ready
        writer.set_status(kinds.daemon_set, daemon_set, copy.deepcopy(status))


def _pinned_node(pod: Obj) -> str:
    required = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or ():
        for field in term.get("matchFields") or ():
            if field.get("key") == "metadata.name" and field.get("values"):
                return field["values"][0]
    return ""
