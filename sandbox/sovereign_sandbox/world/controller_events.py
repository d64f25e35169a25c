"""Events the control plane's controllers wrote in the last hour (the API server keeps events an hour):
the ReplicaSet, StatefulSet, DaemonSet, Job and CronJob controllers creating the young pods and jobs, the
autoscaler and deployment controller scaling up, and the scheduler and kubelet placing and starting pods.
"""

from __future__ import annotations

from datetime import datetime

from sovereign_sandbox.world.context import HOUR, WorldContext
from sovereign_sandbox.world.events import add_event, pod_start_events

__all__ = ["controller_events"]

_CREATE_MESSAGES = {
    "ReplicaSet": ("replicaset-controller", "Created pod: {pod}"),
    "DaemonSet": ("daemonset-controller", "Created pod: {pod}"),
    "Job": ("job-controller", "Created pod: {pod}"),
    "StatefulSet": ("statefulset-controller", "create Pod {pod} in StatefulSet {owner} successful"),
}


def _seconds_ago(context: WorldContext, stamp: str) -> float:
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=context.now.tzinfo)
    return (context.now - moment).total_seconds()


def _normal(context: WorldContext, target: dict, reason: str, message: str, component: str, ago: float) -> None:
    add_event(
        context, target, kind="Normal", reason=reason, message=message, component=component, first_ago=ago, last_ago=ago
    )


def _scaled_up(context: WorldContext, replica_set: dict, pod_age: float, objects: dict) -> None:
    """The autoscaler raised the Deployment by one replica, and the deployment controller its ReplicaSet."""
    namespace = replica_set["metadata"]["namespace"]
    deployment = objects.get(("Deployment", namespace, replica_set["metadata"]["ownerReferences"][0]["name"]))
    autoscaler = objects.get(("HorizontalPodAutoscaler", namespace, (deployment or {}).get("metadata", {}).get("name")))
    if deployment is None or autoscaler is None:
        return
    if _seconds_ago(context, autoscaler["status"]["lastScaleTime"]) != pod_age:
        return  # this pod replaced one; nobody scaled
    size = replica_set["spec"]["replicas"]
    message = f"New size: {size}; reason: cpu resource utilization (percentage of request) above target"
    _normal(context, autoscaler, "SuccessfulRescale", message, "horizontal-pod-autoscaler", pod_age + 1)
    message = f"Scaled up replica set {replica_set['metadata']['name']} from {size - 1} to {size}"
    _normal(context, deployment, "ScalingReplicaSet", message, "deployment-controller", pod_age + 1)


def _job_events(context: WorldContext, job: dict, objects: dict) -> None:
    metadata, status = job["metadata"], job.get("status") or {}
    created = _seconds_ago(context, metadata["creationTimestamp"])
    owner = (metadata.get("ownerReferences") or [{}])[0]
    cron_job = objects.get(("CronJob", metadata["namespace"], owner.get("name")))
    if cron_job is not None:
        _normal(context, cron_job, "SuccessfulCreate", f"Created job {metadata['name']}", "cronjob-controller", created)
    if status.get("completionTime"):
        finished = _seconds_ago(context, status["completionTime"])
        _normal(context, job, "Completed", "Job completed", "job-controller", finished)
        if cron_job is not None:
            message = f"Saw completed job: {metadata['name']}, condition: Complete"
            _normal(context, cron_job, "SawCompletedJob", message, "cronjob-controller", finished - 1)


def controller_events(context: WorldContext) -> None:
    """Add the controllers' events about pods and jobs created in the last hour (after `events`)."""
    objects = {
        (item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]): item
        for item in context.objects
        if item["kind"]
        in ("ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "Job", "CronJob", "StatefulSet", "DaemonSet")
    }
    for namespace, pods in list(context.pods_by_namespace.items()):
        for pod in list(pods):
            age = _seconds_ago(context, pod["metadata"]["creationTimestamp"])
            owner = (pod["metadata"].get("ownerReferences") or [{}])[0]
            if age >= HOUR or owner.get("kind") not in _CREATE_MESSAGES:
                continue
            controller = objects.get((owner["kind"], namespace, owner["name"]))
            if controller is None:
                continue
            if owner["kind"] == "Job":
                _job_events(context, controller, objects)
            component, message = _CREATE_MESSAGES[owner["kind"]]
            text = message.format(pod=pod["metadata"]["name"], owner=owner["name"])
            _normal(context, controller, "SuccessfulCreate", text, component, age)
            if owner["kind"] == "ReplicaSet":
                _scaled_up(context, controller, age, objects)
            if pod["spec"].get("nodeName") and pod["status"]["phase"] == "Succeeded":
                pod_start_events(context, pod, age)  # running pods got theirs from `events`
            elif pod["spec"].get("nodeName") and pod["status"]["phase"] == "Pending":
                node = pod["spec"]["nodeName"]
                message = f"Successfully assigned {namespace}/{pod['metadata']['name']} to {node}"
                _normal(context, pod, "Scheduled", message, "default-scheduler", age)
