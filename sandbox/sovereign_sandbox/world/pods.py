"""Pods as the kubelet reports them: spec from a workload's template, status from a chosen condition.

Pod building is the hot path of the benchmark worlds (50,000 pods), so the template is built once per
workload and copied with marshal, and ids come from `getrandbits` rather than per-character draws.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, field
from typing import Literal

from sovereign_sandbox.world.context import Node, WorldContext

__all__ = ["Container", "PodCondition", "build_pod", "clone", "container_spec", "pod_spec", "without_empty_lists"]

# The state a pod is seeded in: how the simulation's users first meet it.
PodCondition = Literal["running", "crashloop", "imagepull", "pending", "completed"]


@dataclass(frozen=True)
class Container:
    """A container of a workload template (the parts that vary between applications)."""

    name: str
    image: str
    ports: tuple[tuple[str, int], ...] = ()  # (port name, container port)
    probes: bool = True  # some workloads ship without probes so compliance has something to flag
    probe_path: str = "/healthz"
    requests: tuple[str, str] | None = ("100m", "128Mi")  # (cpu, memory)
    limits: tuple[str, str] | None = ("1", "512Mi")
    env: tuple[tuple[str, str], ...] = ()
    secret_env: tuple[tuple[str, str, str], ...] = ()  # (variable, secret name, key)
    mounts: tuple[tuple[str, str], ...] = ()  # (volume name, mount path)
    args: tuple[str, ...] = ()
    run_as_non_root: bool = True
    extra: dict = field(default_factory=dict)  # fields copied verbatim (securityContext overrides, command)


def clone(value):
    """A deep copy of JSON-shaped data; marshal round-trips it in C, many times faster than `copy.deepcopy`."""
    return marshal.loads(marshal.dumps(value))


def container_spec(container: Container) -> dict:
    spec: dict = {
        "name": container.name,
        "image": container.image,
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if container.args:
        spec["args"] = list(container.args)
    if container.ports:
        spec["ports"] = [
            {"name": port_name, "containerPort": port, "protocol": "TCP"} for port_name, port in container.ports
        ]
    environment = [{"name": name, "value": value} for name, value in container.env]
    environment += [
        {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
        for name, secret, key in container.secret_env
    ]
    if environment:
        spec["env"] = environment
    resources: dict = {}
    if container.requests:
        resources["requests"] = {"cpu": container.requests[0], "memory": container.requests[1]}
    if container.limits:
        resources["limits"] = {"cpu": container.limits[0], "memory": container.limits[1]}
    spec["resources"] = resources
    if container.probes and container.ports:
        port_name = container.ports[0][0]
        probe = {
            "httpGet": {"path": container.probe_path, "port": port_name, "scheme": "HTTP"},
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
        spec["livenessProbe"] = probe | {"initialDelaySeconds": 30, "periodSeconds": 10}
        spec["readinessProbe"] = clone(probe) | {"initialDelaySeconds": 5, "periodSeconds": 5}
    if container.run_as_non_root:
        spec["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 1001,
        }
    spec["volumeMounts"] = [{"name": volume, "mountPath": path} for volume, path in container.mounts]
    spec.update(clone(container.extra))
    return spec


def _hex(context: WorldContext, digits: int) -> str:
    return f"{context.rng.getrandbits(digits * 4):0{digits}x}"


def _image_id(context: WorldContext, image: str) -> str:
    # One digest per image per world: every pod running an image reports the same imageID.
    digest = context.image_digests.get(image)
    if digest is None:
        digest = f"sha256:{_hex(context, 64)}"
        context.image_digests[image] = digest
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}@{digest}"


def _conditions(
    context: WorldContext, start: float, ready: bool, scheduled: bool = True, reason: str = "", message: str = ""
) -> list[dict]:
    started = context.timestamp(start)
    if not scheduled:
        return [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": started,
                "reason": "Unschedulable",
                "message": message,
            }
        ]
    ready_since = context.timestamp(start - 8 if ready else min(start, context.between(30, 600)))
    not_ready = {} if ready else {"reason": reason, "message": message}
    return [
        {
            "type": "PodReadyToStartContainers",
            "status": "True",
            "lastProbeTime": None,
            "lastTransitionTime": context.timestamp(start - 3),
        },
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": started},
        {
            "type": "Ready",
            "status": "True" if ready else "False",
            "lastProbeTime": None,
            "lastTransitionTime": ready_since,
            **not_ready,
        },
        {
            "type": "ContainersReady",
            "status": "True" if ready else "False",
            "lastProbeTime": None,
            "lastTransitionTime": ready_since,
            **not_ready,
        },
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": started},
    ]


def _container_status(
    context: WorldContext, container: dict, condition: PodCondition, start: float, pod_name: str, namespace: str
) -> dict:
    image = container["image"]
    status: dict = {
        "name": container["name"],
        "image": image,
        "imageID": _image_id(context, image),
        "containerID": f"containerd://{_hex(context, 64)}",
        "lastState": {},
        "ready": True,
        "started": True,
        "restartCount": 0,
        "volumeMounts": [
            {"name": mount["name"], "mountPath": mount["mountPath"]} for mount in container.get("volumeMounts", ())
        ],
    }
    if condition == "running":
        restarts = 0 if context.rng.random() < 0.85 else context.rng.randint(1, 3)
        status["restartCount"] = restarts
        status["state"] = {"running": {"startedAt": context.timestamp(start - 4)}}
    elif condition == "crashloop":
        # Restarts grow with age: back-off caps at five minutes, so roughly 12 restarts an hour.
        restarts = max(6, int(start / 330))
        last_start = context.between(20, 280)
        status.update(ready=False, started=False, restartCount=restarts)
        status["state"] = {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container={container['name']} pod={pod_name}_{namespace}",
            }
        }
        status["lastState"] = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "containerID": status["containerID"],
                "startedAt": context.timestamp(last_start),
                "finishedAt": context.timestamp(last_start - 2),
            }
        }
    elif condition == "imagepull":
        status.update(ready=False, started=False, imageID="")
        del status["containerID"]
        status["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": f'Back-off pulling image "{image}"'}}
    elif condition == "completed":
        status.update(ready=False, started=False)
        status["state"] = {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "containerID": status["containerID"],
                "startedAt": context.timestamp(start - 2),
                "finishedAt": context.timestamp(start - 41),
            }
        }
    return status


def build_pod(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    labels: dict,
    annotations: dict,
    owner: dict | None,
    template_spec: dict,
    node: Node | None,
    age: float,
    condition: PodCondition = "running",
) -> dict:
    """One Pod manifest; `template_spec` is copied, never shared between pods."""
    spec = clone(template_spec)
    token_volume = f"kube-api-access-{context.suffix()}"
    spec["volumes"].append(
        {
            "name": token_volume,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    for container in spec["containers"]:
        container["volumeMounts"].append(
            {"name": token_volume, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
        )
    metadata: dict = {
        "name": name,
        "namespace": namespace,
        "labels": labels,
        "annotations": annotations,
        "creationTimestamp": context.timestamp(age),
    }
    if owner is not None:
        metadata["ownerReferences"] = [owner]
    status: dict = {"qosClass": _qos_class(spec)}
    if condition == "pending" or node is None:
        status.update(
            phase="Pending",
            conditions=_conditions(
                context,
                age,
                ready=False,
                scheduled=False,
                message=f"0/{len(context.nodes)} nodes are available: 3 node(s) had untolerated taint "
                "{node-role.kubernetes.io/control-plane: }, "
                f"{len(context.nodes) - 3} Insufficient memory. preemption: 0/{len(context.nodes)} nodes are "
                "available: 3 Preemption is not helpful for scheduling, "
                f"{len(context.nodes) - 3} No preemption victims found for incoming pod.",
            ),
        )
        return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}
    spec["nodeName"] = node.name
    pod_ip = node.internal_ip if spec.get("hostNetwork") else context.pod_ip(node)
    statuses = [
        _container_status(context, container, condition, age, name, namespace) for container in spec["containers"]
    ]
    ready = all(container_status["ready"] for container_status in statuses)
    unready = [container_status["name"] for container_status in statuses if not container_status["ready"]]
    reason, message = (
        ("PodCompleted", "")
        if condition == "completed"
        else ("ContainersNotReady", f"containers with unready status: [{' '.join(unready)}]")
    )
    phase = {"imagepull": "Pending", "completed": "Succeeded"}.get(condition, "Running")
    status.update(
        phase=phase,
        conditions=_conditions(context, age, ready, reason=reason, message=message),
        hostIP=node.internal_ip,
        hostIPs=[{"ip": node.internal_ip}],
        podIP=pod_ip,
        podIPs=[{"ip": pod_ip}],
        startTime=context.timestamp(age - 1),
        containerStatuses=statuses,
    )
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec, "status": status}


def _qos_class(spec: dict) -> str:
    resources = [container.get("resources", {}) for container in spec["containers"]]
    if not any(resource.get("requests") or resource.get("limits") for resource in resources):
        return "BestEffort"
    if all(resource.get("limits") and resource.get("requests") == resource.get("limits") for resource in resources):
        return "Guaranteed"
    return "Burstable"


# Where each kind keeps the pod spec its pods are made from.
_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def pod_spec(item: dict) -> dict | None:
    """The pod spec of a Pod, or of the pod template of a workload; None for other kinds."""
    if item["kind"] == "Pod":
        return item["spec"]
    path = _TEMPLATE_PATHS.get(item["kind"])
    if path is None:
        return None
    node = item
    for key in path:
        node = node.get(key) or {}
    return node.get("spec")


def without_empty_lists(objects: list[dict]) -> None:
    """Drop empty `volumes` and `volumeMounts` lists, which the API server's JSON omits (`omitempty`)."""
    for item in objects:
        spec = pod_spec(item)
        if spec is None:
            continue
        if spec.get("volumes") == []:
            del spec["volumes"]
        for container in spec.get("containers") or ():
            if container.get("volumeMounts") == []:
                del container["volumeMounts"]
