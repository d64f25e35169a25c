"""Who the signed-in person is, read from a validated Keycloak access token's claims, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Catalog tiers, lowest first; each inherits everything below it (spec/rbac.md).
TIER_LEVELS: Mapping[str, int] = {"viewer": 10, "developer": 20, "operator": 30, "admin": 40, "owner": 50}
_REALM_ROLE_PREFIX = "catalyst-"


@dataclass(frozen=True, slots=True)
class Identity:
    """The person behind a session, as the console uses them."""

    subject: str  # Keycloak user id (`sub`)
    username: str  # preferred_username
    name: str
    email: str
    tier: str | None  # highest catalog tier, None when the person has no access yet
    realm_roles: tuple[str, ...] = ()
    client_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    groups: tuple[str, ...] = ()  # full Keycloak group paths, e.g. "/acme/admins"
    organization: str = ""
    scopes: tuple[tuple[str, str], ...] = ()  # ("openova.io/env-type", "dev") pairs

    @property
    def display_name(self) -> str:
        return self.name or self.username or self.email or self.subject

    @property
    def tier_level(self) -> int:
        return TIER_LEVELS.get(self.tier or "", 0)

    def has_tier(self, tier: str) -> bool:
        """True when the person's tier is `tier` or higher."""
        return self.tier_level >= TIER_LEVELS[tier]

    @property
    def kube_user(self) -> str:
        """The Kubernetes user name the API server maps this person to (`--oidc-username-prefix=oidc:`)."""
        return f"oidc:{self.subject}"

    @property
    def kube_groups(self) -> tuple[str, ...]:
        """Kubernetes groups (`--oidc-groups-prefix=oidc:`), plus the group every signed-in user has."""
        return (*(f"oidc:{group}" for group in self.groups), "system:authenticated")

    def whoami(self) -> dict[str, Any]:
        """The JSON shape of `/api/whoami` and the footer card."""
        return {
            "sub": self.subject,
            "username": self.username,
            "name": self.display_name,
            "email": self.email,
            "tier": self.tier,
            "roles": list(self.realm_roles),
            "groups": list(self.groups),
            "org": self.organization,
            "scopes": [f"{key}={value}" for key, value in self.scopes],
        }


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if isinstance(item, str | int) and str(item))
    return ()


def tier_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The `tier` claim when it names a tier, else the highest `catalyst-<tier>` realm role, else None."""
    claimed = str(claims.get("tier") or "").strip().lower()
    if claimed in TIER_LEVELS:
        return claimed
    realm_access = claims.get("realm_access")
    roles = _strings(realm_access.get("roles")) if isinstance(realm_access, Mapping) else ()
    tiers = [role[len(_REALM_ROLE_PREFIX) :] for role in roles if role.startswith(_REALM_ROLE_PREFIX)]
    known = [tier for tier in tiers if tier in TIER_LEVELS]
    return max(known, key=TIER_LEVELS.__getitem__) if known else None


def _scopes(value: object) -> tuple[tuple[str, str], ...]:
    pairs = []
    for entry in _strings(value):
        key, separator, scope_value = entry.partition("=")
        if separator and key.strip():
            pairs.append((key.strip(), scope_value.strip()))
    return tuple(pairs)


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Build the Identity from access-token claims (already validated by the caller).

    Raises:
        ValueError: the claims carry no subject.
    """
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise ValueError("the token has no subject (sub) claim")
    realm_access = claims.get("realm_access")
    resource_access = claims.get("resource_access")
    client_roles: dict[str, tuple[str, ...]] = {}
    if isinstance(resource_access, Mapping):
        for client, access in resource_access.items():
            if isinstance(access, Mapping):
                client_roles[str(client)] = _strings(access.get("roles"))
    return Identity(
        subject=subject,
        username=str(claims.get("preferred_username") or ""),
        name=str(claims.get("name") or ""),
        email=str(claims.get("email") or ""),
        tier=tier_from_claims(claims),
        realm_roles=_strings(realm_access.get("roles")) if isinstance(realm_access, Mapping) else (),
        client_roles=client_roles,
        groups=_strings(claims.get("groups")),
        organization=str(claims.get("org") or claims.get("org_id") or ""),
        scopes=_scopes(claims.get("openova_scopes")),
    )
