"""Workload controllers and what they own: Deployment → ReplicaSets → Pods, StatefulSet → Pods + PVCs,
DaemonSet → one Pod per node, CronJob → Job → Pod.

Ages are consistent down the chain: a pod is never older than its ReplicaSet, which is never older than
its Deployment. Owner references carry no uid (see `owner_reference`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sovereign_sandbox.world.context import HOUR, MINUTE, WorldContext, owner_reference
from sovereign_sandbox.world.pods import Container, PodCondition, build_pod, container_spec
from sovereign_sandbox.world.storage import bound_claim

__all__ = ["Workload", "add_workload", "cron_job"]


@dataclass
class Workload:
    """One controller of an application (or of the platform)."""

    kind: str  # Deployment | StatefulSet | DaemonSet
    name: str
    namespace: str
    labels: dict  # app.kubernetes.io/* and openova labels; name+instance(+component) form the selector
    containers: list[Container]
    age: float  # seconds since the controller was created
    replicas: int = 1
    faults: dict[int, PodCondition] = field(default_factory=dict)  # replica index → non-running state
    pool: str | None = None  # node pool to schedule on (workers only unless `everywhere`)
    everywhere: bool = False  # DaemonSet that tolerates every taint, control plane included
    host_network: bool = False
    service_account: str = "default"
    pod_annotations: dict = field(default_factory=dict)
    volumes: list[dict] = field(default_factory=list)  # pod volumes besides the token volume
    claim: tuple[str, str, str] | None = None  # StatefulSet volumeClaimTemplate (name, size, storage class)
    revision: int = 1  # Deployment revision; above 1 an older, scaled-down ReplicaSet is kept too
    priority_class: str | None = None

    def selector(self) -> dict:
        keys = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")
        return {key: self.labels[key] for key in keys if key in self.labels}


def _template_spec(workload: Workload) -> dict:
    spec: dict = {
        "containers": [container_spec(container) for container in workload.containers],
        "dnsPolicy": "ClusterFirstWithHostNet" if workload.host_network else "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 2000001000 if workload.priority_class == "system-node-critical" else 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 1001} if workload.kind == "StatefulSet" else {},
        "serviceAccount": workload.service_account,
        "serviceAccountName": workload.service_account,
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
        ],
        "volumes": [dict(volume) for volume in workload.volumes],
    }
    if workload.everywhere:
        spec["tolerations"] = [{"operator": "Exists"}]
    if workload.host_network:
        spec["hostNetwork"] = True
    if workload.priority_class:
        spec["priorityClassName"] = workload.priority_class
    if workload.pool:
        spec["nodeSelector"] = {"openova.io/node-pool": workload.pool}
    return spec


def _controller_metadata(context: WorldContext, workload: Workload, annotations: dict | None = None) -> dict:
    return {
        "name": workload.name,
        "namespace": workload.namespace,
        "labels": dict(workload.labels),
        "annotations": annotations or {},
        "generation": workload.revision,
        "creationTimestamp": context.timestamp(workload.age),
    }


def _pod_template(workload: Workload, labels: dict) -> dict:
    return {
        "metadata": {"labels": labels, "annotations": dict(workload.pod_annotations)},
        "spec": _template_spec(workload),
    }


def _pod_age(context: WorldContext, parent_age: float, condition: PodCondition) -> float:
    if condition == "pending":
        return context.between(2 * MINUTE, 40 * MINUTE)
    if condition == "imagepull":
        return context.between(10 * MINUTE, 3 * HOUR)
    if condition == "crashloop":
        # A crash-looping pod comes from a recent rollout (restarts grow about 12 an hour).
        return context.between(2 * HOUR, 20 * HOUR)
    return min(parent_age - 5, context.between(0.6, 1.0) * parent_age)


def _add_pods(
    context: WorldContext,
    workload: Workload,
    *,
    owner: dict,
    names: list[str],
    labels: list[dict],
    template: dict,
    parent_age: float,
) -> list[dict]:
    pods = []
    for index, (name, pod_labels) in enumerate(zip(names, labels, strict=True)):
        condition = workload.faults.get(index, "running")
        node = None if condition == "pending" else context.pick_worker(workload.pool)
        pods.append(
            context.add(
                build_pod(
                    context,
                    name=name,
                    namespace=workload.namespace,
                    labels=pod_labels,
                    annotations=dict(workload.pod_annotations),
                    owner=owner,
                    template_spec=template["spec"],
                    node=node,
                    age=_pod_age(context, parent_age, condition),
                    condition=condition,
                )
            )
        )
    return pods


def _ready_counts(pods: list[dict]) -> tuple[int, int]:
    ready = sum(
        1
        for pod in pods
        if pod["status"].get("containerStatuses")
        and all(status["ready"] for status in pod["status"]["containerStatuses"])
    )
    return ready, len(pods)


def _deployment(context: WorldContext, workload: Workload) -> None:
    deployment = context.add(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _controller_metadata(
                context, workload, {"deployment.kubernetes.io/revision": str(workload.revision)}
            ),
            "spec": {
                "replicas": workload.replicas,
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600,
                "selector": {"matchLabels": workload.selector()},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": _pod_template(workload, dict(workload.labels)),
            },
        }
    )
    owner = owner_reference("apps/v1", "Deployment", workload.name)
    rollout_age = workload.age if workload.revision == 1 else context.between(0.1, 0.7) * workload.age
    if workload.revision > 1:
        _replica_set(context, workload, deployment, owner, workload.revision - 1, workload.age, replicas=0)
    pods = _replica_set(
        context, workload, deployment, owner, workload.revision, rollout_age, replicas=workload.replicas
    )
    ready, total = _ready_counts(pods)
    unavailable = total - ready
    progressing_at = context.timestamp(rollout_age - 40)
    deployment["status"] = {
        "observedGeneration": workload.revision,
        "replicas": total,
        "updatedReplicas": total,
        **({"readyReplicas": ready, "availableReplicas": ready} if ready else {}),
        **({"unavailableReplicas": unavailable} if unavailable else {}),
        "conditions": [
            {
                "type": "Available",
                "status": "True" if unavailable * 4 <= total else "False",
                "reason": "MinimumReplicasAvailable" if unavailable * 4 <= total else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if unavailable * 4 <= total
                else "Deployment does not have minimum availability.",
                "lastUpdateTime": progressing_at,
                "lastTransitionTime": progressing_at,
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{pods[0]["metadata"]["ownerReferences"][0]["name"]}" has successfully '
                "progressed."
                if pods
                else "",
                "lastUpdateTime": progressing_at,
                "lastTransitionTime": context.timestamp(workload.age),
            },
        ],
    }


def _replica_set(
    context: WorldContext, workload: Workload, deployment: dict, owner: dict, revision: int, age: float, replicas: int
) -> list[dict]:
    template_hash = context.suffix(9 + context.rng.randint(0, 1))
    name = f"{workload.name}-{template_hash}"
    labels = dict(workload.labels) | {"pod-template-hash": template_hash}
    template = _pod_template(workload, labels)
    replica_set = context.add(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": workload.namespace,
                "labels": dict(labels),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(workload.replicas),
                    "deployment.kubernetes.io/max-replicas": str(workload.replicas + 1),
                    "deployment.kubernetes.io/revision": str(revision),
                },
                "generation": 1 if replicas else 2,
                "ownerReferences": [owner],
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": workload.selector() | {"pod-template-hash": template_hash}},
                "template": template,
            },
        }
    )
    pods = _add_pods(
        context,
        workload,
        owner=owner_reference("apps/v1", "ReplicaSet", name),
        names=[f"{name}-{context.suffix()}" for _ in range(replicas)],
        labels=[dict(labels) for _ in range(replicas)],
        template=template,
        parent_age=age,
    )
    ready, total = _ready_counts(pods)
    replica_set["status"] = {
        "replicas": total,
        "fullyLabeledReplicas": total,
        "observedGeneration": replica_set["metadata"]["generation"],
    }
    if ready:
        replica_set["status"].update(readyReplicas=ready, availableReplicas=ready)
    return pods


def _stateful_set(context: WorldContext, workload: Workload) -> None:
    revision = f"{workload.name}-{context.suffix(10)}"
    template = _pod_template(workload, dict(workload.labels))
    spec: dict = {
        "replicas": workload.replicas,
        "serviceName": f"{workload.name}-headless",
        "podManagementPolicy": "OrderedReady",
        "selector": {"matchLabels": workload.selector()},
        "template": template,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "revisionHistoryLimit": 10,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
    }
    if workload.claim:
        claim_name, size, storage_class = workload.claim
        spec["volumeClaimTemplates"] = [
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": claim_name, "labels": workload.selector()},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": size}},
                    "storageClassName": storage_class,
                    "volumeMode": "Filesystem",
                },
                "status": {"phase": "Pending"},
            }
        ]
        for container in template["spec"]["containers"][:1]:
            container["volumeMounts"].insert(0, {"name": claim_name, "mountPath": "/data"})
    stateful_set = context.add(
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": _controller_metadata(context, workload),
            "spec": spec,
        }
    )
    names = [f"{workload.name}-{index}" for index in range(workload.replicas)]
    labels = [
        dict(workload.labels)
        | {
            "apps.kubernetes.io/pod-index": str(index),
            "controller-revision-hash": revision,
            "statefulset.kubernetes.io/pod-name": names[index],
        }
        for index in range(workload.replicas)
    ]
    pods = _add_pods(
        context,
        workload,
        owner=owner_reference("apps/v1", "StatefulSet", workload.name),
        names=names,
        labels=labels,
        template=template,
        parent_age=workload.age,
    )
    for pod in pods:
        if not workload.claim:
            break
        claim_name, size, storage_class = workload.claim
        claim_for_pod = f"{claim_name}-{pod['metadata']['name']}"
        pod["spec"]["volumes"].insert(0, {"name": claim_name, "persistentVolumeClaim": {"claimName": claim_for_pod}})
        node = next(node for node in context.nodes if node.name == pod["spec"].get("nodeName", context.nodes[-1].name))
        claim, volume = bound_claim(
            context,
            name=claim_for_pod,
            namespace=workload.namespace,
            size=size,
            labels=workload.selector(),
            age=workload.age - 2,
            node=node,
            storage_class=storage_class,
        )
        context.add(volume)
        context.add(claim)
    ready, total = _ready_counts(pods)
    stateful_set["status"] = {
        "observedGeneration": workload.revision,
        "replicas": total,
        "currentReplicas": total,
        "updatedReplicas": total,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
        "availableReplicas": ready,
        **({"readyReplicas": ready} if ready else {}),
    }


def _daemon_set(context: WorldContext, workload: Workload) -> None:
    template_generation = str(workload.revision)
    revision_hash = context.suffix(9)
    template = _pod_template(workload, dict(workload.labels))
    daemon_set = context.add(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": _controller_metadata(
                context, workload, {"deprecated.daemonset.template.generation": template_generation}
            ),
            "spec": {
                "selector": {"matchLabels": workload.selector()},
                "template": template,
                "revisionHistoryLimit": 10,
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            },
        }
    )
    nodes = [node for node in context.nodes if workload.everywhere or not node.control_plane]
    owner = owner_reference("apps/v1", "DaemonSet", workload.name)
    for node in nodes:
        spec = dict(template["spec"])
        # The DaemonSet controller pins each pod to its node with a required node affinity.
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.name]}]}
                    ]
                }
            }
        }
        labels = dict(workload.labels) | {
            "controller-revision-hash": revision_hash,
            "pod-template-generation": template_generation,
        }
        context.add(
            build_pod(
                context,
                name=f"{workload.name}-{context.suffix()}",
                namespace=workload.namespace,
                labels=labels,
                annotations=dict(workload.pod_annotations),
                owner=owner,
                template_spec=spec,
                node=node,
                age=min(workload.age - 20, context.between(0.8, 1.0) * workload.age),
            )
        )
    count = len(nodes)
    daemon_set["status"] = {
        "currentNumberScheduled": count,
        "desiredNumberScheduled": count,
        "numberAvailable": count,
        "numberMisscheduled": 0,
        "numberReady": count,
        "observedGeneration": workload.revision,
        "updatedNumberScheduled": count,
    }


def add_workload(context: WorldContext, workload: Workload) -> None:
    """Add the controller and everything it owns to the world."""
    builders = {"Deployment": _deployment, "StatefulSet": _stateful_set, "DaemonSet": _daemon_set}
    builders[workload.kind](context, workload)


def cron_job(context: WorldContext, workload: Workload, schedule: str) -> None:
    """A CronJob with its last Job and that Job's Completed pod."""
    cron_labels = dict(workload.labels)
    template = _pod_template(workload, dict(workload.labels))
    template["spec"]["restartPolicy"] = "OnFailure"
    last_run = context.between(5 * MINUTE, 55 * MINUTE)
    scheduled_minutes = int((context.now.timestamp() - last_run) // 60)
    job_name = f"{workload.name}-{scheduled_minutes}"
    context.add(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": _controller_metadata(context, workload),
            "spec": {
                "schedule": schedule,
                "concurrencyPolicy": "Forbid",
                "suspend": False,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {"metadata": {"labels": cron_labels}, "spec": {"backoffLimit": 2, "template": template}},
            },
            "status": {
                "lastScheduleTime": context.timestamp(last_run),
                "lastSuccessfulTime": context.timestamp(last_run - 45),
                "active": [],
            },
        }
    )
    finished = context.timestamp(last_run - 45)
    job_labels = cron_labels | {"batch.kubernetes.io/job-name": job_name, "job-name": job_name}
    job_template = _pod_template(workload, job_labels)
    job_template["spec"]["restartPolicy"] = "OnFailure"
    context.add(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": job_name,
                "namespace": workload.namespace,
                "labels": job_labels,
                "annotations": {"batch.kubernetes.io/cronjob-scheduled-timestamp": context.timestamp(last_run)},
                "generation": 1,
                "ownerReferences": [owner_reference("batch/v1", "CronJob", workload.name)],
                "creationTimestamp": context.timestamp(last_run),
            },
            "spec": {
                "backoffLimit": 2,
                "completionMode": "NonIndexed",
                "completions": 1,
                "parallelism": 1,
                "suspend": False,
                "manualSelector": False,
                "podReplacementPolicy": "TerminatingOrFailed",
                "selector": {"matchLabels": {"batch.kubernetes.io/job-name": job_name}},
                "template": job_template,
            },
            "status": {
                "startTime": context.timestamp(last_run - 1),
                "completionTime": context.timestamp(last_run - 45),
                "succeeded": 1,
                "ready": 0,
                "terminating": 0,
                "uncountedTerminatedPods": {},
                "conditions": [
                    {"type": kind, "status": "True", "lastProbeTime": finished, "lastTransitionTime": finished}
                    for kind in ("SuccessCriteriaMet", "Complete")
                ],
            },
        }
    )
    context.add(
        build_pod(
            context,
            name=f"{job_name}-{context.suffix()}",
            namespace=workload.namespace,
            labels=job_labels,
            annotations={},
            owner=owner_reference("batch/v1", "Job", job_name),
            template_spec=job_template["spec"],
            node=context.pick_worker(),
            age=last_run - 1,
            condition="completed",
        )
    )
