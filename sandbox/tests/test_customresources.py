"""Live CRDs: served at once with their printer columns, gone with their objects on delete."""

from __future__ import annotations

from sovereign_sandbox.apiserver.tables import table
from sovereign_sandbox.cluster import Cluster


def test_crd_is_served_and_established(widgets_crd: dict) -> None:
    cluster = Cluster()
    cluster.load([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}, widgets_crd])
    crds = cluster.catalogue.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    conditions = cluster.store.get(crds, None, "widgets.example.com")["status"]["conditions"]
    assert {(c["type"], c["status"]) for c in conditions} == {("Established", "True"), ("NamesAccepted", "True")}
    widgets = cluster.catalogue.get("example.com", "v1", "widgets")
    assert widgets is not None and widgets.custom and widgets.short_names == ("wd",)
    widget = cluster.store.create(
        widgets,
        "shop",
        {
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "w1"},
            "spec": {"size": 3},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]},
        },
    )
    rendered = table(widgets, [widget])
    assert [column["name"] for column in rendered["columnDefinitions"]] == ["Name", "Size", "Ready", "Age"]
    assert rendered["rows"][0]["cells"][:3] == ["w1", 3, "True"]
    cluster.store.delete(crds, None, "widgets.example.com")
    assert cluster.catalogue.get("example.com", "v1", "widgets") is None
    assert cluster.store.list(widgets).items == []
