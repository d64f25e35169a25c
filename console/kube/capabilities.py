"""What a kind's objects offer beyond being listed and read: logs, a shell, scale, restart, metrics, …

A `Kind` declares its capabilities as data (k9s's `Scalable`/`Restartable` interfaces, headlamp's
`isScalable`), with a small descriptor where the console needs to know how (`ReplicaCount`, `LogSource`,
the metrics resource). Pages, states and actions ask `Capability.SCALE in kind.capabilities`, never a
kind's name. Kinds discovered from CRDs get what their definition implies (`crd_capabilities`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from console.kube.api import JsonObject


class Capability(StrEnum):
    LOGS = "logs"  # the Logs tab: containers' output (`Kind.log_source` says whose)
    EXEC = "exec"  # the Shell tab: a shell in one of the pod's containers (pods/exec)
    SCALE = "scale"  # the scale subresource (`Kind.replica_count` says where the wanted count lives)
    RESTART = "restart"  # a rolling restart through the pod template's `restartedAt` annotation
    METRICS = "metrics"  # CPU and memory from metrics.k8s.io (`Kind.metrics_resource` names its type there)
    RECONCILE = "reconcile"  # Flux: reconcile now, suspend, resume, and the Reconcile tab
    REVEAL = "reveal"  # a Secret's values, shown on the person's explicit, audited request
    ENDPOINTS = "endpoints"  # a Service's endpoints, from the EndpointSlices labelled with its name
    COMPLIANCE = "compliance"  # policy reports are written about it: its score and findings (the compliance tab)


# Whose logs the Logs tab streams: the object's own containers (a Pod), or every pod its selector picks
# (a workload's pods, one stream each).
LogSource = Literal["pod", "workload"]

FLUX_GROUP_SUFFIX = ".toolkit.fluxcd.io"  # helm., kustomize., source., notification., image. …


@dataclass(frozen=True, slots=True)
class ReplicaCount:
    """Where an object's wanted replica count lives: what a Scale dialog starts from."""

    path: tuple[str, ...] = ("spec", "replicas")  # field names from the object's root
    default: int = 1  # what the API server assumes when the field is absent

    def of(self, obj: JsonObject) -> int:
        value: object = obj
        for step in self.path:
            value = value.get(step) if isinstance(value, dict) else None
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else self.default


SPEC_REPLICAS = ReplicaCount()


def replica_path(json_path: str) -> tuple[str, ...] | None:
    """A CRD's `specReplicasPath` (`.spec.replicas`) as field names; None for anything but a plain dotted path."""
    steps = json_path.removeprefix(".").split(".")
    return tuple(steps) if json_path.startswith(".") and all(step.isidentifier() for step in steps) else None


def crd_capabilities(group: str, version: JsonObject) -> tuple[frozenset[Capability], ReplicaCount | None]:
    """What a generic kind discovered from a CRD offers: Flux's reconcile by its API group, scale when the
    served version has a scale subresource with a plain replicas path."""
    capabilities: set[Capability] = set()
    if group.endswith(FLUX_GROUP_SUFFIX):
        capabilities.add(Capability.RECONCILE)
    subresources = version.get("subresources")
    scale = subresources.get("scale") if isinstance(subresources, dict) else None
    path = replica_path(str(scale.get("specReplicasPath") or "")) if isinstance(scale, dict) else None
    if path is None:
        return frozenset(capabilities), None
    capabilities.add(Capability.SCALE)
    return frozenset(capabilities), ReplicaCount(path)


__all__ = [
    "FLUX_GROUP_SUFFIX",
    "SPEC_REPLICAS",
    "Capability",
    "LogSource",
    "ReplicaCount",
    "crd_capabilities",
    "replica_path",
]
