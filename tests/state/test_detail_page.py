"""The detail page draws every tab the domain declares, and nothing else."""

from __future__ import annotations

from console.kube.detail_tabs import TAB_RULES
from console.pages.resource_detail.page import TAB_BODIES


def test_every_declared_tab_has_a_body_and_every_body_a_rule():
    assert set(TAB_BODIES) == {rule.id for rule in TAB_RULES}
