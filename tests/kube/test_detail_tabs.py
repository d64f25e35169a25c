"""Which tabs a kind's detail page offers follows from its capabilities (`console.kube.detail_tabs`)."""

from __future__ import annotations

import pytest

from console.kube.detail_tabs import TAB_RULES, feeds_of, tabs_for
from console.kube.registry import KINDS, kind_for

EVERY_KIND = ["overview", "yaml", "events", "tree"]


@pytest.mark.parametrize(
    ("kind_id", "tabs"),
    [
        ("pods", ["overview", "yaml", "logs", "exec", "events", "tree", "metrics", "compliance"]),
        ("deployments", ["overview", "yaml", "logs", "events", "tree", "compliance"]),
        ("daemonsets", ["overview", "yaml", "logs", "events", "tree", "compliance"]),
        ("worker-nodes", ["overview", "yaml", "events", "tree", "metrics"]),
        ("helmreleases", ["overview", "yaml", "events", "tree", "reconcile"]),
        ("configmaps", EVERY_KIND),
        ("secrets", EVERY_KIND),
    ],
)
def test_tabs_follow_capabilities(kind_id: str, tabs: list[str]):
    assert [rule.id for rule in tabs_for(kind_for(kind_id))] == tabs


def test_tab_ids_are_unique_and_every_kind_has_the_overview_first():
    assert len({rule.id for rule in TAB_RULES}) == len(TAB_RULES)
    for kind in KINDS.values():
        assert tabs_for(kind)[0].id == "overview"


def test_what_each_tab_follows_besides_the_object():
    assert feeds_of("overview") == {"related", "endpoints"}
    assert feeds_of("tree") == {"related"}
    assert feeds_of("events") == feeds_of("reconcile") == {"events"}
    assert feeds_of("metrics") == {"metrics"}
    assert feeds_of("yaml") == feeds_of("no-such-tab") == frozenset()
