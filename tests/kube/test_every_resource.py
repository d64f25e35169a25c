"""Every served resource becomes listable: discovery → kinds, the server's printed columns, live cells."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from console.kube.api import KubeApi, ResourcePath
from console.kube.api_resources import ApiResource, discover_api_resources, listable_resources
from console.kube.catalog import KindCatalog, printed_ids, printed_resources
from console.kube.kinds import RenderContext
from console.kube.list_service import shared_rows
from console.kube.printed_kinds import kind_title, printed_columns
from console.kube.registry import KINDS
from console.kube.runtime import ServerVersion
from console.kube.tables import TABLE_ACCEPT, TableColumn, cell_text, column_definitions
from console.kube.watch_cache import WatchCache

CONTEXT = RenderContext(now=datetime.now(UTC), cluster_id="sovereign-omantel.openova.cloud")


def test_only_list_and_watch_resources_without_subresources_are_listable():
    document = {
        "resources": [
            {"name": "jobs", "kind": "Job", "namespaced": True, "verbs": ["get", "list", "watch"]},
            {"name": "jobs/status", "kind": "Job", "namespaced": True, "verbs": ["get", "list", "watch"]},
            {"name": "tokenreviews", "kind": "TokenReview", "namespaced": False, "verbs": ["create"]},
            {"name": "componentstatuses", "kind": "ComponentStatus", "namespaced": False, "verbs": ["get", "list"]},
            {
                "name": "cronjobs",
                "kind": "CronJob",
                "namespaced": True,
                "verbs": ["list", "watch"],
                "shortNames": ["cj"],
            },
        ]
    }
    found = listable_resources("batch", "v1", document)
    assert [resource.path for resource in found] == [
        ResourcePath("batch", "v1", "jobs"),
        ResourcePath("batch", "v1", "cronjobs"),
    ]
    assert found[1].short_names == ("cj",) and found[0].namespaced


def test_printed_columns_keep_kubectls_order_and_leave_the_common_ones_to_the_console():
    definitions = [
        TableColumn("Name", "string", "name", 0),
        TableColumn("Status", "string", "", 0),
        TableColumn("Completions", "string", "", 0),
        TableColumn("Replicas", "integer", "", 0),
        TableColumn("Containers", "string", "", 1),  # -o wide only
        TableColumn("Age", "string", "", 0),
    ]
    chosen = [(column.key, column.title, column.numeric) for column, _ in printed_columns(definitions)]
    assert chosen == [
        ("status", "STATUS", False),
        ("p_completions", "COMPLETIONS", False),
        ("p_replicas", "REPLICAS", True),
    ]


def test_titles_and_ids_read_as_people_say_them():
    assert kind_title("PodDisruptionBudget", "poddisruptionbudgets") == "Pod Disruption Budgets"
    assert kind_title("PriorityClass", "priorityclasses") == "Priority Classes"
    assert kind_title("Endpoints", "endpoints") == "Endpoints"
    assert kind_title("CSIDriver", "csidrivers") == "CSI Drivers"
    ours = ApiResource(ResourcePath("batch", "v1", "jobs"), "Job", True, ("jb", "po"))
    theirs = ApiResource(ResourcePath("other.io", "v1", "jobs"), "Job", True)
    ids = printed_ids([ours, theirs], taken={"pods", "po"})
    assert ids[ours.path] == ("jobs.batch", ("jb",))  # two resources called jobs: both say their group
    assert ids[theirs.path] == ("jobs.other.io", ())


@pytest.mark.sandbox
async def test_discovery_gives_preferred_versions_and_skips_what_cannot_be_watched(kube_api: KubeApi):
    served = await discover_api_resources(kube_api)
    paths = [resource.path for resource in served]
    assert ResourcePath("batch", "v1", "jobs") in paths
    assert ResourcePath("", "v1", "serviceaccounts") in paths
    autoscalers = [path for path in paths if path.plural == "horizontalpodautoscalers"]
    assert autoscalers == [ResourcePath("autoscaling", "v2", "horizontalpodautoscalers")]  # the preferred one only
    assert not any("/" in path.plural for path in paths)
    assert not any(path.plural.endswith("reviews") for path in paths)  # create-only
    assert not any(path.group == "metrics.k8s.io" for path in paths)  # no watch
    assert len(paths) == len(set(paths))


@pytest.mark.sandbox
async def test_every_served_resource_is_a_kind_registered_ones_keep_their_columns(kube_api: KubeApi):
    cache = WatchCache(kube_api)
    try:
        kinds = await KindCatalog(cache).kinds()
        for kind_id in ("jobs", "cronjobs", "serviceaccounts", "roles", "clusterroles", "poddisruptionbudgets"):
            assert kind_id in kinds, kind_id
        assert kinds["pods"] is KINDS["pods"] and kinds["events"] is KINDS["events"]
        events_kinds = [kind for kind in kinds.values() if kind.kind == "Event"]
        assert [kind.id for kind in events_kinds] == ["events"]  # events.k8s.io Events are the same objects
        served = await discover_api_resources(kube_api)
        resources = {kind.resource for kind in kinds.values() if kind.resource is not None}
        missing = [r.path for r in printed_resources(served, kinds.values(), set()) if r.path not in resources]
        assert missing == []
        names = [name for kind in kinds.values() for name in (kind.id, *kind.short_names)]
        assert len(names) == len(set(names))
    finally:
        await cache.close()


async def _table(api: KubeApi, resource: ResourcePath) -> dict:
    return await api.get(resource.collection(), {"includeObject": "Object"}, accept=TABLE_ACCEPT)


@pytest.mark.sandbox
@pytest.mark.parametrize("kind_id", ["jobs", "serviceaccounts", "poddisruptionbudgets", "priorityclasses"])
async def test_rows_show_the_cells_the_server_prints(kube_api: KubeApi, kind_id: str):
    cache = WatchCache(kube_api)
    try:
        kind = await KindCatalog(cache).find(kind_id)
        assert kind.resource is not None
        table = await _table(kube_api, kind.resource)
        definitions = column_definitions(table)
        shown = [d.name.upper() for d in definitions if d.priority == 0 and d.name not in ("Name", "Age")]
        common = ("name", "namespace", "age", "region")
        assert [column.title for column in kind.columns if column.key not in common] == shown
        watch = cache.acquire(kind.resource)
        assert await watch.wait_synced()
        rows = {row.key: row for row in shared_rows(kind, watch, CONTEXT)}
        assert rows and len(rows) == len(table["rows"])
        for printed in table["rows"]:
            metadata = printed["object"]["metadata"]
            namespace = metadata.get("namespace")
            row = rows[f"{namespace}/{metadata['name']}" if namespace else metadata["name"]]
            cells = dict(zip([d.name for d in definitions], printed["cells"], strict=True))
            assert row.cells["name"] == cells["Name"]
            for column in kind.columns:
                named = next((d.name for d in definitions if d.name.upper() == column.title), None)
                if named is not None and column.key not in ("name", "age"):
                    assert row.cells[column.key] == cell_text(cells[named]), (column.title, row.key)
    finally:
        await cache.close()


@pytest.mark.sandbox
async def test_printed_rows_stay_live_through_the_table_watch(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    cache = WatchCache(kube_api)
    try:
        kind = await KindCatalog(cache).find("serviceaccounts")
        assert kind.resource is not None
        watch = cache.acquire(kind.resource)
        assert await watch.wait_synced()
        name = f"robot-{uuid.uuid4().hex[:6]}"
        body = {"metadata": {"name": name}, "secrets": [{"name": "a"}, {"name": "b"}]}
        response = await cluster_http.post("/api/v1/namespaces/default/serviceaccounts", json=body)
        assert response.status_code == 201, response.text
        secrets = next(column.key for column in kind.columns if column.title == "SECRETS")
        for _ in range(50):
            rows = {row.key: row for row in shared_rows(kind, watch, CONTEXT)}
            if f"default/{name}" in rows:
                break
            await asyncio.sleep(0.1)
        assert rows[f"default/{name}"].cells[secrets] == "2"
        await cluster_http.delete(f"/api/v1/namespaces/default/serviceaccounts/{name}")
        for _ in range(50):
            if f"default/{name}" not in {row.key for row in shared_rows(kind, watch, CONTEXT)}:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the deleted service account stayed listed")
    finally:
        await cache.close()


@pytest.mark.sandbox
async def test_a_plain_watch_switches_to_the_printed_form_when_its_kind_is_printed(kube_api: KubeApi):
    cache = WatchCache(kube_api)
    try:
        path = ResourcePath("scheduling.k8s.io", "v1", "priorityclasses")
        watch = cache.acquire(path)
        assert await watch.wait_synced() and watch.printed_cells(watch.objects()[0]) is None
        kind = await KindCatalog(cache).find("priorityclasses")
        revision = watch.revision
        async with asyncio.timeout(10):  # the relist in the printed form moves the revision
            while watch.printed_cells(watch.objects()[0]) is None:
                revision = await watch.wait_changed(revision)
        row = shared_rows(kind, watch, CONTEXT)[0]
        value = next(column.key for column in kind.columns if column.title == "VALUE")
        assert row.cells[value] != ""
    finally:
        await cache.close()


@pytest.mark.sandbox
async def test_events_put_warnings_first_and_link_their_objects(kube_api: KubeApi):
    from console.kube.query import ListQuery, run_query

    events = KINDS["events"]
    listed = (await kube_api.get("/api/v1/events"))["items"]
    rows = run_query(events, [events.render(obj, CONTEXT) for obj in listed], ListQuery(page_size=500)).rows
    types = [row.cells["type"] for row in rows]
    assert "Warning" in types and "Normal" in types
    assert types == sorted(types, key=lambda event_type: event_type != "Warning")
    pod_row = next(row for row in rows if row.cells["object"].startswith("pod/"))
    pod_name = pod_row.cells["object"].removeprefix("pod/")
    assert pod_row.links["object"] == f"/cloud/resource/pods/{pod_row.namespace}/{pod_name}/overview"
    assert [column.title for column in events.columns] == [
        "NAMESPACE", "TYPE", "REASON", "OBJECT", "COUNT", "LAST SEEN", "MESSAGE"
    ]  # fmt: skip


@pytest.mark.sandbox
async def test_the_server_version_is_read_for_the_clusters_list(kube_api: KubeApi):
    version = await ServerVersion(kube_api).text()
    assert version.startswith("v1.")
    nodes = (await kube_api.get("/api/v1/nodes"))["items"]
    context = RenderContext(now=CONTEXT.now, cluster_id=CONTEXT.cluster_id, server_version=version)
    (cluster,) = KINDS["clusters"].project(nodes, context)
    assert cluster.cells["version"] == version
    worker = KINDS["worker-nodes"].render(nodes[0], context)
    assert worker.cells["version"] == nodes[0]["status"]["nodeInfo"]["kubeletVersion"]


async def test_an_unreachable_server_leaves_the_version_empty(tmp_path: Path):
    import dataclasses

    from console.settings import get_settings

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "current-context: x\n"
    )
    api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context=""))
    try:
        assert await ServerVersion(api).text() == ""
    finally:
        await api.close()
