"""Workload kinds (apps/v1): deployments, statefulsets, daemonsets, replicasets — READY, UP-TO-DATE, AVAILABLE —
and the budgets that guard their pods during voluntary disruptions (policy/v1 poddisruptionbudgets).

The pods' owners are not shown in any list (the detail page's owner chain does that).
"""

from __future__ import annotations

from dataclasses import dataclass

from console.kube.api import JsonObject, ResourcePath
from console.kube.capabilities import SPEC_REPLICAS, Capability
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import count_column, field, text
from console.kube.objects import metadata_of
from console.kube.rows import columns, count, object_row, ready_cell
from console.kube.tones import condition

READY = Column("ready", "READY")
UP_TO_DATE = Column("up_to_date", "UP-TO-DATE", numeric=True)
AVAILABLE = Column("available", "AVAILABLE", numeric=True)
WORKLOAD_COLUMNS = columns(READY, UP_TO_DATE, AVAILABLE, namespaced=True)


@dataclass(frozen=True, slots=True)
class Replicas:
    """A workload's replica counts, read once from its spec and status."""

    desired: int
    ready: int
    up_to_date: int
    available: int


def _status_count(obj: JsonObject, key: str) -> int:
    return count(field(obj, "status", key))


def _spec_replicas(obj: JsonObject) -> int:
    replicas = field(obj, "spec", "replicas")
    return 1 if replicas is None else count(replicas)  # the API server defaults an absent count to 1


def deployment_replicas(obj: JsonObject) -> Replicas:
    return Replicas(
        desired=_spec_replicas(obj),
        ready=_status_count(obj, "readyReplicas"),
        up_to_date=_status_count(obj, "updatedReplicas"),
        available=_status_count(obj, "availableReplicas"),
    )


def replica_set_replicas(obj: JsonObject) -> Replicas:
    # A ReplicaSet runs one pod template, so every pod it has is up to date with it.
    return Replicas(
        desired=_spec_replicas(obj),
        ready=_status_count(obj, "readyReplicas"),
        up_to_date=_status_count(obj, "replicas"),
        available=_status_count(obj, "availableReplicas"),
    )


def daemon_set_replicas(obj: JsonObject) -> Replicas:
    return Replicas(
        desired=_status_count(obj, "desiredNumberScheduled"),
        ready=_status_count(obj, "numberReady"),
        up_to_date=_status_count(obj, "updatedNumberScheduled"),
        available=_status_count(obj, "numberAvailable"),
    )


def _failure(obj: JsonObject) -> str:
    """The reason a controller reports it cannot progress (deadline exceeded, pods cannot be created), else ""."""
    progressing = condition(obj, "Progressing") or {}
    if progressing.get("status") == "False":
        return str(progressing.get("reason") or "ProgressFailed")
    failure = condition(obj, "ReplicaFailure") or {}
    if failure.get("status") == "True":
        return str(failure.get("reason") or "ReplicaFailure")
    return ""


def _behind(obj: JsonObject) -> bool:
    """The controller has not yet seen the latest spec."""
    generation = metadata_of(obj).get("generation")
    observed = field(obj, "status", "observedGeneration")
    return isinstance(generation, int) and isinstance(observed, int) and observed < generation


def workload_status(obj: JsonObject, replicas: Replicas) -> tuple[str, Tone]:
    """STATUS and tone: muted when scaled to 0, err on a failure condition, ok when all are ready, else warn."""
    failure = _failure(obj)
    if failure:
        return failure, "err"
    if replicas.desired == 0:
        return "Scaled down", "muted"
    if _behind(obj) or replicas.up_to_date < replicas.desired:
        return "Progressing", "warn"
    if replicas.ready >= replicas.desired:
        return "Ready", "ok"
    return "NotReady", "warn"


def workload_row(obj: JsonObject, context: RenderContext, replicas: Replicas, **extra_cells: str) -> Row:
    """A workload row: READY `r/d`, UP-TO-DATE, AVAILABLE and the workload status."""
    status, tone = workload_status(obj, replicas)
    return object_row(
        obj,
        context,
        status=status,
        tone=tone,
        cells={
            "ready": ready_cell(replicas.ready, replicas.desired),
            "up_to_date": str(replicas.up_to_date),
            "available": str(replicas.available),
            **extra_cells,
        },
        sort_keys={
            "ready": replicas.ready / replicas.desired if replicas.desired else 0.0,
            "up_to_date": float(replicas.up_to_date),
            "available": float(replicas.available),
        },
    )


def render_deployment(obj: JsonObject, context: RenderContext) -> Row:
    return workload_row(obj, context, deployment_replicas(obj))


def render_stateful_set(obj: JsonObject, context: RenderContext) -> Row:
    # StatefulSet status carries the same counters as a Deployment's.
    return workload_row(obj, context, deployment_replicas(obj))


def render_daemon_set(obj: JsonObject, context: RenderContext) -> Row:
    return workload_row(obj, context, daemon_set_replicas(obj))


def render_replica_set(obj: JsonObject, context: RenderContext) -> Row:
    return workload_row(obj, context, replica_set_replicas(obj))


# Deployments and StatefulSets: scaled through `spec.replicas`, restarted, their pods' logs read together.
SCALABLE_WORKLOAD = frozenset({Capability.SCALE, Capability.RESTART, Capability.LOGS})


def _apps(plural: str) -> ResourcePath:
    return ResourcePath("apps", "v1", plural)


DEPLOYMENTS = Kind(
    id="deployments",
    title="Deployments",
    kind="Deployment",
    resource=_apps("deployments"),
    category="workload",
    columns=WORKLOAD_COLUMNS,
    render=render_deployment,
    short_names=("deploy", "dp", "deployment"),
    capabilities=SCALABLE_WORKLOAD | {Capability.COMPLIANCE},
    replica_count=SPEC_REPLICAS,
    log_source="workload",
    graph=GraphType("compute"),
)

STATEFUL_SETS = Kind(
    id="statefulsets",
    title="StatefulSets",
    kind="StatefulSet",
    resource=_apps("statefulsets"),
    category="workload",
    columns=WORKLOAD_COLUMNS,
    render=render_stateful_set,
    short_names=("sts", "statefulset"),
    capabilities=SCALABLE_WORKLOAD | {Capability.COMPLIANCE},
    replica_count=SPEC_REPLICAS,
    log_source="workload",
    graph=GraphType("compute"),
)

DAEMON_SETS = Kind(
    id="daemonsets",
    title="DaemonSets",
    kind="DaemonSet",
    resource=_apps("daemonsets"),
    category="workload",
    columns=WORKLOAD_COLUMNS,
    render=render_daemon_set,
    short_names=("ds", "daemonset"),
    # One pod per node: nothing to scale, but its pods restart and stream logs like any workload's.
    capabilities=frozenset({Capability.RESTART, Capability.LOGS, Capability.COMPLIANCE}),
    log_source="workload",
    graph=GraphType("compute"),
)

REPLICA_SETS = Kind(
    id="replicasets",
    title="ReplicaSets",
    kind="ReplicaSet",
    resource=_apps("replicasets"),
    category="workload",
    columns=WORKLOAD_COLUMNS,
    render=render_replica_set,
    short_names=("rs", "replicaset"),
    graph=GraphType("compute", shown=False),
)

MIN_AVAILABLE = Column("min_available", "MIN AVAILABLE")
MAX_UNAVAILABLE = Column("max_unavailable", "MAX UNAVAILABLE")
ALLOWED_DISRUPTIONS = count_column("allowed_disruptions", "ALLOWED DISRUPTIONS")
NOT_SET = "N/A"  # kubectl's word for a budget bound the spec leaves out


def render_disruption_budget(obj: JsonObject, context: RenderContext) -> Row:
    """MIN AVAILABLE and MAX UNAVAILABLE as written (a count or a percentage); amber while no pod may be evicted."""
    allowed = count(field(obj, "status", "disruptionsAllowed"))
    return object_row(
        obj,
        context,
        tone="ok" if allowed > 0 else "warn",
        cells={
            "min_available": text(obj, "spec", "minAvailable") or NOT_SET,
            "max_unavailable": text(obj, "spec", "maxUnavailable") or NOT_SET,
            "allowed_disruptions": str(allowed),
        },
        sort_keys={"allowed_disruptions": float(allowed)},
    )


# No STATUS column: the columns are exactly what `kubectl get pdb` prints; the tone still says whether the
# budget lets anything be evicted.
POD_DISRUPTION_BUDGETS = Kind(
    id="poddisruptionbudgets",
    title="Pod Disruption Budgets",
    kind="PodDisruptionBudget",
    resource=ResourcePath("policy", "v1", "poddisruptionbudgets"),
    category="workload",
    columns=columns(MIN_AVAILABLE, MAX_UNAVAILABLE, ALLOWED_DISRUPTIONS, namespaced=True, status=False),
    render=render_disruption_budget,
    short_names=("pdb",),
    graph=GraphType("config"),
)

KINDS = (DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS, REPLICA_SETS, POD_DISRUPTION_BUDGETS)
