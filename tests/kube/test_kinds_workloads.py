"""Workload kinds rendered from the seeded world: READY, UP-TO-DATE, AVAILABLE and the status tone."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext, Row, rows_for
from console.kube.kinds_catalog.workloads import (
    DAEMON_SETS,
    DEPLOYMENTS,
    POD_DISRUPTION_BUDGETS,
    REPLICA_SETS,
    STATEFUL_SETS,
)

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
CONTEXT = RenderContext(now=NOW, cluster_id="sovereign-omantel.openova.cloud")


@pytest.fixture(scope="module")
def world() -> list[dict]:
    return build_world(seed=1, now=NOW)


def _rows(world: list[dict], kind) -> dict[str, Row]:
    return {row.key: row for row in rows_for(kind, [obj for obj in world if obj["kind"] == kind.kind], CONTEXT)}


def _object(world: list[dict], kind: str, key: str) -> dict:
    namespace, name = key.split("/")
    return next(
        obj
        for obj in world
        if obj["kind"] == kind and obj["metadata"]["name"] == name and obj["metadata"].get("namespace") == namespace
    )


def test_healthy_deployment_is_ready(world):
    row = _rows(world, DEPLOYMENTS)["kube-system/coredns"]
    assert {key: row.cells[key] for key in ("ready", "up_to_date", "available")} == {
        "ready": "2/2",
        "up_to_date": "2",
        "available": "2",
    }
    assert (row.cells["status"], row.tone) == ("Ready", "ok")
    assert row.sort_keys["available"] == 2.0


def test_partly_ready_deployment_is_amber(world):
    row = _rows(world, DEPLOYMENTS)["bankdhofar-prod-mobile-api/mobile-api"]
    assert row.cells["ready"] == "2/3" and row.cells["up_to_date"] == "3" and row.cells["available"] == "2"
    assert row.tone == "warn"


def test_crash_looping_deployment_has_nothing_ready(world):
    row = _rows(world, DEPLOYMENTS)["acme-dev-wordpress/wordpress"]
    assert row.cells["ready"] == "0/1" and row.tone == "warn"


def test_rollout_in_progress_and_stalled_rollout(world):
    deployment = copy.deepcopy(_object(world, "Deployment", "kube-system/coredns"))
    deployment["metadata"]["generation"] = deployment["status"]["observedGeneration"] + 1
    row = DEPLOYMENTS.render(deployment, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Progressing", "warn")
    deployment["status"]["conditions"] = [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    ]
    row = DEPLOYMENTS.render(deployment, CONTEXT)
    assert (row.cells["status"], row.tone) == ("ProgressDeadlineExceeded", "err")


def test_replica_failure_is_red(world):
    replica_set = copy.deepcopy(_object(world, "ReplicaSet", "kube-system/coredns-ptwmdv9mj"))
    replica_set["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate"}]
    assert REPLICA_SETS.render(replica_set, CONTEXT).tone == "err"


def test_old_replica_sets_scaled_to_zero_are_muted(world):
    rows = _rows(world, REPLICA_SETS)
    scaled_down = [row for row in rows.values() if row.cells["ready"] == "0/0"]
    assert len(scaled_down) > 10
    assert all(row.tone == "muted" for row in scaled_down)
    assert rows["kube-system/coredns-ptwmdv9mj"].cells["ready"] == "2/2"


def test_daemon_sets_count_scheduled_pods(world):
    row = _rows(world, DAEMON_SETS)["kube-system/cilium"]
    assert (row.cells["ready"], row.cells["up_to_date"], row.cells["available"]) == ("9/9", "9", "9")
    assert row.tone == "ok"


def test_stateful_sets(world):
    rows = _rows(world, STATEFUL_SETS)
    assert len(rows) == 9
    row = rows["vcluster-bankdhofar-prod/bankdhofar-prod"]
    assert row.cells["ready"] == "1/1" and row.tone == "ok"


def test_workload_columns_are_the_specs():
    for kind in (DEPLOYMENTS, STATEFUL_SETS, DAEMON_SETS, REPLICA_SETS):
        assert [column.title for column in kind.columns] == [
            "NAME",
            "NAMESPACE",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "STATUS",
            "AGE",
            "REGION",
        ]


def test_disruption_budgets_show_what_kubectl_prints(world):
    rows = _rows(world, POD_DISRUPTION_BUDGETS)
    assert [column.title for column in POD_DISRUPTION_BUDGETS.columns] == [
        "NAME",
        "NAMESPACE",
        "MIN AVAILABLE",
        "MAX UNAVAILABLE",
        "ALLOWED DISRUPTIONS",
        "AGE",
        "REGION",
    ]
    row = rows["openova-prod-keycloak/keycloak"]
    assert (row.cells["min_available"], row.cells["max_unavailable"], row.cells["allowed_disruptions"]) == (
        "N/A",
        "1",
        "1",
    )
    assert row.tone == "ok" and row.sort_keys["allowed_disruptions"] == 1.0
    blocked = [row for row in rows.values() if row.cells["allowed_disruptions"] == "0"]
    assert blocked and all(row.tone == "warn" for row in blocked)
    budget = copy.deepcopy(_object(world, "PodDisruptionBudget", "openova-prod-keycloak/keycloak"))
    budget["spec"] = {"minAvailable": "50%", "selector": budget["spec"]["selector"]}
    budget["status"]["disruptionsAllowed"] = 0
    row = POD_DISRUPTION_BUDGETS.render(budget, CONTEXT)
    assert (row.cells["min_available"], row.cells["max_unavailable"], row.tone) == ("50%", "N/A", "warn")
