"""Label selectors typed in the list toolbar: parsing, matching, and errors that say where."""

from __future__ import annotations

import pytest

from console.kube.query_errors import QueryError
from console.kube.selectors import format_label_selector, parse_selector

LABELS = {"app": "web", "tier": "frontend", "app.kubernetes.io/name": "shop", "replicas": "3"}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("", True),
        ("app=web", True),
        ("app==web", True),
        ("app=db", False),
        ("app=web,tier!=db", True),
        ("tier!=frontend", False),
        ("missing!=x", True),
        ("tier in (frontend, backend)", True),
        ("tier in (backend)", False),
        ("tier notin (backend)", True),
        ("missing notin (a)", True),
        ("app.kubernetes.io/name", True),
        ("!app.kubernetes.io/name", False),
        ("!missing", True),
        ("missing", False),
        ("replicas>2", True),
        ("replicas<2", False),
        ("  app = web ,  tier in(frontend)  ", True),
    ],
)
def test_selectors_match_labels(text, matches):
    assert parse_selector(text).matches(LABELS) is matches


def test_empty_value_and_round_trip():
    assert parse_selector("app=").matches({"app": ""})
    assert str(parse_selector("app=web, tier in (a,b),!x")) == "app=web,tier in (a,b),!x"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app in )", "unexpected ')' at position 7, expected '('"),
        ("app in ()", "'in' at position 4 needs at least one value"),
        ("app=web,", "unexpected end of the selector at position 8, expected a label key"),
        ("app web", "unexpected 'web' at position 4"),
        ("app in (a b)", "unexpected 'b' at position 10, expected ',' or ')'"),
        ("=web", "unexpected '=' at position 0, expected a label key"),
        ("app=we$b", "invalid label value 'we$b' at position 4"),
        ("-app=web", "invalid label key '-app' at position 0"),
        ("Bad_Prefix/app", "invalid label key 'Bad_Prefix/app' at position 0"),
        ("count>x", "'>' needs a whole number at position 6"),
    ],
)
def test_bad_selectors_say_what_and_where(text, message):
    with pytest.raises(QueryError) as error:
        parse_selector(text)
    assert message in str(error.value)


def test_label_selector_objects_become_text():
    selector = {
        "matchLabels": {"tier": "web", "app": "shop"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "stage"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "Exists"},
        ],
    }
    text = format_label_selector(selector)
    assert text == "app=shop,tier=web,env in (prod,stage),!canary,zone"
    assert parse_selector(text).matches({"app": "shop", "tier": "web", "env": "prod", "zone": "a"})
    assert format_label_selector({}) == "" and format_label_selector(None) == ""
