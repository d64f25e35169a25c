"""List queries: text, regex and inverted filters, selectors, namespace, kind filters, sorting, paging, speed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sovereign_sandbox.world.sovereign import build_world

from console.kube.kinds import RenderContext, Row, rows_for
from console.kube.kinds_catalog.core import PODS
from console.kube.kinds_catalog.projected import WORKER_NODES
from console.kube.query import ListQuery, QueryError, run_query

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
CONTEXT = RenderContext(now=NOW, cluster_id="sovereign-omantel.openova.cloud")


@pytest.fixture(scope="module")
def pod_rows() -> list[Row]:
    world = build_world(seed=1, now=NOW)
    return rows_for(PODS, [obj for obj in world if obj["kind"] == "Pod"], CONTEXT)


@pytest.fixture(scope="module")
def node_rows() -> list[Row]:
    world = build_world(seed=1, now=NOW)
    return rows_for(WORKER_NODES, [obj for obj in world if obj["kind"] == "Node"], CONTEXT)


def _names(result) -> list[str]:
    return [row.name for row in result.rows]


def test_default_order_is_namespace_then_name_and_pages_of_fifty(pod_rows):
    result = run_query(PODS, pod_rows, ListQuery())
    assert result.total == result.matched == len(pod_rows) == 126
    assert len(result.rows) == 50 and result.pages == 3 and result.page == 0
    everything = run_query(PODS, pod_rows, ListQuery(page_size=1000)).rows
    assert [(row.namespace, row.name) for row in everything] == sorted((row.namespace, row.name) for row in pod_rows)


def test_pages_are_clamped(pod_rows):
    last = run_query(PODS, pod_rows, ListQuery(page=99))
    assert last.page == 2 and len(last.rows) == 126 - 100
    assert run_query(PODS, pod_rows, ListQuery(page=-3)).page == 0
    empty = run_query(PODS, [], ListQuery())
    assert (empty.rows, empty.total, empty.pages, empty.page) == ([], 0, 1, 0)


def test_text_filter_is_a_case_insensitive_substring_over_every_cell(pod_rows):
    result = run_query(PODS, pod_rows, ListQuery(text="CRASHLOOP"))
    assert result.matched == 3
    by_node = run_query(PODS, pod_rows, ListQuery(text="omantel-fsn-cp-1"))
    assert by_node.matched >= 4 and all(row.cells["node"] == "omantel-fsn-cp-1" for row in by_node.rows)
    by_namespace = run_query(PODS, pod_rows, ListQuery(text="acme-dev-billing", page_size=500))
    assert {row.namespace for row in by_namespace.rows} == {"acme-dev-billing"}


def test_regex_and_inversion(pod_rows):
    assert run_query(PODS, pod_rows, ListQuery(text="/^(crashloop|imagepull)/")).matched == 4
    assert run_query(PODS, pod_rows, ListQuery(text="!/running/")).matched == 126 - 119
    assert (
        run_query(PODS, pod_rows, ListQuery(text="!kube-system")).matched
        == 126 - run_query(PODS, pod_rows, ListQuery(text="kube-system")).matched
    )
    assert run_query(PODS, pod_rows, ListQuery(text="!")).matched == 126
    assert run_query(PODS, pod_rows, ListQuery(text="/")).matched == 126  # a lone slash is a substring (READY 1/1)
    assert run_query(PODS, pod_rows, ListQuery(text="/zzz")).matched == 0  # unclosed: still a substring


def test_invalid_regex_is_a_query_error(pod_rows):
    with pytest.raises(QueryError, match=r"invalid regular expression: missing \) at position \d+"):
        run_query(PODS, pod_rows, ListQuery(text="/(unclosed/"))


def test_label_selector_and_namespace(pod_rows):
    result = run_query(PODS, pod_rows, ListQuery(selector="app.kubernetes.io/name=wordpress-cron", page_size=500))
    assert result.matched == 2 and all("cron" in name for name in _names(result))
    scoped = run_query(
        PODS, pod_rows, ListQuery(selector="app.kubernetes.io/name=wordpress-cron", namespace="acme-dev-wordpress")
    )
    assert scoped.matched == 1
    with pytest.raises(QueryError, match="position"):
        run_query(PODS, pod_rows, ListQuery(selector="app in )"))


def test_namespace_is_ignored_for_cluster_scoped_kinds(node_rows):
    assert run_query(WORKER_NODES, node_rows, ListQuery(namespace="kube-system")).matched == 9


def test_sort_numeric_columns_numerically_with_name_ties(pod_rows):
    result = run_query(PODS, pod_rows, ListQuery(sort="restarts", descending=True, page_size=500))
    restarts = [int(row.cells["restarts"]) for row in result.rows]
    assert restarts == sorted(restarts, reverse=True) and restarts[0] == 206
    zero = [(row.namespace, row.name) for row in result.rows if row.cells["restarts"] == "0"]
    assert zero == sorted(zero)  # ties stay in namespace/name order, even descending


def test_sort_text_and_age_columns(pod_rows):
    by_node = run_query(PODS, pod_rows, ListQuery(sort="node", page_size=500)).rows
    assert [row.cells["node"] for row in by_node] == sorted(row.cells["node"].lower() for row in by_node)
    youngest_first = run_query(PODS, pod_rows, ListQuery(sort="age", page_size=500)).rows
    assert youngest_first[0].sort_keys["age"] <= youngest_first[-1].sort_keys["age"]
    assert "cron" in youngest_first[0].name or youngest_first[0].cells["age"].endswith(("s", "m"))


def test_unknown_sort_falls_back_to_the_default_order(pod_rows):
    assert _names(run_query(PODS, pod_rows, ListQuery(sort="no-such-column"))) == _names(
        run_query(PODS, pod_rows, ListQuery())
    )


def test_kind_filters_and_their_counts(node_rows):
    result = run_query(WORKER_NODES, node_rows, ListQuery(filters=(("role", "control-plane"),)))
    assert result.matched == 3 and result.counts == {"role": {"control-plane": 3, "worker": 6}}
    both = run_query(WORKER_NODES, node_rows, ListQuery(filters=(("role", "control-plane"), ("role", "worker"))))
    assert both.matched == 9
    narrowed = run_query(WORKER_NODES, node_rows, ListQuery(text="fsn", filters=(("role", "worker"),)))
    assert narrowed.counts == {"role": {"control-plane": 2, "worker": 3}} and narrowed.matched == 3
    with pytest.raises(QueryError, match="cannot be filtered by 'class'"):
        run_query(WORKER_NODES, node_rows, ListQuery(filters=(("class", "x"),)))


def test_ten_thousand_rows_are_filtered_sorted_and_paged_quickly(pod_rows):
    rows = (pod_rows * 80)[:10_000]
    queries = [
        ListQuery(),
        ListQuery(text="wordpress", sort="restarts", descending=True),
        ListQuery(text="/crash|image/", selector="app.kubernetes.io/instance"),
        ListQuery(text="!running", sort="node", page=3),
    ]
    for query in queries:
        started = time.perf_counter()
        result = run_query(PODS, rows, query)
        elapsed = time.perf_counter() - started
        assert result.total == 10_000
        assert elapsed < 0.5, f"{query} took {elapsed:.3f}s"
