from collections import Counter

import pytest
from seeded_world import CONTEXT, assert_rows_fill_columns, objects_of, rows_of

from console.kube.kinds_catalog.policy import CLUSTER_POLICY_REPORTS, KINDS, POLICY_REPORTS, REPORTS, result_counts
from console.kube.objects import cache_key
from console.kube.registry import KINDS as REGISTERED

RESULTS = ("pass", "fail", "warn", "error", "skip")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.id)
def test_seeded_rows_fill_every_column(kind):
    rows = list(rows_of(kind).values())
    assert rows, kind.id
    assert_rows_fill_columns(kind, rows)
    assert REGISTERED[kind.id] is kind


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.id)
def test_counts_equal_the_results(kind):
    rows = rows_of(kind)
    for report in objects_of(kind):
        tally = Counter(result["result"] for result in report["results"])
        row = rows[cache_key(report)]
        assert {key: row.cells[key] for key in RESULTS} == {key: str(tally[key]) for key in RESULTS}
        assert row.sort_keys["fail"] == float(tally["fail"])
        if tally["fail"]:
            assert (row.cells["status"], row.tone, row.cell_tones["fail"]) == ("Failing", "err", "err")
        else:
            assert (row.cells["status"], row.tone) == ("Passing", "ok")
            assert "fail" not in row.cell_tones


def test_policy_report_names_its_scope_resource():
    row = rows_of(POLICY_REPORTS)["openova-prod-keycloak/statefulset-keycloak"]
    assert (row.cells["scope_kind"], row.cells["scope_name"]) == ("StatefulSet", "keycloak")
    assert (row.cells["pass"], row.cells["fail"]) == ("10", "3")


def test_cluster_policy_report_is_cluster_scoped():
    assert not CLUSTER_POLICY_REPORTS.namespaced
    assert "namespace" not in {column.key for column in CLUSTER_POLICY_REPORTS.columns}
    row = rows_of(CLUSTER_POLICY_REPORTS)["namespace-openova-prod-gitea"]
    assert (row.cells["scope_kind"], row.cells["scope_name"]) == ("Namespace", "openova-prod-gitea")
    assert (row.cells["status"], row.tone) == ("Failing", "err")


def test_openreports_report_renders_the_same_way():
    assert REPORTS.resource.group == "openreports.io"
    row = rows_of(REPORTS)["kube-system/pod-kube-apiserver-omantel-fsn-cp-1"]
    assert (row.cells["scope_kind"], row.cells["fail"], row.tone) == ("Pod", "1", "err")


def test_without_summary_or_scope_the_results_and_owner_are_used():
    report = {
        "metadata": {"name": "r", "namespace": "n", "ownerReferences": [{"kind": "Deployment", "name": "web"}]},
        "results": [{"result": "pass"}, {"result": "warn"}, {"result": "skip"}, {"result": "bogus"}],
    }
    assert result_counts(report) == {"pass": 1, "fail": 0, "warn": 1, "error": 0, "skip": 1}
    row = POLICY_REPORTS.render(report, CONTEXT)
    assert (row.cells["scope_kind"], row.cells["scope_name"]) == ("Deployment", "web")
    assert (row.cells["status"], row.tone, row.cell_tones["warn"]) == ("Warning", "warn", "warn")


def test_errors_and_empty_reports():
    errors = POLICY_REPORTS.render({"metadata": {"name": "e"}, "summary": {"pass": 2, "error": 1}}, CONTEXT)
    assert (errors.cells["status"], errors.tone, errors.cell_tones["error"]) == ("Errors", "err", "err")
    empty = POLICY_REPORTS.render({"metadata": {"name": "empty"}}, CONTEXT)
    assert (empty.cells["status"], empty.tone, empty.cells["pass"]) == ("No results", "muted", "0")
