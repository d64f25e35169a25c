"""Core kinds rendered from the sandbox's seeded world (realistic manifests) and a few hand-made edge cases."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext, Row, rows_for
from console.kube.kinds_catalog.core import CONFIGMAPS, PERSISTENT_VOLUMES, PODS, SECRETS, SERVICES

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
CONTEXT = RenderContext(now=NOW, cluster_id="sovereign-omantel.openova.cloud")


@pytest.fixture(scope="module")
def world() -> list[dict]:
    return build_world(seed=1, now=NOW)


def _of(world: list[dict], kind: str) -> list[dict]:
    return [obj for obj in world if obj["kind"] == kind]


def _rows(world: list[dict], kind) -> dict[str, Row]:
    return {row.key: row for row in rows_for(kind, _of(world, kind.kind), CONTEXT)}


def _pod(world: list[dict], name_prefix: str) -> dict:
    return next(obj for obj in _of(world, "Pod") if obj["metadata"]["name"].startswith(name_prefix))


def test_crash_looping_pod_shows_the_waiting_reason_in_red(world):
    rows = _rows(world, PODS)
    row = next(
        row for key, row in rows.items() if key.startswith("acme-dev-wordpress/wordpress-") and "cron" not in key
    )
    assert row.cells["status"] == "CrashLoopBackOff" and row.tone == "err"
    assert row.cells["ready"] == "0/1"
    assert int(row.cells["restarts"]) >= 5 and row.cell_tones["restarts"] == "err"
    assert row.sort_keys["restarts"] == float(row.cells["restarts"])


def test_every_seeded_crash_loop_is_red_with_toned_restarts(world):
    crashing = [row for row in _rows(world, PODS).values() if row.cells["status"] == "CrashLoopBackOff"]
    assert len(crashing) == 3
    assert all(row.tone == "err" and row.cell_tones["restarts"] in ("warn", "err") for row in crashing)


def test_image_pull_back_off_wins_over_pending(world):
    pod = next(
        obj
        for obj in _of(world, "Pod")
        if obj["metadata"]["namespace"] == "acme-dev-billing" and "api" in obj["metadata"]["name"]
    )
    assert pod["status"]["phase"] == "Pending"
    row = PODS.render(pod, CONTEXT)
    assert row.cells["status"] == "ImagePullBackOff" and row.tone == "err"
    assert row.cells["restarts"] == "0" and row.cell_tones["restarts"] == "muted"


def test_completed_job_pods_are_muted(world):
    completed = [row for row in _rows(world, PODS).values() if "cron" in row.name]
    assert completed and all(row.cells["status"] == "Completed" and row.tone == "muted" for row in completed)


def test_unschedulable_pod_is_pending_without_node_or_ip(world):
    pending = [row for row in _rows(world, PODS).values() if row.cells["status"] == "Pending"]
    assert len(pending) == 1
    row = pending[0]
    assert row.tone == "warn" and row.cells["node"] == "<none>" and row.cells["ip"] == "<none>"


def test_running_pod_cells(world):
    row = _rows(world, PODS)["kube-system/kube-scheduler-omantel-fsn-cp-1"]
    assert row.cells["status"] == "Running" and row.tone == "ok"
    assert row.cells["ready"] == "1/1"
    assert row.cells["restarts"] == "3" and row.cell_tones["restarts"] == "warn"
    assert row.cells["node"] == "omantel-fsn-cp-1"
    assert row.cells["region"] == "primary"


def test_terminating_pod_is_muted(world):
    pod = copy.deepcopy(_pod(world, "kube-scheduler-omantel-fsn-cp-1"))
    pod["metadata"]["deletionTimestamp"] = "2026-11-27T06:00:00Z"
    row = PODS.render(pod, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Terminating", "muted")


def test_container_creating_is_amber_and_init_containers_show_progress():
    pod = {
        "metadata": {"name": "web-1", "namespace": "shop", "creationTimestamp": "2026-11-27T06:00:00Z"},
        "spec": {"containers": [{"name": "web"}], "initContainers": [{"name": "migrate"}, {"name": "warm"}]},
        "status": {
            "phase": "Pending",
            "initContainerStatuses": [
                {"name": "migrate", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "warm", "state": {"running": {}}},
            ],
            "containerStatuses": [{"name": "web", "state": {"waiting": {"reason": "PodInitializing"}}}],
        },
    }
    row = PODS.render(pod, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Init:1/2", "warn")
    pod["status"]["initContainerStatuses"][1]["state"] = {"terminated": {"exitCode": 1, "reason": "Error"}}
    assert PODS.render(pod, CONTEXT).cells["status"] == "Init:Error"
    assert PODS.render(pod, CONTEXT).tone == "err"
    del pod["spec"]["initContainers"], pod["status"]["initContainerStatuses"]
    pod["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "ContainerCreating"}}
    assert (PODS.render(pod, CONTEXT).cells["status"], PODS.render(pod, CONTEXT).tone) == ("ContainerCreating", "warn")


def test_sidecar_init_containers_count_in_ready():
    pod = {
        "metadata": {"name": "web-1", "namespace": "shop"},
        "spec": {"containers": [{"name": "web"}], "initContainers": [{"name": "proxy", "restartPolicy": "Always"}]},
        "status": {
            "phase": "Running",
            "initContainerStatuses": [{"name": "proxy", "ready": True, "started": True, "state": {"running": {}}}],
            "containerStatuses": [{"name": "web", "ready": False, "state": {"running": {}}}],
        },
    }
    row = PODS.render(pod, CONTEXT)
    assert row.cells["ready"] == "1/2" and row.cells["status"] == "Running" and row.tone == "warn"


def test_services_show_type_ips_and_ports(world):
    rows = _rows(world, SERVICES)
    dns = rows["kube-system/kube-dns"]
    assert dns.cells["type"] == "ClusterIP" and dns.cells["external_ip"] == "<none>"
    assert dns.cells["ports"] == "53/UDP,53/TCP,9153/TCP"
    ingress = rows["kube-system/cilium-ingress"]
    assert ingress.cells["type"] == "LoadBalancer"
    assert ingress.cells["external_ip"] == "168.119.41.17"
    assert ingress.cells["ports"] == "80/TCP,443/TCP"
    assert ingress.tone == "ok"


def test_load_balancer_without_address_is_pending(world):
    service = copy.deepcopy(next(obj for obj in _of(world, "Service") if obj["spec"].get("type") == "LoadBalancer"))
    service["status"] = {"loadBalancer": {}}
    row = SERVICES.render(service, CONTEXT)
    assert row.cells["external_ip"] == "<pending>" and row.tone == "warn"


def test_config_maps_and_secrets_count_keys_and_never_show_values(world):
    for kind in (CONFIGMAPS, SECRETS):
        for obj in _of(world, kind.kind):
            row = kind.render(obj, CONTEXT)
            values = {
                str(value)
                for section in ("data", "binaryData", "stringData")
                for value in (obj.get(section) or {}).values()
            }
            assert row.cells["data"] == str(
                sum(len(obj.get(section) or {}) for section in ("data", "binaryData", "stringData"))
            )
            shown = "\n".join(row.cells.values()) + "\n".join(str(value) for value in row.sort_keys.values())
            assert not any(value and value in shown for value in values if len(value) > 3), obj["metadata"]["name"]
    secret = _rows(world, SECRETS)["kube-system/hcloud"]
    assert secret.cells["type"] == "Opaque" and secret.cells["data"] == "2"
    assert [column.key for column in SECRETS.columns] == ["name", "namespace", "type", "data", "age", "region"]


def test_persistent_volumes(world):
    rows = _rows(world, PERSISTENT_VOLUMES)
    row = next(row for row in rows.values() if row.cells["claim"] == "vcluster-bankdhofar-prod/data-bankdhofar-prod-0")
    assert row.cells["capacity"] == "5Gi" and row.sort_keys["capacity"] == 5 * 2**30
    assert row.cells["access_modes"] == "RWO"
    assert row.cells["reclaim_policy"] == "Delete"
    assert row.cells["storage_class"] == "hcloud-volumes"
    assert (row.cells["status"], row.tone) == ("Bound", "ok")
    assert [column.title for column in PERSISTENT_VOLUMES.columns] == [
        "NAME",
        "CAPACITY",
        "ACCESS MODES",
        "RECLAIM POLICY",
        "STATUS",
        "CLAIM",
        "STORAGECLASS",
        "AGE",
        "REGION",
    ]


def test_released_volume_is_red(world):
    volume = copy.deepcopy(_of(world, "PersistentVolume")[0])
    volume["status"]["phase"] = "Released"
    assert PERSISTENT_VOLUMES.render(volume, CONTEXT).tone == "err"
