"""The groups page's tree as data: flattened from Keycloak's group tree, only expanded branches shown, the
way to a selected group opened, and group names checked before anything reaches Keycloak."""

from __future__ import annotations

from console.pages.access.groups_tree import ancestors_of, flatten, group_name_problem, member_row, visible_rows
from console.rbac.keycloak_admin import KcGroup, KcUser


def _tree() -> list[KcGroup]:
    admins = KcGroup("g-acme-admins", "admins", "/acme/admins")
    ops = KcGroup("g-acme-ops", "ops", "/acme/ops", (KcGroup("g-acme-ops-night", "night", "/acme/ops/night"),))
    return [
        KcGroup("g-tiers", "tiers", "/tiers", (KcGroup("g-owner", "owner", "/tiers/owner"),)),
        KcGroup("g-acme", "acme", "/acme", (ops, admins)),
        KcGroup("g-sov", "sovereign-admins", "/sovereign-admins"),
    ]


def test_flatten_orders_by_name_and_keeps_parents():
    top, nodes = flatten(_tree())

    assert top == ("g-acme", "g-sov", "g-tiers")
    assert nodes["g-acme"].children == ("g-acme-admins", "g-acme-ops")
    assert nodes["g-acme-ops-night"].parent == "g-acme-ops" and nodes["g-acme"].parent == ""
    assert ancestors_of("g-acme-ops-night", nodes) == ["g-acme", "g-acme-ops"]
    assert ancestors_of("g-acme", nodes) == [] and ancestors_of("missing", nodes) == []


def test_only_expanded_branches_are_rows_indented_by_depth():
    top, nodes = flatten(_tree())

    collapsed = visible_rows(top, nodes, set(), "")
    assert [row["path"] for row in collapsed] == ["/acme", "/sovereign-admins", "/tiers"]
    assert [row["expandable"] for row in collapsed] == ["true", "false", "true"]

    opened = visible_rows(top, nodes, {"g-acme", "g-acme-ops"}, "g-acme-ops-night")
    assert [(row["path"], row["indent"]) for row in opened] == [
        ("/acme", "0px"),
        ("/acme/admins", "18px"),
        ("/acme/ops", "18px"),
        ("/acme/ops/night", "36px"),
        ("/sovereign-admins", "0px"),
        ("/tiers", "0px"),
    ]
    assert [row["path"] for row in opened if row["selected"] == "true"] == ["/acme/ops/night"]
    assert {row["path"]: row["expanded"] for row in opened}["/acme/ops"] == "true"
    # A leaf that is "expanded" stays a leaf; an expanded branch under a collapsed one stays hidden.
    assert len(visible_rows(top, nodes, {"g-sov", "g-acme-ops"}, "")) == 3


def test_group_names_are_checked_with_clear_messages():
    assert group_name_problem("ops") == ""
    assert group_name_problem("  ") == "A group name is required."
    assert group_name_problem("a/b") == "A group name cannot contain “/”: a/b"
    assert group_name_problem("x" * 256) == "A group name has at most 255 characters (256 given)."
    assert group_name_problem("ops", ["admins", "ops"]) == "A group named “ops” already exists here."


def test_a_member_row_names_the_person():
    row = member_row(KcUser("u1", "owner", "owner@x", "Amira", "Al-Balushi"))
    assert row == {"id": "u1", "username": "owner", "name": "Amira Al-Balushi", "email": "owner@x", "enabled": "true"}
    assert member_row(KcUser("u2", "bot", enabled=False))["name"] == "bot"
