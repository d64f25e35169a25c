"""Granting tiers (rbac.md): one UserAccess per user per tier, created, updated or left alone — as the person.

Every write is made through the person's own `KubeApi` (the API server is the second line of defence after
the pages' tier gate) and every attempt lands in the audit log: `rbac-grant-created`, `rbac-grant-updated`,
`rbac-tier-changed` (an edit moved a grant to another tier) and `rbac-grant-deleted`, with result
ok | denied (the API server answered 403, or the console's own gate refused) | error.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from console.audit.log import AuditLog, Result
from console.kube.api import JsonObject, KubeApi, KubeApiError
from console.rbac.keycloak_admin import KcUser
from console.rbac.scopes import Scope, ScopeError, enforced_scopes, merge, validate
from console.rbac.tiers import ENFORCED_SCOPES_ANNOTATION, TIER_LABEL, Tier, UnknownTier, tier_named
from console.rbac.useraccess import GROUP, PLURAL, VERSION, GrantInvalid, UserAccess, grant_name_for

__all__ = [
    "CREATED",
    "DELETED",
    "TIER_CHANGED",
    "UPDATED",
    "Applied",
    "GrantOutcome",
    "GrantRefused",
    "Grantee",
    "apply_grants",
    "audit_target",
    "checked_request",
    "delete_grant",
    "grant_path",
    "grants_path",
    "record_refused",
    "scopes_text",
    "update_grant",
]

CREATED, UPDATED, TIER_CHANGED, DELETED = (
    "rbac-grant-created",
    "rbac-grant-updated",
    "rbac-tier-changed",
    "rbac-grant-deleted",
)
Applied = Literal["created", "updated", "no-op", "deleted", "error"]
_MERGE_PATCH = "application/merge-patch+json"
_CLUSTER_ROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles"


class GrantRefused(ValueError):
    """A grant request that cannot be made as given; nothing was written. The message is ready to show."""


@dataclass(frozen=True, slots=True)
class Grantee:
    """Who a grant is for: a Keycloak user by subject, with the email shown beside it."""

    subject: str  # Keycloak user id (the token's `sub`)
    email: str = ""
    label: str = ""  # how pickers show the person ("Mei Tanaka <viewer@…>"); the email or subject when empty

    @classmethod
    def of(cls, user: KcUser | Grantee | tuple[str, str]) -> Grantee:
        """A Keycloak user, a grantee, or a `(subject, email)` pair."""
        if isinstance(user, Grantee):
            return user
        if isinstance(user, KcUser):
            return cls(user.id.strip(), user.email.strip(), user.display)
        subject, email = user
        return cls(str(subject).strip(), str(email).strip())

    @property
    def who(self) -> str:
        return self.label or self.email or self.subject


@dataclass(frozen=True, slots=True)
class GrantOutcome:
    """What applying a grant did for one user."""

    user: Grantee
    name: str  # the UserAccess's name ("" when none was chosen before the failure)
    applied: Applied
    message: str  # a sentence for people: what changed, or why nothing did
    denied: bool = False  # refused by the API server (403) or by the console's gate


def grants_path(namespace: str) -> str:
    return f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{PLURAL}"


def grant_path(namespace: str, name: str) -> str:
    return f"{grants_path(namespace)}/{name}"


def audit_target(namespace: str, name: str = "") -> str:
    """`useraccesses.access.openova.io/<ns>/<name>` (the collection when no name is known)."""
    return f"{PLURAL}.{GROUP}/{namespace}" + (f"/{name}" if name else "")


def scopes_text(scopes: Iterable[Scope]) -> str:
    """`openova.io/application=wordpress, openova.io/env-type=dev`, or "cluster-wide" when there are none."""
    return ", ".join(str(scope) for scope in scopes) or "cluster-wide"


def _detail(user: str, tier: Tier, scopes: Iterable[Scope], before: str = "") -> str:
    return f"user={user} tier={tier.name} scopes={scopes_text(scopes)}" + (f" (was {before})" if before else "")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _scope_list(scopes: Iterable[Scope | Mapping[str, object]]) -> list[Scope]:
    plain = [scope.as_json() if isinstance(scope, Scope) else scope for scope in scopes]
    return validate(plain)


def checked_request(
    tier: str | Tier,
    scopes: Iterable[Scope | Mapping[str, object]],
    users: Iterable[KcUser | Grantee | tuple[str, str]],
) -> tuple[Tier, list[Scope], list[Grantee]]:
    """The request as the service uses it: a known tier, checked scopes, distinct users with a subject.

    Raises:
        GrantRefused: an unknown tier, a scope the spec refuses (its own message), or no user.
    """
    try:
        chosen = tier if isinstance(tier, Tier) else tier_named(tier)
        checked = _scope_list(scopes)
    except (UnknownTier, ScopeError) as problem:
        raise GrantRefused(str(problem)) from problem
    grantees: dict[str, Grantee] = {}
    for user in users:
        grantee = Grantee.of(user)
        if not grantee.subject:
            raise GrantRefused(f"{grantee.who or 'a user'} has no Keycloak subject")
        grantees.setdefault(grantee.subject, grantee)
    if not grantees:
        raise GrantRefused("pick at least one user to grant to")
    return chosen, checked, list(grantees.values())


async def _enforced(api: KubeApi, tier: Tier) -> list[Scope]:
    """The scopes the tier's ClusterRole enforces (its annotation); none when the role cannot be read."""
    try:
        role = await api.get(f"{_CLUSTER_ROLES}/{tier.cluster_role}")
    except KubeApiError:
        return []
    return enforced_scopes((role.get("metadata") or {}).get("annotations") or {}, ENFORCED_SCOPES_ANNOTATION)


def _parsed(obj: JsonObject) -> UserAccess | None:
    try:
        return UserAccess.from_object(obj)
    except GrantInvalid:
        return None


def _failure(error: KubeApiError) -> tuple[Result, str]:
    if error.status == 403:
        return "denied", f"refused by the API server: {error.message}"
    if error.status == 409:
        return "error", f"changed or created by someone else meanwhile; try again ({error.message})"
    return "error", error.message


def _free_name(grantee: Grantee, tier: Tier, taken: set[str]) -> str:
    name = grant_name_for(grantee.email or grantee.subject, tier)
    if name not in taken:
        return name
    suffix = hashlib.sha256(grantee.subject.encode()).hexdigest()[:6]
    return f"{name[: 62 - len(suffix)]}-{suffix}"


async def _create(
    api: KubeApi,
    grantee: Grantee,
    tier: Tier,
    scopes: list[Scope],
    namespace: str,
    sovereign_ref: str,
    taken: set[str],
    audit: AuditLog,
    actor: str,
) -> GrantOutcome:
    name = _free_name(grantee, tier, taken)
    grant = UserAccess(
        name, namespace, tier, sovereign_ref, subject=grantee.subject, email=grantee.email, scopes=tuple(scopes)
    )
    detail = _detail(grantee.email or grantee.subject, tier, scopes)
    try:
        await api.post(grants_path(namespace), grant.manifest())
    except KubeApiError as error:
        result, message = _failure(error)
        await audit.record(actor, CREATED, audit_target(namespace, name), result, f"{detail}: {message}")
        return GrantOutcome(grantee, name, "error", message, denied=result == "denied")
    taken.add(name)
    await audit.record(actor, CREATED, audit_target(namespace, name), "ok", detail)
    return GrantOutcome(grantee, name, "created", f"created {name}: {tier.name} on {scopes_text(scopes)}")


async def _write(api: KubeApi, existing: UserAccess, wanted: UserAccess) -> None:
    """A merge patch of the labels and the whole spec, refused if the grant changed since it was read."""
    body = {
        "metadata": {"resourceVersion": existing.resource_version, "labels": {TIER_LABEL: wanted.tier.name}},
        "spec": wanted.spec(),
    }
    await api.patch(grant_path(existing.namespace, existing.name), body, _MERGE_PATCH)


async def _update(
    api: KubeApi, existing: UserAccess, wanted: UserAccess, audit: AuditLog, actor: str, grantee: Grantee
) -> GrantOutcome:
    if (wanted.tier, wanted.scopes, wanted.email) == (existing.tier, existing.scopes, existing.email):
        return GrantOutcome(
            grantee,
            existing.name,
            "no-op",
            f"{existing.name} already grants {wanted.tier.name} on {scopes_text(wanted.scopes)}",
        )
    action = TIER_CHANGED if wanted.tier != existing.tier else UPDATED
    before = f"{existing.tier.name} on {scopes_text(existing.scopes)}"
    detail = _detail(wanted.email or wanted.subject or ", ".join(wanted.groups), wanted.tier, wanted.scopes, before)
    target = audit_target(existing.namespace, existing.name)
    try:
        await _write(api, existing, wanted)
    except KubeApiError as error:
        result, message = _failure(error)
        await audit.record(actor, action, target, result, f"{detail}: {message}")
        return GrantOutcome(grantee, existing.name, "error", message, denied=result == "denied")
    await audit.record(actor, action, target, "ok", detail)
    return GrantOutcome(
        grantee,
        existing.name,
        "updated",
        f"updated {existing.name}: {wanted.tier.name} on {scopes_text(wanted.scopes)}",
    )


async def apply_grants(
    api_as_person: KubeApi,
    *,
    tier: str | Tier,
    scopes: Iterable[Scope | Mapping[str, object]],
    users: Iterable[KcUser | Grantee | tuple[str, str]],
    namespace: str,
    sovereign_ref: str,
    audit: AuditLog,
    actor: str,
) -> list[GrantOutcome]:
    """Give `tier` on `scopes` to every user: one UserAccess per user per tier (found by its
    `spec.user.keycloakSubject` and tier), created when missing, updated when its scopes differ, else left
    alone. The tier's enforced scopes (its ClusterRole's annotation, e.g. env-type=dev for developers) are
    written into the grant, so it says what it does.

    Raises:
        GrantRefused: the request is not valid (nothing was written or audited).
    """
    chosen, wanted_scopes, grantees = checked_request(tier, scopes, users)
    if not sovereign_ref.strip():
        raise GrantRefused("spec.sovereignRef is required")
    await audit.ensure_writable()  # no grant the audit log could not record
    scoped, _ = merge(wanted_scopes, await _enforced(api_as_person, chosen))
    try:
        listed = await api_as_person.get(grants_path(namespace))
    except KubeApiError as error:
        result, message = _failure(error)
        outcomes = []
        for grantee in grantees:
            detail = _detail(grantee.email or grantee.subject, chosen, scoped)
            await audit.record(actor, CREATED, audit_target(namespace), result, f"{detail}: {message}")
            outcomes.append(GrantOutcome(grantee, "", "error", message, denied=result == "denied"))
        return outcomes
    objects = [item for item in listed.get("items") or [] if isinstance(item, dict)]
    taken = {str((item.get("metadata") or {}).get("name") or "") for item in objects}
    current = sorted(
        (grant for grant in map(_parsed, objects) if grant is not None and not grant.deleting),
        key=lambda grant: grant.name,
    )
    outcomes = []
    for grantee in grantees:
        existing = next((g for g in current if g.subject == grantee.subject and g.tier == chosen), None)
        if existing is None:
            outcome = await _create(
                api_as_person, grantee, chosen, scoped, namespace, sovereign_ref, taken, audit, actor
            )
        else:
            wanted = dataclasses.replace(existing, scopes=tuple(scoped), email=grantee.email or existing.email)
            outcome = await _update(api_as_person, existing, wanted, audit, actor, grantee)
        outcomes.append(outcome)
    return outcomes


async def update_grant(
    api_as_person: KubeApi,
    *,
    name: str,
    namespace: str,
    tier: str | Tier,
    scopes: Iterable[Scope | Mapping[str, object]],
    audit: AuditLog,
    actor: str,
) -> GrantOutcome:
    """Edit one grant's tier and scopes (`rbac-tier-changed` when the tier moves, else `rbac-grant-updated`).

    Raises:
        GrantRefused: an unknown tier or a refused scope; the grant is not a valid UserAccess; its user already
            holds another grant of the new tier (one grant per user per tier). Nothing was written.
    """
    await audit.ensure_writable()  # no change the audit log could not record
    try:
        chosen = tier if isinstance(tier, Tier) else tier_named(tier)
        wanted_scopes = _scope_list(scopes)
    except (UnknownTier, ScopeError) as problem:
        raise GrantRefused(str(problem)) from problem
    target = audit_target(namespace, name)
    try:
        obj = await api_as_person.get(grant_path(namespace, name))
        existing = UserAccess.from_object(obj)
        scoped, _ = merge(wanted_scopes, await _enforced(api_as_person, chosen))
        if chosen != existing.tier and existing.subject:
            listed = await api_as_person.get(grants_path(namespace))
            for other in map(_parsed, listed.get("items") or []):
                if other and other.name != name and other.subject == existing.subject and other.tier == chosen:
                    raise GrantRefused(
                        f"{existing.who()} already has {_article(chosen.name)} {chosen.name} grant ({other.name}): "
                        "edit that one instead"
                    )
    except GrantInvalid as problem:
        raise GrantRefused(f"{name} is not a valid UserAccess: {problem}") from problem
    except KubeApiError as error:
        result, message = _failure(error)
        await audit.record(actor, UPDATED, target, result, f"tier={chosen.name}: {message}")
        return GrantOutcome(Grantee(""), name, "error", message, denied=result == "denied")
    grantee = Grantee(existing.subject, existing.email)
    wanted = dataclasses.replace(existing, tier=chosen, scopes=tuple(scoped))
    return await _update(api_as_person, existing, wanted, audit, actor, grantee)


async def delete_grant(
    api_as_person: KubeApi, *, name: str, namespace: str, audit: AuditLog, actor: str
) -> GrantOutcome:
    """Revoke one grant (its bindings go with it: the reconciler's finalizer), audited `rbac-grant-deleted`."""
    target = audit_target(namespace, name)
    if not name.strip():
        raise GrantRefused("which grant? a UserAccess name is required")
    await audit.ensure_writable()  # no revoke the audit log could not record
    described = ""
    try:
        existing = _parsed(await api_as_person.get(grant_path(namespace, name)))
        if existing is not None:
            described = _detail(existing.who(), existing.tier, existing.scopes)
            grantee = Grantee(existing.subject, existing.email)
        else:
            grantee = Grantee("")
        await api_as_person.delete(grant_path(namespace, name))
    except KubeApiError as error:
        result, message = _failure(error)
        if error.status == 404:
            message = f"{name} does not exist (already revoked?)"
        await audit.record(actor, DELETED, target, result, f"{described or name}: {message}")
        return GrantOutcome(Grantee(""), name, "error", message, denied=result == "denied")
    await audit.record(actor, DELETED, target, "ok", described)
    return GrantOutcome(grantee, name, "deleted", f"revoked {name}")


async def record_refused(
    audit: AuditLog, actor: str, action: str, namespace: str, names: Sequence[str], reason: str
) -> None:
    """The console's own gate refused a write (a forged event, say): one `denied` record per grant it named."""
    for name in names or [""]:
        await audit.record(actor, action, audit_target(namespace, name), "denied", reason)
