"""The grant vocabulary: tiers, scopes with the spec's messages, and UserAccess parsing as the reconciler reads it."""

from __future__ import annotations

import pytest

from console.rbac.scopes import (
    Scope,
    ScopeError,
    enforced_scopes,
    is_cluster_wide,
    matches,
    merge,
    parse_scope,
    validate,
)
from console.rbac.tiers import TIERS, UnknownTier, actions_of, at_least, tier_named
from console.rbac.useraccess import GrantInvalid, UserAccess, grant_name_for

DEV = Scope("openova.io/env-type", "dev")


def _grant(**spec: object) -> dict:
    base = {"user": {"keycloakSubject": "abc"}, "sovereignRef": "omantel.openova.cloud", "tier": "viewer"}
    return {"metadata": {"name": "g", "namespace": "catalyst-system"}, "spec": {**base, **spec}}


def test_tiers_inherit_every_lower_tiers_actions() -> None:
    owner = tier_named("owner")
    actions = dict(actions_of(owner))
    assert actions["*.read"] == "viewer" and actions["workloads.exec"] == "developer"
    assert [tier.level for tier in TIERS] == [10, 20, 30, 40, 50]
    assert "workloads.exec" not in dict(actions_of(tier_named("viewer")))


def test_tier_names_accept_the_role_spellings_and_refuse_others() -> None:
    assert tier_named("catalyst-admin").name == tier_named("openova:tier-admin").name == "admin"
    assert tier_named("developer").cluster_role == "openova:tier-developer"
    with pytest.raises(UnknownTier, match="unknown tier: root — valid: viewer, developer, operator, admin, owner"):
        tier_named("root")
    assert at_least("owner", "admin") and not at_least("admin", "owner") and not at_least(None, "viewer")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("", "x", "scope key is required"),
        ("openova.io/colour", "red", "unknown scope key: openova.io/colour — valid: provider, region"),
        ("application", " ", "scope value is required"),
        ("organization", "<script>", "scope value “<script>” is not a label value: up to 63 letters"),
        ("region", "eu west", "scope value “eu west” is not a label value"),
        ("application", "a" * 64, "scope value “aaaa"),
        ("application", "-wordpress", "scope value “-wordpress” is not a label value"),
    ],
)
def test_bad_scopes_get_the_specs_messages(key: str, value: str, message: str) -> None:
    with pytest.raises(ScopeError) as raised:
        parse_scope(key, value)
    assert str(raised.value).startswith(message)


def test_label_values_and_the_wildcard_are_scope_values() -> None:
    for value in ("acme", "eu-west-1", "v1.2_beta", "a" * 63, "7", "*"):
        assert parse_scope("application", value).value == value


def test_scope_keys_take_a_bare_form_and_org_is_organization() -> None:
    assert parse_scope("application", "wordpress") == Scope("openova.io/application", "wordpress")
    assert parse_scope("openova.io/org", "acme") == Scope("openova.io/organization", "acme")
    assert validate([{"labelKey": "openova.io/region", "labelValue": "fsn"}, {"key": "region", "value": "fsn"}]) == [
        Scope("openova.io/region", "fsn")
    ]


def test_scopes_are_anded_and_a_wildcard_matches_any_namespace() -> None:
    labels = {"openova.io/application": "wordpress", "openova.io/env-type": "dev"}
    assert matches(labels, [Scope("openova.io/application", "wordpress"), DEV])
    assert not matches(labels, [Scope("openova.io/application", "wordpress"), Scope("openova.io/env-type", "prod")])
    assert matches({}, [Scope("openova.io/application", "*")])
    assert is_cluster_wide([]) and is_cluster_wide([Scope("openova.io/region", "*")]) and not is_cluster_wide([DEV])


def test_enforced_scopes_replace_the_grants_own_value_for_that_key() -> None:
    annotation = {"catalyst.openova.io/enforced-scopes": '[{"key":"openova.io/env-type","value":"dev"}]'}
    enforced = enforced_scopes(annotation, "catalyst.openova.io/enforced-scopes")
    assert enforced == [DEV]
    merged, added = merge([Scope("openova.io/env-type", "prod")], enforced)
    assert merged == [DEV] and added == [DEV]
    assert merge([DEV], enforced) == ([DEV], [])
    assert (
        enforced_scopes({"catalyst.openova.io/enforced-scopes": "not json"}, "catalyst.openova.io/enforced-scopes")
        == []
    )


def test_a_user_access_reads_as_the_reconciler_needs_it() -> None:
    grant = UserAccess.from_object(
        _grant(
            user={"keycloakSubject": "abc", "keycloakGroups": ["/acme/admins"], "email": "a@acme.io"},
            tier="developer",
            scopes=[{"key": "openova.io/application", "value": "wordpress"}],
        )
    )
    assert grant.tier.name == "developer" and grant.scopes == (Scope("openova.io/application", "wordpress"),)
    assert [subject["name"] for subject in grant.subjects()] == ["oidc:abc", "oidc:/acme/admins"]
    assert grant.who() == "a@acme.io"
    assert UserAccess.from_object(grant.manifest()).spec() == grant.spec()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"user": {}}, "spec.user must set keycloakSubject and/or keycloakGroups"),
        ({"sovereignRef": ""}, "spec.sovereignRef is required"),
        ({"tier": "root"}, "unknown tier: root"),
        ({"scopes": [{"key": "colour", "value": "red"}]}, "unknown scope key: colour"),
    ],
)
def test_invalid_grants_say_why(spec: dict, message: str) -> None:
    with pytest.raises(GrantInvalid, match=message):
        UserAccess.from_object(_grant(**spec))


def test_the_tier_may_come_from_the_label_or_the_role_reference() -> None:
    labelled = _grant(tier="")
    labelled["metadata"]["labels"] = {"catalyst.openova.io/tier": "operator"}
    assert UserAccess.from_object(labelled).tier.name == "operator"
    assert UserAccess.from_object(_grant(tier="", tierRoleRef="openova:tier-admin")).tier.name == "admin"


def test_new_grant_names_are_valid_object_names() -> None:
    assert grant_name_for("Jane.Doe@Acme.io", tier_named("developer")) == "jane-doe-developer"
    long = grant_name_for("x" * 100, tier_named("owner"))
    assert len(long) <= 63 and long.endswith("-owner")
