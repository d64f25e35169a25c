from datetime import UTC, datetime

from console.kube.kinds import RenderContext
from console.kube.listing import list_page
from console.kube.registry import NAMESPACES

NOW = RenderContext(now=datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC), cluster_id="sovereign-x")


def _namespace(name: str) -> dict:
    return {"metadata": {"name": name, "creationTimestamp": "2026-11-27T11:00:00Z"}, "status": {"phase": "Active"}}


def test_rows_are_sorted_by_name_and_windowed():
    objects = [_namespace(name) for name in ("web", "acme-prod", "kube-system", "default")]
    page = list_page(NAMESPACES, objects, NOW, limit=3)
    assert [row.cells["name"] for row in page.rows] == ["acme-prod", "default", "kube-system"]
    assert page.total == 4


def test_empty_cache_gives_an_empty_page():
    page = list_page(NAMESPACES, [], NOW, limit=50)
    assert page.rows == [] and page.total == 0
