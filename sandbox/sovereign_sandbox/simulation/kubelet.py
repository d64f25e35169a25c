"""Scheduler and kubelet: new pods go Pending → scheduled → ContainerCreating → Running within about a second;
crash-looping containers restart with a doubling back-off; bad images stay in ImagePullBackOff until fixed."""

from __future__ import annotations

import copy
import hashlib
import inspect
import ipaddress
from collections import Counter
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import Obj, matches_selector, now_rfc3339
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["Kubelet", "new_pod", "TIMINGS"]

# Seconds between lifecycle steps (scheduling, container creation, start, crash after start, back-off cap).
TIMINGS = {"schedule": 0.1, "create": 0.3, "start": 0.4, "crash": 1.0, "backoff": 1.0, "backoff_cap": 8.0}
_BAD_IMAGE_MARKERS = ("does-not-exist", "invalid-image", ":broken")
_STEP = "pod-step"


def new_pod(engine: Engine, template: Obj, namespace: str, name: str, owner: Obj, extra_labels=None) -> Obj:
    """A Pod from a pod template, as a workload controller creates it (unscheduled, no status yet)."""
    template_metadata = template.get("metadata") or {}
    spec = copy.deepcopy(template.get("spec") or {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {**(template_metadata.get("labels") or {}), **(extra_labels or {})},
            "annotations": dict(template_metadata.get("annotations") or {}),
            "ownerReferences": [owner],
        },
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": _qos_class(spec)},
    }


def _qos_class(spec: Obj) -> str:
    resources = [container.get("resources") or {} for container in spec.get("containers") or ()]
    if not any(item.get("requests") or item.get("limits") for item in resources):
        return "BestEffort"
    if all(item.get("limits") and item.get("requests") == item.get("limits") for item in resources):
        return "Guaranteed"
    return "Burstable"


def _tolerates(pod_spec: Obj, taint: Obj) -> bool:
    for toleration in pod_spec.get("tolerations") or ():
        if toleration.get("operator") == "Exists" and not toleration.get("key"):
            return True
        if toleration.get("key") == taint.get("key") and toleration.get("effect") in (None, "", taint.get("effect")):
            if toleration.get("operator") == "Exists" or toleration.get("value") == taint.get("value"):
                return True
    return False


def fits(pod_spec: Obj, node: Obj) -> bool:
    """Whether the scheduler may place a pod with `pod_spec` on `node` (selector, taints, pinned node)."""
    labels = node["metadata"].get("labels") or {}
    if node["spec"].get("unschedulable"):
        return False
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    for taint in node["spec"].get("taints") or ():
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not _tolerates(pod_spec, taint):
            return False
    required = ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or ():
        for field in term.get("matchFields") or ():
            if field.get("key") == "metadata.name" and node["metadata"]["name"] not in field.get("values", ()):
                return False
        if term.get("matchExpressions") and not matches_selector(
            {"matchExpressions": term["matchExpressions"]}, labels
        ):
            return False
    return True


def _image_id(image: str) -> str:
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def _condition_list(old: list[Obj], values: dict[str, bool], reason: str, message: str) -> list[Obj]:
    now = now_rfc3339()
    previous = {condition["type"]: condition for condition in old}
    conditions = []
    for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"):
        if kind not in values:
            continue
        status = "True" if values[kind] else "False"
        before = previous.get(kind)
        condition = {
            "type": kind,
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": before["lastTransitionTime"] if before and before["status"] == status else now,
        }
        if status == "False" and kind in ("Ready", "ContainersReady"):
            condition.update(reason=reason, message=message)
        conditions.append(condition)
    return conditions


class Kubelet:
    """Every node's kubelet and the scheduler in one: drives pods through their lifecycle with timers."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.nodes: dict[str, Obj] = {}
        self.load: Counter[str] = Counter()
        self.bad_images: set[tuple[str, str]] = set()
        self.crashing: set[tuple[str, str, str]] = set()  # (namespace, container, image)
        self.backoff: dict[str, float] = {}
        self._addresses: Counter[str] = Counter()
        self._delete_accepts_grace = "grace_period_seconds" in inspect.signature(engine.store.delete).parameters
        engine.register("pod", self.plan)
        engine.register(_STEP, self.step)
        engine.listen(engine.kinds.pod.storage_key, self._pod_changed)
        engine.listen(engine.kinds.node.storage_key, self._node_changed)

    def start(self) -> None:
        engine = self.engine
        for node in engine.store.list(engine.kinds.node).items:
            self.nodes[node["metadata"]["name"]] = node
        for pod in engine.store.list(engine.kinds.pod).items:
            metadata, status = pod["metadata"], pod.get("status") or {}
            if pod["spec"].get("nodeName"):
                self.load[pod["spec"]["nodeName"]] += 1
            images = {container["name"]: container["image"] for container in pod["spec"].get("containers") or ()}
            for container_status in status.get("containerStatuses") or ():
                reason = ((container_status.get("state") or {}).get("waiting") or {}).get("reason")
                image = images.get(container_status["name"], container_status.get("image", ""))
                if reason in ("ImagePullBackOff", "ErrImagePull"):
                    self.bad_images.add((metadata["namespace"], image))
                elif reason == "CrashLoopBackOff":
                    self.crashing.add((metadata["namespace"], container_status["name"], image))
                    engine.after(TIMINGS["backoff"], _STEP, metadata["namespace"], metadata["name"])
            if not pod["spec"].get("nodeName") and not self._unschedulable(pod):
                engine.after(TIMINGS["schedule"], _STEP, metadata["namespace"], metadata["name"])

    @staticmethod
    def _unschedulable(pod: Obj) -> bool:
        return any(
            condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable"
            for condition in (pod.get("status") or {}).get("conditions") or ()
        )

    def _node_changed(self, change: Change) -> None:
        name = change.obj["metadata"]["name"]
        if change.type == "DELETED":
            self.nodes.pop(name, None)
        else:
            self.nodes[name] = change.obj

    def _pod_changed(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        node = change.obj["spec"].get("nodeName")
        if change.type == "DELETED":
            if node:
                self.load[node] -= 1
            self.backoff.pop(metadata.get("uid", ""), None)
            return
        if change.old is not None and node and not change.old["spec"].get("nodeName"):
            self.load[node] += 1
        if change.type == "ADDED":
            self.engine.enqueue("pod", metadata["namespace"], metadata["name"])
            return
        old = change.old or {}
        images = [container.get("image") for container in change.obj["spec"].get("containers") or ()]
        old_images = [container.get("image") for container in (old.get("spec") or {}).get("containers") or ()]
        newly_deleting = metadata.get("deletionTimestamp") and not (old.get("metadata") or {}).get("deletionTimestamp")
        if images != old_images or newly_deleting:
            self.engine.enqueue("pod", metadata["namespace"], metadata["name"])

    def plan(self, namespace: str, name: str) -> None:
        pod = self.engine.writer.get(self.engine.kinds.pod, namespace, name)
        if pod is None or self.engine.pending(_STEP, namespace, name):
            return
        if pod["metadata"].get("deletionTimestamp"):
            self.engine.after(TIMINGS["create"], _STEP, namespace, name)
        elif not pod["spec"].get("nodeName"):
            self.engine.after(TIMINGS["schedule"], _STEP, namespace, name)
        else:
            self.engine.after(TIMINGS["create"], _STEP, namespace, name)

    def step(self, namespace: str, name: str) -> None:
        engine = self.engine
        pod = engine.writer.get(engine.kinds.pod, namespace, name)
        if pod is None:
            return
        if pod["metadata"].get("deletionTimestamp"):
            self._finish_deletion(pod)
        elif not pod["spec"].get("nodeName"):
            self._schedule(pod)
        elif not (pod.get("status") or {}).get("containerStatuses"):
            self._create_containers(pod)
        else:
            self._advance(pod)

    def _finish_deletion(self, pod: Obj) -> None:
        engine = self.engine
        node = pod["spec"].get("nodeName", "")
        if node:
            for container in pod["spec"].get("containers") or ():
                engine.recorder.record(
                    pod, "Killing", f"Stopping container {container['name']}", component="kubelet", host=node
                )
        metadata = pod["metadata"]
        if self._delete_accepts_grace:
            try:
                engine.store.delete(engine.kinds.pod, metadata["namespace"], metadata["name"], grace_period_seconds=0)
            except Exception:  # already gone
                pass

    def _schedule(self, pod: Obj) -> None:
        engine = self.engine
        candidates = [node for node in self.nodes.values() if fits(pod["spec"], node)]
        metadata = pod["metadata"]
        if not candidates:
            status = copy.deepcopy(pod.get("status") or {})
            status["conditions"] = [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": now_rfc3339(),
                    "reason": "Unschedulable",
                    "message": f"0/{len(self.nodes)} nodes are available: no node matches the pod.",
                }
            ]
            engine.writer.set_status(engine.kinds.pod, pod, status)
            engine.recorder.record(
                pod, "FailedScheduling", status["conditions"][0]["message"], component="default-scheduler", warning=True
            )
            return
        node = min(candidates, key=lambda item: (self.load[item["metadata"]["name"]], item["metadata"]["name"]))
        node_name = node["metadata"]["name"]
        scheduled = copy.deepcopy(pod)
        scheduled["spec"]["nodeName"] = node_name
        updated = engine.writer.replace(engine.kinds.pod, scheduled)
        if updated is None:
            return
        status = copy.deepcopy(updated.get("status") or {})
        status["conditions"] = _condition_list(status.get("conditions") or [], {"PodScheduled": True}, "", "")
        engine.writer.set_status(engine.kinds.pod, updated, status)
        engine.recorder.record(
            pod,
            "Scheduled",
            f"Successfully assigned {metadata['namespace']}/{metadata['name']} to {node_name}",
            component="default-scheduler",
        )
        engine.after(TIMINGS["create"], _STEP, metadata["namespace"], metadata["name"])

    def _pod_ip(self, pod: Obj) -> str:
        node = self.nodes.get(pod["spec"]["nodeName"]) or {}
        if pod["spec"].get("hostNetwork"):
            for address in (node.get("status") or {}).get("addresses") or ():
                if address.get("type") == "InternalIP":
                    return address["address"]
        cidr = (node.get("spec") or {}).get("podCIDR") or "10.42.0.0/24"
        network = ipaddress.ip_network(cidr, strict=False)
        self._addresses[cidr] += 1
        return str(network.network_address + 2 + self._addresses[cidr] % max(1, network.num_addresses - 3))

    def _create_containers(self, pod: Obj) -> None:
        engine = self.engine
        node_name = pod["spec"]["nodeName"]
        node = self.nodes.get(node_name) or {}
        host_ip = next(
            (
                item["address"]
                for item in (node.get("status") or {}).get("addresses") or ()
                if item["type"] == "InternalIP"
            ),
            "10.0.0.1",
        )
        pod_ip = self._pod_ip(pod)
        status = copy.deepcopy(pod.get("status") or {})
        containers = pod["spec"].get("containers") or []
        statuses = [
            {
                "name": container["name"],
                "image": container["image"],
                "imageID": "",
                "lastState": {},
                "ready": False,
                "started": False,
                "restartCount": 0,
                "state": {"waiting": {"reason": "ContainerCreating"}},
            }
            for container in containers
        ]
        message = f"containers with unready status: [{' '.join(container['name'] for container in containers)}]"
        status.update(
            phase="Pending",
            hostIP=host_ip,
            hostIPs=[{"ip": host_ip}],
            podIP=pod_ip,
            podIPs=[{"ip": pod_ip}],
            startTime=now_rfc3339(),
            containerStatuses=statuses,
            conditions=_condition_list(
                status.get("conditions") or [],
                {
                    "PodReadyToStartContainers": False,
                    "Initialized": True,
                    "Ready": False,
                    "ContainersReady": False,
                    "PodScheduled": True,
                },
                "ContainersNotReady",
                message,
            ),
        )
        if engine.writer.set_status(engine.kinds.pod, pod, status) is None:
            return
        for container in containers:
            engine.recorder.record(
                pod, "Pulling", f'Pulling image "{container["image"]}"', component="kubelet", host=node_name
            )
        metadata = pod["metadata"]
        engine.after(TIMINGS["start"], _STEP, metadata["namespace"], metadata["name"])

    def _is_bad(self, namespace: str, image: str) -> bool:
        return (namespace, image) in self.bad_images or any(marker in image for marker in _BAD_IMAGE_MARKERS)

    def _advance(self, pod: Obj) -> None:
        """One step for every container: start, crash, restart after back-off, or fail pulling."""
        engine = self.engine
        metadata, spec = pod["metadata"], pod["spec"]
        namespace, node = metadata["namespace"], spec["nodeName"]
        uid = metadata["uid"]
        status = copy.deepcopy(pod.get("status") or {})
        previous = {item["name"]: item for item in status.get("containerStatuses") or ()}
        now = now_rfc3339()
        statuses, next_delay, crashed = [], None, False

        def soonest(delay: float) -> None:
            nonlocal next_delay
            next_delay = delay if next_delay is None else min(next_delay, delay)

        for container in spec.get("containers") or ():
            name, image = container["name"], container["image"]
            old = previous.get(name) or {"name": name, "restartCount": 0, "lastState": {}, "state": {}}
            state = old.get("state") or {}
            waiting = (state.get("waiting") or {}).get("reason")
            crashing = (namespace, name, image) in self.crashing
            item = dict(old, image=image)
            if "terminated" in state:
                statuses.append(item)
                continue
            if self._is_bad(namespace, image):
                if waiting != "ImagePullBackOff":
                    reason = "ErrImagePull" if waiting != "ErrImagePull" else "ImagePullBackOff"
                    item.update(ready=False, started=False, imageID="")
                    item["state"] = {"waiting": {"reason": reason, "message": f'Back-off pulling image "{image}"'}}
                    if reason == "ErrImagePull":
                        engine.recorder.record(
                            pod,
                            "Failed",
                            f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to pull and '
                            f'unpack image "{image}": not found',
                            component="kubelet",
                            host=node,
                            warning=True,
                        )
                        soonest(TIMINGS["start"])
                    else:
                        engine.recorder.record(
                            pod,
                            "BackOff",
                            f'Back-off pulling image "{image}"',
                            component="kubelet",
                            host=node,
                            warning=True,
                        )
                statuses.append(item)
                continue
            if "running" in state and crashing:
                item.update(ready=False, started=False)
                item["lastState"] = {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "startedAt": state["running"].get("startedAt", now),
                        "finishedAt": now,
                        "containerID": old.get("containerID", ""),
                    }
                }
                delay = self.backoff.get(uid, TIMINGS["backoff"])
                self.backoff[uid] = min(delay * 2, TIMINGS["backoff_cap"])
                item["state"] = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off {int(delay)}s restarting failed container={name} "
                        f"pod={metadata['name']}_{namespace}({uid})",
                    }
                }
                engine.recorder.record(
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container {name} in pod {metadata['name']}_{namespace}({uid})",
                    component="kubelet",
                    host=node,
                    warning=True,
                )
                crashed = True
                soonest(delay)
            elif "running" not in state:
                restarted = waiting == "CrashLoopBackOff"
                item.update(
                    ready=True,
                    started=True,
                    imageID=_image_id(image),
                    containerID=f"containerd://{hashlib.sha256(f'{uid}/{name}/{now}'.encode()).hexdigest()}",
                    restartCount=old.get("restartCount", 0) + (1 if restarted else 0),
                )
                item["state"] = {"running": {"startedAt": now}}
                pulled = (
                    f'Container image "{image}" already present on machine'
                    if restarted
                    else f'Successfully pulled image "{image}" in 412ms (412ms including waiting). '
                    "Image size: 48213504 bytes."
                )
                engine.recorder.record(pod, "Pulled", pulled, component="kubelet", host=node)
                engine.recorder.record(pod, "Created", f"Created container: {name}", component="kubelet", host=node)
                engine.recorder.record(pod, "Started", f"Started container {name}", component="kubelet", host=node)
                if crashing:
                    soonest(TIMINGS["crash"])
                elif not restarted:
                    self.backoff.pop(uid, None)
            statuses.append(item)
        ready = all(item.get("ready") for item in statuses)
        running = any("running" in (item.get("state") or {}) for item in statuses)
        unready = [item["name"] for item in statuses if not item.get("ready")]
        phase = status.get("phase", "Pending")
        if running or crashed or any(item.get("restartCount") for item in statuses):
            phase = "Running"
        status.update(
            phase=phase,
            containerStatuses=statuses,
            conditions=_condition_list(
                status.get("conditions") or [],
                {
                    "PodReadyToStartContainers": True,
                    "Initialized": True,
                    "Ready": ready,
                    "ContainersReady": ready,
                    "PodScheduled": True,
                },
                "ContainersNotReady",
                f"containers with unready status: [{' '.join(unready)}]",
            ),
        )
        engine.writer.set_status(engine.kinds.pod, pod, status)
        if next_delay is not None:
            engine.after(next_delay, _STEP, namespace, metadata["name"])
