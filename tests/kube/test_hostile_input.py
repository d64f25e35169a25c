"""Hostile input never becomes a server error: whatever a person types into the list filter, the label
selector, a scope, the replica count or the YAML editor is either used or refused with a readable message.
Regular expressions that backtrack catastrophically and YAML alias bombs are refused within a bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sovereign_sandbox.world.sovereign import build_world

from console.kube.actions import ActionRefused, parse_replicas
from console.kube.edits import EditRefused, parse_edit
from console.kube.kinds import RenderContext, Row, rows_for
from console.kube.kinds_catalog.core import PODS
from console.kube.query import ListQuery, QueryError, run_query
from console.kube.selectors import parse_selector
from console.rbac.scopes import SCOPE_KEYS, Scope, ScopeError, matches, parse_scope

NOW = datetime(2026, 11, 27, 6, 5, tzinfo=UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# What people paste: punctuation-heavy text, regex syntax, selectors, quotes and markup.
TYPED = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60) | st.from_regex(
    r"[!/]?[\w.*+?()\[\]{}|^$\\,=!<>\"' -]{0,40}/?", fullmatch=True
)


@pytest.fixture(scope="module")
def pod_rows() -> list[Row]:
    world = build_world(seed=1, now=NOW)
    context = RenderContext(now=NOW, cluster_id="sovereign-omantel.openova.cloud")
    return rows_for(PODS, [obj for obj in world if obj["kind"] == "Pod"], context)


@FUZZ
@given(text=TYPED, selector=TYPED)
def test_any_filter_or_selector_is_used_or_refused_in_words(pod_rows, text: str, selector: str):
    try:
        result = run_query(PODS, pod_rows, ListQuery(text=text, selector=selector))
    except QueryError as refused:
        assert str(refused) and "Traceback" not in str(refused)
    else:
        assert result.matched <= len(pod_rows)


def test_a_catastrophically_backtracking_regex_is_refused_within_its_budget(pod_rows):
    hostile = [
        Row(
            key=f"default/a{i}",
            uid=f"u{i}",
            name="a" * 40 + "!",
            namespace="default",
            labels={},
            cells={},
            sort_keys={},
            tone="muted",
        )  # fmt: skip
        for i in range(50)
    ]
    with pytest.raises(QueryError, match="takes too long"):
        run_query(PODS, [*pod_rows, *hostile], ListQuery(text="/(a|aa)+$/"))
    sane = run_query(PODS, pod_rows, ListQuery(text="/^wordpress-.*$/", page_size=500))
    assert sane.matched and all(row.name.startswith("wordpress-") for row in sane.rows)


@FUZZ
@given(selector=TYPED)
def test_selectors_parse_or_say_why(selector: str):
    try:
        parse_selector(selector)
    except QueryError as refused:
        assert str(refused)


@FUZZ
@given(key=st.sampled_from(sorted(SCOPE_KEYS)) | TYPED, value=TYPED, labels=st.dictionaries(TYPED, TYPED))
def test_a_scope_reaches_exactly_the_namespaces_labelled_with_its_value(key: str, value: str, labels):
    try:
        scope = parse_scope(key, value)
    except ScopeError as refused:
        assert str(refused)
        return
    assert isinstance(scope, Scope)
    # No value is a pattern or a selector: commas, `!=` and `*x` match only themselves; `*` alone means any.
    expected = scope.value == "*" or labels.get(scope.key) == scope.value
    assert matches(labels, [scope]) is expected


@FUZZ
@given(replicas=st.one_of(TYPED, st.integers(), st.floats(), st.booleans(), st.none(), st.lists(st.integers())))
def test_replicas_are_a_non_negative_integer_or_refused(replicas):
    try:
        parsed = parse_replicas(replicas)
    except ActionRefused as refused:
        assert str(refused) == "Replicas must be a non-negative integer."
    else:
        assert isinstance(parsed, int) and parsed >= 0


@FUZZ
@given(text=st.text(max_size=400) | st.from_regex(r"(apiVersion: v1\n)?(kind: Pod\n)?[\w:{}\[\],&*!| \n-]{0,200}"))
def test_any_yaml_is_applied_as_the_object_or_refused_in_words(text: str):
    try:
        manifest = parse_edit(text, PODS, "default", "web-0")
    except EditRefused as refused:
        assert str(refused)
    else:
        assert manifest["kind"] == "Pod" and manifest["metadata"]["name"] == "web-0"


def _alias_bomb(levels: int) -> str:
    document = "apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: default}\n"
    document += 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in range(1, levels + 1):
        document += f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]\n"
    return document


def test_a_yaml_alias_bomb_is_refused_before_it_expands():
    with pytest.raises(EditRefused, match="expands to more than 100,000 values"):
        parse_edit(_alias_bomb(9), PODS, "default", "web-0")  # 9^10 ≈ 3.5 billion values if expanded
    assert parse_edit(_alias_bomb(1), PODS, "default", "web-0")["a1"][0] == ["lol"] * 9  # a few aliases are fine


def test_a_deeply_nested_yaml_is_refused():
    document = "apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: default}\ndeep: " + "[" * 5000
    with pytest.raises(EditRefused):
        parse_edit(document + "]" * 5000, PODS, "default", "web-0")
