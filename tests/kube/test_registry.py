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
