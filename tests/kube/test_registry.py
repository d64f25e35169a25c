from datetime import UTC, datetime

import pytest

from console.kube.kinds import Column, Kind, KindNotFound, RenderContext, index_by_id
from console.kube.registry import DEFAULT_KIND_ID, KINDS, NAMESPACES, kind_for
from console.kube.tones import tone_for_status

NOW = RenderContext(now=datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC), cluster_id="sovereign-omantel.openova.cloud")
NAMESPACE = {
    "apiVersion": "v1",
    "kind": "Namespace",
    "metadata": {
        "name": "acme-prod",
        "uid": "4b1f",
        "resourceVersion": "12",
        "creationTimestamp": "2026-11-24T08:00:00Z",
        "labels": {"openova.io/organization": "acme", "kubernetes.io/metadata.name": "acme-prod"},
    },
    "status": {"phase": "Active"},
}


def test_every_kind_renders_its_columns():
    for kind in KINDS.values():
        row = kind.render(NAMESPACE, NOW)
        assert {column.key for column in kind.columns} <= set(row.cells), kind.id
        assert {column.key for column in kind.columns} <= set(row.sort_keys), kind.id


def test_duplicate_kind_ids_are_refused():
    with pytest.raises(ValueError, match="registered twice"):
        index_by_id((NAMESPACES, NAMESPACES))


def test_unknown_kind_is_a_clear_error():
    assert kind_for(DEFAULT_KIND_ID) is NAMESPACES
    with pytest.raises(KindNotFound):
        kind_for("no-such-kind")


def test_namespace_row_shows_name_status_age_and_sorted_labels():
    row = NAMESPACES.render(NAMESPACE, NOW)
    assert row.cells == {
        "name": "acme-prod",
        "namespace": "",
        "status": "Active",
        "age": "3d4h",
        "region": "primary",
        "labels": "kubernetes.io/metadata.name=acme-prod\nopenova.io/organization=acme",
    }
    assert row.key == "acme-prod"
    assert row.tone == "ok"


def test_terminating_namespace_is_muted():
    terminating = {**NAMESPACE, "status": {"phase": "Terminating"}}
    assert NAMESPACES.render(terminating, NOW).tone == "muted"


@pytest.mark.parametrize(
    ("status", "tone"),
    [
        ("Running", "ok"),
        ("Bound", "ok"),
        ("ContainerCreating", "warn"),
        ("CrashLoopBackOff", "err"),
        ("ErrImagePull", "err"),
        ("Error", "err"),
        ("OOMKilled", "err"),
        ("Completed", "muted"),
        ("Something new", "muted"),
    ],
)
def test_status_tones_follow_the_spec(status, tone):
    assert tone_for_status(status) == tone


def test_kind_is_immutable_data():
    assert isinstance(NAMESPACES, Kind)
    assert NAMESPACES.columns[0] == Column("name", "NAME", "name")


def test_at_most_one_graph_kind_per_resource_and_none_projected():
    drawn: dict[object, str] = {}
    for kind in KINDS.values():
        if kind.graph is None:
            continue
        assert not kind.projected, f"{kind.id} is a projection: the graph draws the plain kind of its resource"
        assert kind.resource is not None, kind.id
        assert drawn.setdefault(kind.resource, kind.id) == kind.id, (
            f"{kind.id} and {drawn[kind.resource]} both draw {kind.resource.path}"
        )


def test_the_graph_types_the_spec_names():
    shapes = {kind_id: kind.graph.shape for kind_id, kind in KINDS.items() if kind.graph is not None}
    assert shapes["namespaces"] == "scope"
    assert {shapes[k] for k in ("worker-nodes", "pods", "deployments", "statefulsets", "daemonsets")} == {"compute"}
    assert {shapes[k] for k in ("services", "ingresses", "gateways", "httproutes", "networkpolicies")} == {"network"}
    assert {shapes[k] for k in ("configmaps", "secrets", "certificates", "poddisruptionbudgets")} == {"config"}
    assert {shapes[k] for k in ("pvcs", "volumes", "storage-classes", "cnpg-clusters")} == {"data"}
    assert {shapes[k] for k in ("helmreleases", "kustomizations", "applications", "continuums")} == {"control"}
    off = {kind_id for kind_id, kind in KINDS.items() if kind.graph is not None and not kind.graph.shown}
    assert off == {"pods", "configmaps", "replicasets", "secrets"}
    assert KINDS["worker-nodes"].graph.title == "Node" and KINDS["cnpg-clusters"].graph.title == "Database"
    assert "persistentvolumes" not in shapes and "clusters" not in shapes and "load-balancers" not in shapes
