"""The UserAccess grant (`access.openova.io/v1alpha1`, rbac.md): parsed, validated, and written back.

One grant gives one tier to a Keycloak user (`oidc:<sub>`) and/or groups (`oidc:<group path>`), limited to
the namespaces whose labels match all its scopes (none: the whole cluster).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.rbac.scopes import Scope, ScopeError, validate
from console.rbac.tiers import TIER_LABEL, Tier, UnknownTier, tier_named

__all__ = [
    "API_VERSION",
    "FINALIZER",
    "GROUP",
    "KIND",
    "PLURAL",
    "VERSION",
    "GrantInvalid",
    "UserAccess",
    "grant_name_for",
]

GROUP, VERSION, PLURAL, KIND = "access.openova.io", "v1alpha1", "useraccesses", "UserAccess"
API_VERSION = f"{GROUP}/{VERSION}"
FINALIZER = "access.openova.io/bindings"  # the reconciler removes a grant's bindings before it goes
SUBJECT_PREFIX = "oidc:"  # the API server's --oidc-username-prefix and --oidc-groups-prefix


class GrantInvalid(ValueError):
    """A UserAccess that cannot be reconciled; the message is the spec's, ready to show."""


@dataclass(frozen=True, slots=True)
class UserAccess:
    name: str
    namespace: str
    tier: Tier
    sovereign_ref: str
    subject: str = ""  # Keycloak user id (`sub`)
    groups: tuple[str, ...] = ()  # Keycloak group paths, e.g. "/acme/admins"
    email: str = ""
    scopes: tuple[Scope, ...] = ()
    uid: str = ""
    resource_version: str = ""
    generation: int = 0
    deleting: bool = False  # metadata.deletionTimestamp is set
    finalizers: tuple[str, ...] = ()
    status: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> UserAccess:
        """Parse a UserAccess as the API server returns it.

        Raises:
            GrantInvalid: "spec.user must set keycloakSubject and/or keycloakGroups", "spec.sovereignRef is
                required", an unknown tier, or a scope the spec refuses.
        """
        metadata = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        user = spec.get("user") or {}
        subject = str(user.get("keycloakSubject") or "").strip()
        groups = tuple(str(group).strip() for group in user.get("keycloakGroups") or () if str(group).strip())
        if not subject and not groups:
            raise GrantInvalid("spec.user must set keycloakSubject and/or keycloakGroups")
        sovereign = str(spec.get("sovereignRef") or "").strip()
        if not sovereign:
            raise GrantInvalid("spec.sovereignRef is required")
        tier_name = str(spec.get("tier") or (metadata.get("labels") or {}).get(TIER_LABEL) or "")
        if not tier_name and spec.get("tierRoleRef"):
            tier_name = str(spec["tierRoleRef"])
        try:
            tier = tier_named(tier_name)
            scopes = tuple(validate(entry for entry in spec.get("scopes") or () if isinstance(entry, dict)))
        except (UnknownTier, ScopeError) as problem:
            raise GrantInvalid(str(problem)) from problem
        return cls(
            name=str(metadata.get("name") or ""),
            namespace=str(metadata.get("namespace") or ""),
            tier=tier,
            sovereign_ref=sovereign,
            subject=subject,
            groups=groups,
            email=str(user.get("email") or ""),
            scopes=scopes,
            uid=str(metadata.get("uid") or ""),
            resource_version=str(metadata.get("resourceVersion") or ""),
            generation=int(metadata.get("generation") or 0),
            deleting=bool(metadata.get("deletionTimestamp")),
            finalizers=tuple(metadata.get("finalizers") or ()),
            status=obj.get("status") or {},
        )

    def subjects(self) -> list[dict[str, str]]:
        """The RBAC subjects this grant binds: the user, then each group, as the API server names them."""
        subjects = []
        if self.subject:
            subjects.append(
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": SUBJECT_PREFIX + self.subject}
            )
        subjects += [
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": SUBJECT_PREFIX + group}
            for group in self.groups
        ]
        return subjects

    def who(self) -> str:
        """The grant's person for tables: the email, else the subject, else the groups."""
        return self.email or self.subject or ", ".join(self.groups)

    def spec(self) -> dict[str, Any]:
        """The spec as written to the API server (tierRoleRef follows the tier)."""
        user: dict[str, Any] = {}
        if self.subject:
            user["keycloakSubject"] = self.subject
        if self.groups:
            user["keycloakGroups"] = list(self.groups)
        if self.email:
            user["email"] = self.email
        return {
            "user": user,
            "sovereignRef": self.sovereign_ref,
            "tier": self.tier.name,
            "tierRoleRef": self.tier.cluster_role,
            "scopes": [scope.as_json() for scope in self.scopes],
        }

    def manifest(self) -> dict[str, Any]:
        """A complete object to create (no status)."""
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": {TIER_LABEL: self.tier.name}},
            "spec": self.spec(),
        }


_NAME_UNSAFE = re.compile(r"[^a-z0-9-]+")


def grant_name_for(who: str, tier: Tier) -> str:
    """A readable, valid object name for a new grant: `<user part of the email or the subject>-<tier>`."""
    base = _NAME_UNSAFE.sub("-", who.split("@", 1)[0].lower()).strip("-") or "grant"
    return f"{base[: 62 - len(tier.name)]}-{tier.name}".strip("-")
