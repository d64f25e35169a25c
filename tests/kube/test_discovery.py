"""Discovery against the sandbox API server: what it serves, and generic kinds for unknown CRDs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from console.kube.api import KubeApi, ResourcePath
from console.kube.discovery import custom_kind, discover_custom_kinds, served_resources
from console.kube.kinds import RenderContext
from console.kube.registry import KINDS

pytestmark = pytest.mark.sandbox

CONTEXT = RenderContext(now=datetime.now(UTC), cluster_id="sovereign-omantel.openova.cloud")
KNOWN = [kind.resource for kind in KINDS.values() if kind.resource is not None]


def _widget_crd(group: str) -> dict:
    schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                    "additionalPrinterColumns": [
                        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                        {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                        {"name": "Synced", "type": "date", "jsonPath": ".status.syncedAt"},
                        {
                            "name": "Reason",
                            "type": "string",
                            "jsonPath": '.status.conditions[?(@.type=="Ready")].reason',
                        },
                        {"name": "Debug", "type": "string", "jsonPath": ".spec.debug", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                },
                {"name": "v1beta1", "served": True, "storage": False, "schema": {"openAPIV3Schema": schema}},
            ],
        },
    }


async def _create(http: httpx.AsyncClient, path: str, body: dict) -> None:
    response = await http.post(path, json=body)
    assert response.status_code in (200, 201), response.text


async def test_served_resources_lists_core_and_group_resources(kube_api: KubeApi):
    served = await served_resources(kube_api)
    assert ResourcePath("", "v1", "pods") in served
    assert ResourcePath("apps", "v1", "deployments") in served
    assert ResourcePath("gateway.networking.k8s.io", "v1", "gateways") in served
    assert not any("/" in path.plural for path in served)
    assert ResourcePath("objectbucket.io", "v1alpha1", "objectbucketclaims") not in served


async def test_seeded_crds_are_all_known_or_discovered_once(kube_api: KubeApi):
    kinds = await discover_custom_kinds(kube_api, KNOWN)
    ids = [kind.id for kind in kinds]
    assert len(ids) == len(set(ids))
    covered = {(path.group, path.plural) for path in KNOWN}
    assert all((kind.resource.group, kind.resource.plural) not in covered for kind in kinds)
    assert all(kind.category == "config" for kind in kinds)


async def test_a_new_crd_gets_a_generic_kind_with_its_printer_columns(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
):
    group = f"x{uuid.uuid4().hex[:6]}.example.com"
    await _create(cluster_http, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", _widget_crd(group))
    for _ in range(50):
        if ResourcePath(group, "v1", "widgets") in await served_resources(kube_api):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the sandbox never served the new CRD")
    kinds = {kind.id: kind for kind in await discover_custom_kinds(kube_api, KNOWN)}
    kind = kinds[f"widgets.{group}"]
    assert kind.title == "Widgets" and kind.kind == "Widget" and kind.namespaced
    assert kind.resource == ResourcePath(group, "v1", "widgets")
    assert kind.short_names == ("wdg",)
    assert [column.title for column in kind.columns] == [
        "NAME",
        "NAMESPACE",
        "SIZE",
        "COLOR",
        "SYNCED",
        "REASON",
        "STATUS",
        "AGE",
        "REGION",
    ]

    widgets = f"/apis/{group}/v1/namespaces/default/widgets"
    ready = {
        "apiVersion": f"{group}/v1",
        "kind": "Widget",
        "metadata": {"name": "blue", "namespace": "default"},
        "spec": {"size": 3, "color": "blue", "debug": "x"},
        "status": {
            "syncedAt": "2026-01-01T00:00:00Z",
            "conditions": [{"type": "Ready", "status": "True", "reason": "Synced"}],
        },
    }
    broken = {**ready, "metadata": {"name": "red", "namespace": "default"}, "spec": {"size": 12, "color": "red"}}
    broken["status"] = {"conditions": [{"type": "Ready", "status": "False", "reason": "OutOfPaint"}]}
    for widget in (ready, broken):
        await _create(cluster_http, widgets, widget)
    listed = (await cluster_http.get(widgets)).json()["items"]
    rows = {row.name: row for row in (kind.render(obj, CONTEXT) for obj in listed)}
    blue, red = rows["blue"], rows["red"]
    size, color, synced = (column.key for column in kind.columns[2:5])
    assert (blue.cells[size], blue.cells[color], blue.sort_keys[size]) == ("3", "blue", 3.0)
    assert blue.cells[synced].endswith("d") and isinstance(blue.sort_keys[synced], float)
    assert (blue.cells["status"], blue.tone) == ("Ready", "ok")
    assert (red.cells["status"], red.tone) == ("OutOfPaint", "err")
    assert red.cells[synced] == "" and red.sort_keys[size] == 12.0


def test_status_printer_column_feeds_status_and_bad_paths_give_empty_cells():
    definition = _widget_crd("y.example.com")
    definition["spec"]["scope"] = "Cluster"
    definition["spec"]["versions"][0]["additionalPrinterColumns"] = [
        {"name": "Status", "type": "string", "jsonPath": ".status.phase"},
        {"name": "Weird", "type": "string", "jsonPath": ".a..b"},
    ]
    kind = custom_kind(definition)
    assert kind is not None and not kind.namespaced
    assert [column.title for column in kind.columns] == ["NAME", "WEIRD", "STATUS", "AGE", "REGION"]
    row = kind.render({"metadata": {"name": "w"}, "status": {"phase": "Failed"}}, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Failed", "err")
    assert row.cells[kind.columns[1].key] == ""


def test_the_served_storage_version_is_chosen():
    definition = _widget_crd("z.example.com")
    versions = definition["spec"]["versions"]
    versions[0]["served"] = False
    kind = custom_kind(definition)
    assert kind is not None and kind.resource.version == "v1beta1"
    versions[1]["served"] = False
    assert custom_kind(definition) is None
