"""A grant's `status` as the reconciler writes it (rbac.md): observedGeneration, the bindings it holds, and the
conditions EnforcedScopeApplied, TierResolved, BindingsReconciled (and KeycloakMembership when the console
administers Keycloak). Pure: the reconciler decides, this module words it.

A condition keeps its `lastTransitionTime` while its status stays the same (as `metav1.Condition`), so
a pass that changes nothing produces the very status already stored, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from console.rbac.bindings import BindingRef, DesiredBindings
from console.rbac.scopes import Scope
from console.rbac.tiers import Tier

__all__ = [
    "BINDINGS_RECONCILED",
    "ENFORCED_SCOPE_APPLIED",
    "KEYCLOAK_MEMBERSHIP",
    "TIER_RESOLVED",
    "bindings_condition",
    "condition",
    "enforced_condition",
    "invalid_conditions",
    "keycloak_condition",
    "merge_conditions",
    "now_timestamp",
    "status_document",
    "tier_missing_conditions",
    "tier_resolved_condition",
]

ENFORCED_SCOPE_APPLIED = "EnforcedScopeApplied"
TIER_RESOLVED = "TierResolved"
BINDINGS_RECONCILED = "BindingsReconciled"
KEYCLOAK_MEMBERSHIP = "KeycloakMembership"


def now_timestamp() -> str:
    """Now as the API server writes times (RFC 3339, seconds, UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(kind: str, ok: bool, reason: str, message: str) -> dict[str, str]:
    """A condition without its transition time (`merge_conditions` adds it)."""
    return {"type": kind, "status": "True" if ok else "False", "reason": reason, "message": message}


def _scopes_text(scopes: Iterable[Scope]) -> str:
    return ", ".join(str(scope) for scope in scopes)


def enforced_condition(desired: DesiredBindings, tier: Tier) -> dict[str, str]:
    """AutoInjected when the tier enforces scopes the grant lacked; AlreadyPresent when it enforces none or
    the grant already carries them (the grant's spec is never rewritten: the merge happens here)."""
    if desired.injected:
        noun = "scope" if len(desired.injected) == 1 else "scopes"
        return condition(
            ENFORCED_SCOPE_APPLIED, True, "AutoInjected", f"merged enforced {noun} {_scopes_text(desired.injected)}"
        )
    if desired.enforced:
        noun = "scope" if len(desired.enforced) == 1 else "scopes"
        return condition(
            ENFORCED_SCOPE_APPLIED,
            True,
            "AlreadyPresent",
            f"spec.scopes already carries enforced {noun} {_scopes_text(desired.enforced)}",
        )
    return condition(ENFORCED_SCOPE_APPLIED, True, "AlreadyPresent", f"{tier.cluster_role} enforces no scopes")


def tier_resolved_condition(tier: Tier) -> dict[str, str]:
    return condition(TIER_RESOLVED, True, "Resolved", f"tier {tier.name} → {tier.cluster_role}")


def tier_missing_conditions(tier: Tier) -> list[dict[str, str]]:
    """The tier's ClusterRole is not on the cluster: nothing can be bound (bindings are left as they are)."""
    missing = f"ClusterRole {tier.cluster_role} not found"
    return [
        condition(ENFORCED_SCOPE_APPLIED, False, "TierClusterRoleNotFound", missing),
        condition(TIER_RESOLVED, False, "TierClusterRoleNotFound", missing),
        condition(
            BINDINGS_RECONCILED, False, "TierClusterRoleNotFound", f"waiting for ClusterRole {tier.cluster_role}"
        ),
    ]


def bindings_condition(desired: DesiredBindings, error: str = "") -> dict[str, str]:
    if error:
        return condition(BINDINGS_RECONCILED, False, "ApplyFailed", error)
    count = len(desired.bindings)
    message = f"{count} binding(s) reconciled"
    if not count and not desired.cluster_wide:
        message += f": no namespace matches {_scopes_text(desired.scopes)}"
    return condition(BINDINGS_RECONCILED, True, "Reconciled", message)


def invalid_conditions(message: str, *, tier_named: bool) -> list[dict[str, str]]:
    """A grant that cannot be reconciled: the spec's message, and NoTierLabel when it names no tier at all."""
    conditions = (
        []
        if tier_named
        else [
            condition(
                ENFORCED_SCOPE_APPLIED,
                False,
                "NoTierLabel",
                "no tier: set spec.tier, spec.tierRoleRef or the label catalyst.openova.io/tier",
            )
        ]
    )
    return [*conditions, condition(BINDINGS_RECONCILED, False, "InvalidSpec", message)]


def keycloak_condition(group_path: str, error: str = "") -> dict[str, str]:
    if error:
        return condition(KEYCLOAK_MEMBERSHIP, False, "KeycloakError", error)
    return condition(KEYCLOAK_MEMBERSHIP, True, "Member", f"member of {group_path}")


def merge_conditions(
    previous: Sequence[Mapping[str, Any]], wanted: Sequence[Mapping[str, str]], now: str
) -> list[dict[str, str]]:
    """`wanted` with each condition's `lastTransitionTime` kept from `previous` while its status is unchanged."""
    before = {str(item.get("type")): item for item in previous if isinstance(item, Mapping)}
    merged = []
    for item in wanted:
        prior = before.get(item["type"])
        kept = prior.get("lastTransitionTime") if prior and prior.get("status") == item["status"] else None
        merged.append({**item, "lastTransitionTime": str(kept or now)})
    return merged


def status_document(
    current: Mapping[str, Any], generation: int, bindings: Iterable[BindingRef], conditions: Sequence[Mapping[str, str]]
) -> dict[str, Any]:
    """The status to store: every field the reconciler owns, other fields of `current` kept."""
    previous = current.get("conditions") if isinstance(current.get("conditions"), list) else []
    return {
        **current,
        "observedGeneration": generation,
        "bindings": [ref.as_status() for ref in sorted(bindings)],
        "conditions": merge_conditions(previous or [], conditions, now_timestamp()),
    }
