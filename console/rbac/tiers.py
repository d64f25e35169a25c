"""The catalog tiers as data (rbac.md): level, the actions each adds, and the names that carry them on the
Kubernetes side (ClusterRole `openova:tier-<tier>`) and the Keycloak side (realm role, group `/tiers/<tier>`)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ENFORCED_SCOPES_ANNOTATION",
    "TIERS",
    "TIER_LABEL",
    "Tier",
    "UnknownTier",
    "actions_of",
    "at_least",
    "tier_named",
]

ENFORCED_SCOPES_ANNOTATION = "catalyst.openova.io/enforced-scopes"
TIER_LABEL = "catalyst.openova.io/tier"


class UnknownTier(ValueError):
    """A tier name that is not one of viewer … owner."""


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    level: int
    adds: tuple[str, ...]  # the actions this tier adds; it inherits every lower tier's
    summary: str  # one line for pickers

    @property
    def cluster_role(self) -> str:
        return f"openova:tier-{self.name}"

    @property
    def realm_role(self) -> str:
        return f"catalyst-{self.name}"

    @property
    def group_path(self) -> str:
        return f"/tiers/{self.name}"


TIERS: tuple[Tier, ...] = (
    Tier("viewer", 10, ("*.read",), "see everything in scope, change nothing; Secret values never revealed"),
    Tier(
        "developer",
        20,
        ("workloads.exec", "workloads.console", "sessions.playback"),
        "open shells and consoles — always limited to dev environments (openova.io/env-type=dev)",
    ),
    Tier(
        "operator",
        30,
        ("flux.reconcile", "flux.suspend", "flux.resume", "workloads.restart", "patches.manage"),
        "reconcile, suspend and resume Flux objects, restart workloads",
    ),
    Tier(
        "admin",
        40,
        (
            "compute.* (except delete-namespace)",
            "workloads.scale",
            "workloads.delete",
            "yaml.edit",
            "credentials.*",
            "applications.*",
        ),
        "change workloads: scale, delete, edit YAML, credentials, applications",
    ),
    Tier(
        "owner",
        50,
        ("rbac.* (grant and revoke)", "organization.*", "compliance.modes"),
        "grant and revoke access, organizations, compliance modes",
    ),
)
_BY_NAME = {tier.name: tier for tier in TIERS}


def tier_named(name: str) -> Tier:
    """The tier called `name` (`tier-developer` and `catalyst-developer` are accepted too)."""
    plain = name.strip().lower().removeprefix("tier-").removeprefix("catalyst-").removeprefix("openova:tier-")
    tier = _BY_NAME.get(plain)
    if tier is None:
        raise UnknownTier(f"unknown tier: {name or '(empty)'} — valid: {', '.join(_BY_NAME)}")
    return tier


def actions_of(tier: Tier) -> list[tuple[str, str]]:
    """Every action `tier` allows as (action, the tier that adds it), lowest tier first."""
    return [(action, lower.name) for lower in TIERS if lower.level <= tier.level for action in lower.adds]


def at_least(tier_name: str | None, minimum: str) -> bool:
    """Whether a person of `tier_name` (None: no tier) holds `minimum` or a higher tier."""
    if not tier_name or tier_name not in _BY_NAME:
        return False
    return _BY_NAME[tier_name].level >= _BY_NAME[minimum].level
