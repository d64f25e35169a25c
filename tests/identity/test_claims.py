import json
from pathlib import Path

import pytest

from console.identity.claims import identity_from_claims, tier_from_claims

REAL_PAYLOADS = Path(__file__).with_name("testdata") / "keycloak-access-token-payloads.json"

SRE_CLAIMS = {
    "sub": "5d3c0e6e-0000-4000-8000-000000000003",
    "preferred_username": "sre",
    "name": "Samira Reyes",
    "email": "sre@omantel.openova.cloud",
    "tier": "operator",
    "realm_access": {"roles": ["default-roles-sovereign", "catalyst-viewer", "catalyst-operator"]},
    "resource_access": {"account": {"roles": ["view-profile"]}},
    "groups": ["/tiers/operator"],
    "org": "openova",
    "openova_scopes": ["openova.io/env-type=prod", "malformed"],
}


def test_claims_become_the_identity_the_console_uses():
    identity = identity_from_claims(SRE_CLAIMS)
    assert identity.display_name == "Samira Reyes"
    assert identity.tier == "operator"
    assert identity.has_tier("developer") and not identity.has_tier("admin")
    assert identity.groups == ("/tiers/operator",)
    assert identity.scopes == (("openova.io/env-type", "prod"),)
    assert identity.kube_user == "oidc:5d3c0e6e-0000-4000-8000-000000000003"
    assert identity.kube_groups == ("oidc:/tiers/operator", "system:authenticated")
    assert identity.whoami()["roles"] == ["default-roles-sovereign", "catalyst-viewer", "catalyst-operator"]


def test_tier_falls_back_to_the_highest_realm_role():
    claims = {"realm_access": {"roles": ["catalyst-viewer", "catalyst-admin", "catalyst-developer"]}}
    assert tier_from_claims(claims) == "admin"


def test_an_unknown_tier_claim_is_ignored_for_the_roles():
    assert tier_from_claims({"tier": "superuser", "realm_access": {"roles": ["catalyst-viewer"]}}) == "viewer"


def test_no_tier_means_no_access_yet():
    identity = identity_from_claims({"sub": "x", "preferred_username": "newcomer"})
    assert identity.tier is None
    assert identity.tier_level == 0
    assert identity.display_name == "newcomer"


def test_a_token_without_subject_is_refused():
    with pytest.raises(ValueError, match="no subject"):
        identity_from_claims({"preferred_username": "ghost"})


def test_real_keycloak_payload_layouts_parse():
    payloads = json.loads(REAL_PAYLOADS.read_text())
    samples = [sample for key, sample in payloads.items() if not key.startswith("_")]
    assert len(samples) == 3
    for sample in samples:
        identity = identity_from_claims(sample["payload"])
        assert identity.subject == sample["payload"]["sub"]
        assert identity.tier is None  # real-world realms without Catalyst roles
