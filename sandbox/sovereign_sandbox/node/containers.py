"""A container as the kubelet sees it: lookup and validation for log/exec, its image's traits and its instances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sovereign_sandbox import errors
from sovereign_sandbox.cluster import Cluster

__all__ = [
    "ContainerRef",
    "ImageTraits",
    "Instance",
    "LogStyle",
    "find_container",
    "image_traits",
    "parse_time",
    "pod_resource",
    "stable_hash",
]

Obj = dict[str, Any]
LogStyle = Literal["access", "java", "python", "node", "klog", "json", "logfmt", "postgres", "nats", "job"]
Distro = Literal["debian", "ubuntu", "alpine", "ubi", "photon", "distroless"]

_MASK = (1 << 64) - 1


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of `parts` that is the same in every process (unlike `hash()` of a str)."""
    value = 0x9E3779B97F4A7C15
    for part in parts:
        for byte in str(part).encode():
            value = ((value ^ byte) * 0x100000001B3) & _MASK
        value = ((value ^ (value >> 31)) * 0xBF58476D1CE4E5B9) & _MASK
    return value ^ (value >> 29)


def parse_time(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 timestamp."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True, slots=True)
class ImageTraits:
    """What a container image looks like from inside: its OS, shells, default user and log style."""

    distro: Distro
    shells: tuple[str, ...]  # executables in $PATH that are shells: ("sh", "bash"), ("sh",) or ()
    log_style: LogStyle
    user: int  # the image's default uid (its USER line)
    colour: bool = False  # logs carry ANSI colour codes


# Ordered (substring of the image reference, traits); the first match wins.
_IMAGE_TRAITS: tuple[tuple[str, ImageTraits], ...] = (
    ("registry.k8s.io/etcd", ImageTraits("distroless", (), "json", 0)),
    ("registry.k8s.io/", ImageTraits("distroless", (), "klog", 0)),
    ("cert-manager", ImageTraits("distroless", (), "klog", 1000)),
    ("kyverno", ImageTraits("distroless", (), "json", 65534)),
    ("external-secrets", ImageTraits("distroless", (), "json", 65534)),
    ("hcloud", ImageTraits("distroless", (), "klog", 0)),
    ("cloudnative-pg/cloudnative-pg", ImageTraits("distroless", (), "json", 10001)),
    ("useraccess-controller", ImageTraits("distroless", (), "json", 65532)),
    ("ledger", ImageTraits("distroless", (), "json", 65532)),
    ("postgresql", ImageTraits("debian", ("sh", "bash"), "postgres", 26)),
    ("redis", ImageTraits("photon", ("sh", "bash"), "logfmt", 999)),
    ("goharbor", ImageTraits("photon", ("sh", "bash"), "access", 10000)),
    ("bitnami/mariadb", ImageTraits("debian", ("sh", "bash"), "postgres", 1001)),
    ("wordpress", ImageTraits("debian", ("sh", "bash"), "access", 1001)),
    ("keycloak", ImageTraits("ubi", ("sh", "bash"), "java", 1000)),
    ("cilium", ImageTraits("ubuntu", ("sh", "bash"), "logfmt", 0)),
    ("stalwart", ImageTraits("debian", ("sh", "bash"), "logfmt", 0)),
    ("billing-api", ImageTraits("ubuntu", ("sh", "bash"), "java", 1001)),
    ("corebanking-api", ImageTraits("ubuntu", ("sh", "bash"), "java", 1001)),
    ("billing-worker", ImageTraits("debian", ("sh", "bash"), "python", 1001)),
    ("sovereign-console", ImageTraits("debian", ("sh", "bash"), "python", 1001, colour=True)),
    ("mobile-api", ImageTraits("alpine", ("sh",), "node", 1000, colour=True)),
    ("catalyst-api", ImageTraits("alpine", ("sh",), "json", 65532)),
    ("storefront", ImageTraits("alpine", ("sh",), "access", 101)),
    ("portal", ImageTraits("alpine", ("sh",), "access", 101)),
    ("nginx", ImageTraits("debian", ("sh", "bash"), "access", 101)),
    ("nats", ImageTraits("alpine", ("sh",), "nats", 0)),
    ("grafana", ImageTraits("alpine", ("sh",), "logfmt", 472, colour=True)),
    ("gitea", ImageTraits("alpine", ("sh", "bash"), "logfmt", 1000)),
    ("fluxcd", ImageTraits("alpine", ("sh",), "json", 65534)),
    ("node-exporter", ImageTraits("alpine", ("sh",), "logfmt", 65534)),
    ("metrics-server", ImageTraits("distroless", (), "klog", 65534)),
    ("openbao", ImageTraits("alpine", ("sh",), "logfmt", 100)),
    ("busybox", ImageTraits("alpine", ("sh",), "logfmt", 0)),
    ("alpine", ImageTraits("alpine", ("sh",), "logfmt", 0)),
    ("debian", ImageTraits("debian", ("sh", "bash"), "logfmt", 0)),
    ("ubuntu", ImageTraits("ubuntu", ("sh", "bash"), "logfmt", 0)),
    ("python", ImageTraits("debian", ("sh", "bash"), "python", 0)),
    ("node:", ImageTraits("debian", ("sh", "bash"), "node", 0, colour=True)),
)
_DEFAULT_TRAITS = ImageTraits("alpine", ("sh",), "logfmt", 0)


def image_traits(image: str) -> ImageTraits:
    """The traits of `image`, guessed from its reference (alpine-like with `sh` when nothing matches)."""
    lowered = image.lower()
    return next((traits for needle, traits in _IMAGE_TRAITS if needle in lowered), _DEFAULT_TRAITS)


@dataclass(frozen=True, slots=True)
class Instance:
    """One run of a container: when it started and, once it ended, how."""

    started: float  # epoch seconds
    ended: float | None  # None while running
    exit_code: int = 0
    number: int = 0  # restart count at which it ran; the seed of its log stream


@dataclass(frozen=True, slots=True)
class ContainerRef:
    """A container of a pod, resolved for a log or exec request."""

    pod: Obj
    spec: Obj  # the container's entry in spec.containers / initContainers
    status: Obj  # its containerStatuses entry ({} before the kubelet reported one)
    traits: ImageTraits

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def pod_name(self) -> str:
        return str(self.pod["metadata"]["name"])

    @property
    def seed(self) -> int:
        metadata = self.pod["metadata"]
        return stable_hash(metadata.get("uid") or metadata["name"], self.name)

    @property
    def running(self) -> bool:
        return "running" in (self.status.get("state") or {})

    def current(self) -> Instance:
        """The instance `kubectl logs` reads (kubelet `validateContainerLogStatus`).

        Raises:
            ApiError: 400 when the container is waiting with no earlier instance.
        """
        state = self.status.get("state") or {}
        restarts = int(self.status.get("restartCount") or 0)
        if "running" in state:
            return Instance(parse_time(state["running"]["startedAt"]), None, number=restarts)
        if "terminated" in state:
            terminated = state["terminated"]
            return Instance(
                parse_time(terminated["startedAt"]),
                parse_time(terminated["finishedAt"]),
                int(terminated.get("exitCode") or 0),
                restarts,
            )
        last = (self.status.get("lastState") or {}).get("terminated")
        if last:
            return self.previous()
        reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
        reason = {
            "ErrImagePull": "image can't be pulled",
            "ImagePullBackOff": "trying and failing to pull image",
        }.get(reason, reason)
        raise errors.bad_request(f'container "{self.name}" in pod "{self.pod_name}" is waiting to start: {reason}')

    def previous(self) -> Instance:
        """The instance before the current one (`previous=true`).

        Raises:
            ApiError: 400 when the container never restarted.
        """
        restarts = int(self.status.get("restartCount") or 0)
        last = (self.status.get("lastState") or {}).get("terminated")
        if last:
            return Instance(
                parse_time(last["startedAt"]), parse_time(last["finishedAt"]), int(last.get("exitCode") or 1), restarts
            )
        running = (self.status.get("state") or {}).get("running")
        if restarts and running:
            # The kubelet reported no lastState; the previous run ended when this one began.
            began = parse_time(running["startedAt"])
            created = parse_time(self.pod["metadata"]["creationTimestamp"])
            return Instance(max(created, began - 3600), began - 1, 137, restarts - 1)
        raise errors.bad_request(f'previous terminated container "{self.name}" in pod "{self.pod_name}" not found')


def pod_resource(cluster: Cluster) -> Any:
    resource = cluster.catalogue.get("", "v1", "pods")
    assert resource is not None
    return resource


def _names(containers: list[Obj]) -> str:
    return " ".join(container["name"] for container in containers)


def find_container(cluster: Cluster, namespace: str, pod_name: str, container: str) -> ContainerRef:
    """The container a log/exec request names (apiserver `pod/strategy.go` rules).

    Raises:
        ApiError: 404 for a missing pod; 400 for a missing or unknown container name.
    """
    pod = cluster.store.get(pod_resource(cluster), namespace, pod_name)
    spec = pod.get("spec") or {}
    containers = list(spec.get("containers") or [])
    init_containers = list(spec.get("initContainers") or [])
    if not container:
        if len(containers) == 1:
            container = containers[0]["name"]
        else:
            message = f"a container name must be specified for pod {pod_name}, choose one of: [{_names(containers)}]"
            if init_containers:
                message += f" or one of the init containers: [{_names(init_containers)}]"
            raise errors.bad_request(message)
    entry = next((item for item in containers + init_containers if item["name"] == container), None)
    if entry is None:
        raise errors.bad_request(f"container {container} is not valid for pod {pod_name}")
    status = pod.get("status") or {}
    statuses = (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
    container_status: Obj = next((item for item in statuses if item.get("name") == container), {})
    return ContainerRef(pod, entry, container_status, image_traits(entry.get("image", "")))
