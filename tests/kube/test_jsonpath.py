"""The JSONPath subset of CRD printer columns, printed as kubectl prints it."""

from __future__ import annotations

import pytest

from console.kube.jsonpath import JsonPathError, compile_path, find_values, jsonpath_text

OBJECT = {
    "metadata": {"name": "web", "annotations": {"example.com/owner.team": "payments"}},
    "spec": {"replicas": 3, "suspend": False, "ratio": 1.5, "selector": {"app": "web"}},
    "status": {
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "Done"},
            {"type": "Stalled", "status": "False"},
        ],
        "addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}, {"hostname": "x"}],
        "observedGeneration": 4,
    },
}


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        (".metadata.name", "web"),
        ("{.metadata.name}", "web"),
        ("$.metadata.name", "web"),
        ("metadata.name", "web"),
        (".spec.replicas", "3"),
        (".spec.suspend", "false"),
        (".spec.ratio", "1.5"),
        (".spec.selector", '{"app":"web"}'),
        (".status.addresses[0].ip", "10.0.0.1"),
        (".status.addresses[-1].hostname", "x"),
        (".status.addresses[*].ip", "10.0.0.1,10.0.0.2"),
        ('.status.conditions[?(@.type=="Ready")].status', "True"),
        (".status.conditions[?(@.type=='Stalled')].status", "False"),
        (".status.conditions[?(@.type!='Ready')].type", "Stalled"),
        (".status.conditions[?(@.reason)].type", "Ready"),
        (".metadata.annotations['example.com/owner.team']", "payments"),
        (".status.observedGeneration", "4"),
        (".status.missing", ""),
        (".status.addresses[9].ip", ""),
        ('.status.conditions[?(@.type=="Nope")].status', ""),
        (".metadata.name.deeper", ""),
        (".spec.selector.*", "web"),
    ],
)
def test_expressions_print_like_kubectl(expression, text):
    assert jsonpath_text(OBJECT, expression) == text


def test_values_keep_their_types():
    assert find_values(OBJECT, ".spec.replicas") == [3]
    assert find_values(OBJECT, '.status.conditions[?(@.status=="True")].type') == ["Ready"]


def test_numeric_filters_compare_numbers():
    items = {"items": [{"n": 1, "v": "a"}, {"n": 2, "v": "b"}]}
    assert jsonpath_text(items, ".items[?(@.n==2)].v") == "b"


@pytest.mark.parametrize("expression", [".a..b", ".a[", ".a[?(@.x>1)]", ".a b"])
def test_unsupported_expressions_are_refused(expression):
    with pytest.raises(JsonPathError):
        compile_path(expression)


def test_compiled_paths_are_cached():
    assert compile_path(".metadata.name") is compile_path(".metadata.name")
