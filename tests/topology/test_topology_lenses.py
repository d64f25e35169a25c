"""Lenses as data: what each hides, the menu, and lenses applied by build_view."""

from __future__ import annotations

import pytest
from plain_graph import shop_graph

from console.topology.lenses import LENSES, lens_for
from console.topology.model import EveryNode, ViewOptions
from console.topology.view import build_view


@pytest.mark.parametrize(
    ("lens_id", "shown", "hidden"),
    [
        ("all", {("compute", "core"), ("control", "flux"), ("config", "cert-manager")}, set()),
        ("runtime", {("compute", "core"), ("scope", "core")}, {("network", "core"), ("control", "flux")}),
        (
            "cloud",
            {("compute", "cloud"), ("network", "core"), ("scope", "core")},
            {("config", "core"), ("network", "cilium")},
        ),
        ("reconciliation", {("control", "flux"), ("control", "catalyst")}, {("compute", "core"), ("scope", "core")}),
        ("networking", {("network", "core"), ("network", "cilium")}, {("scope", "core"), ("compute", "core")}),
        ("data", {("data", "core"), ("data", "cnpg")}, {("config", "core")}),
        ("security", {("config", "core"), ("config", "external-secrets")}, {("compute", "core")}),
        ("flux", {("control", "flux")}, {("control", "catalyst"), ("compute", "core")}),
        ("cert-manager", {("config", "cert-manager")}, {("config", "core")}),
        ("cnpg", {("data", "cnpg")}, {("data", "core")}),
        ("external-secrets", {("config", "external-secrets")}, {("config", "core")}),
        ("cilium", {("network", "cilium")}, {("network", "core")}),
        ("crossplane", {("compute", "crossplane")}, {("compute", "core")}),
        ("catalyst", {("control", "catalyst")}, {("control", "flux")}),
    ],
)
def test_each_lens_hides_what_is_not_its_shape_and_family(lens_id: str, shown: set, hidden: set) -> None:
    lens = lens_for(lens_id)
    assert {pair for pair in shown if lens.hides(*pair)} == set()
    assert {pair for pair in hidden if not lens.hides(*pair)} == set()


def test_the_menu_starts_with_all_then_the_domain_lenses_then_the_families() -> None:
    assert [lens.id for lens in LENSES] == [
        "all",
        "reconciliation",
        "cloud",
        "runtime",
        "networking",
        "data",
        "security",
        "flux",
        "crossplane",
        "cert-manager",
        "cnpg",
        "external-secrets",
        "cilium",
        "catalyst",
    ]
    assert lens_for("catalyst").title == "Catalyst CRs"


def test_an_unknown_lens_is_a_clear_error_and_old_spellings_still_work() -> None:
    with pytest.raises(ValueError, match=r"unknown lens 'kitchen' \(lenses: all, reconciliation"):
        lens_for("kitchen")
    assert lens_for("certManager").id == "cert-manager"
    assert lens_for("externalSecrets").id == "external-secrets"


def test_a_lens_hides_types_in_the_view_whatever_their_chips_say() -> None:
    view = build_view(shop_graph(), ViewOptions(lens="reconciliation", group_by="none"), EveryNode())
    assert {node.type for node in view.nodes.values()} == {"helmreleases", "applications"}
    chips = {chip.type: chip for chip in view.types}
    assert chips["deployments"].hidden_by_lens and not chips["deployments"].shown
    assert not chips["helmreleases"].hidden_by_lens and chips["helmreleases"].shown
    assert chips["deployments"].count == 1  # counts ignore the lens


def test_a_family_lens_combines_with_the_chips() -> None:
    graph = shop_graph()
    view = build_view(graph, ViewOptions(lens="cert-manager", group_by="none"), EveryNode())
    assert list(view.nodes) == ["certificates:shop/web-tls"]
    off = ViewOptions(lens="cert-manager", types=frozenset({"deployments"}), group_by="none")
    assert build_view(graph, off, EveryNode()).nodes == {}
