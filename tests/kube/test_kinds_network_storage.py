"""Network and storage kinds rendered from the seeded world."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext, Row, rows_for
from console.kube.kinds_catalog.network import ENDPOINT_SLICES, INGRESSES, NETWORK_POLICIES
from console.kube.kinds_catalog.storage import PVCS, STORAGE_CLASSES, VOLUMES
from console.kube.query import ListQuery, run_query

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
CONTEXT = RenderContext(now=NOW, cluster_id="c0ffee-nbg")


@pytest.fixture(scope="module")
def world() -> list[dict]:
    return build_world(seed=1, now=NOW)


def _rows(world: list[dict], kind) -> dict[str, Row]:
    return {row.key: row for row in rows_for(kind, [obj for obj in world if obj["kind"] == kind.kind], CONTEXT)}


def test_ingresses(world):
    row = _rows(world, INGRESSES)["openova-prod-keycloak/keycloak"]
    assert row.cells["class"] == "cilium"
    assert row.cells["hosts"] == "keycloak.openova-prod.omantel.openova.cloud"
    assert row.cells["address"] == "168.119.41.17"
    assert row.cells["ports"] == "80, 443"
    assert row.tone == "ok"
    assert row.cells["region"] == "nbg"


def test_ingress_without_address_is_pending():
    ingress = {"metadata": {"name": "web", "namespace": "shop"}, "spec": {"rules": [{}]}}
    row = INGRESSES.render(ingress, CONTEXT)
    assert row.cells["hosts"] == "*" and row.cells["ports"] == "80" and row.cells["class"] == "<none>"
    assert row.tone == "warn"


def test_network_policies_show_their_pod_selector_once_per_namespace_and_name(world):
    rows = rows_for(NETWORK_POLICIES, [obj for obj in world if obj["kind"] == "NetworkPolicy"], CONTEXT)
    assert len({row.key for row in rows}) == len(rows) == 18
    by_key = {row.key: row for row in rows}
    assert by_key["acme-prod-wordpress/default-deny-ingress"].cells["pod_selector"] == "(all pods)"
    assert (
        by_key["acme-prod-wordpress/allow-from-ingress"].cells["pod_selector"] == "app.kubernetes.io/instance=wordpress"
    )


def test_endpoint_slices(world):
    row = _rows(world, ENDPOINT_SLICES)["default/kubernetes"]
    assert row.cells["address_type"] == "IPv4"
    assert row.cells["ports"] == "6443"
    assert row.cells["endpoints"] == "10.0.1.2,10.0.1.3,10.0.2.4"


def test_endpoint_slices_cut_long_address_lists():
    slice_ = {
        "metadata": {"name": "web-abc", "namespace": "shop"},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [f"10.0.0.{index}"]} for index in range(5)],
    }
    row = ENDPOINT_SLICES.render(slice_, CONTEXT)
    assert row.cells["endpoints"] == "10.0.0.0,10.0.0.1,10.0.0.2 + 2 more..."
    assert row.cells["ports"] == "<unset>"


def test_pvcs_show_binding_and_filter_by_class(world):
    rows = _rows(world, PVCS)
    row = rows["vcluster-bankdhofar-prod/data-bankdhofar-prod-0"]
    assert row.cells["status"] == "Bound" and row.tone == "ok"
    assert row.cells["volume"] == "pvc-3b138269-8e64-4ea2-a53f-2e29cd974a9a"
    assert row.cells["capacity"] == "5Gi" and row.cells["access_modes"] == "RWO"
    assert row.cells["class"] == "hcloud-volumes"
    assert [kind_filter.column for kind_filter in PVCS.filters] == ["class"]
    result = run_query(PVCS, list(rows.values()), ListQuery(filters=(("class", "hcloud-volumes"),)))
    assert result.counts["class"]["hcloud-volumes"] == result.matched
    assert sum(result.counts["class"].values()) == len(rows) == 30


def test_pending_claim_is_amber():
    claim = {"metadata": {"name": "data", "namespace": "shop"}, "spec": {}, "status": {"phase": "Pending"}}
    row = PVCS.render(claim, CONTEXT)
    assert row.tone == "warn" and row.cells["capacity"] == "" and row.cells["class"] == "<none>"


def test_volumes_view(world):
    rows = _rows(world, VOLUMES)
    assert len(rows) == 30
    row = next(row for row in rows.values() if row.cells["claim"] == "openova-prod-keycloak/keycloak-db-1")
    assert row.cells["capacity"] == "20Gi" and row.cells["status"] == "Bound"
    assert [column.title for column in VOLUMES.columns] == ["NAME", "CAPACITY", "CLAIM", "STATUS", "AGE", "REGION"]


def test_storage_classes(world):
    rows = _rows(world, STORAGE_CLASSES)
    assert rows["hcloud-volumes"].cells == {
        "name": "hcloud-volumes",
        "namespace": "",
        "status": "",
        "age": rows["hcloud-volumes"].cells["age"],
        "region": "nbg",
        "provisioner": "csi.hetzner.cloud",
        "reclaim_policy": "Delete",
        "volume_binding_mode": "WaitForFirstConsumer",
        "allow_volume_expansion": "true",
    }
    assert rows["local-path"].cells["allow_volume_expansion"] == "false"
