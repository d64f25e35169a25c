"""The access matrix (rbac.md): people × applications, the effective tier in each cell, and what looks wrong.

A grant reaches the namespaces whose labels match all its scopes, merged with the scopes its tier enforces
(a developer grant reaches dev namespaces only); a grant with no scopes, or only `*`, reaches everything and
shows in the `*` column. Separate grants are ORed, so each namespace gets the highest tier any grant gives it,
and a cell shows the highest tier among the application's namespaces (partial when some of them get less).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.rbac.keycloak_admin import KcUser
from console.rbac.scopes import WILDCARD, Scope, enforced_scopes, is_cluster_wide, matches, merge
from console.rbac.tiers import ENFORCED_SCOPES_ANNOTATION, tier_named
from console.rbac.useraccess import GrantInvalid, UserAccess

__all__ = [
    "ALL_APPLICATIONS",
    "APPLICATION_LABEL",
    "AccessMatrix",
    "Cell",
    "GrantRef",
    "MatrixRow",
    "build_matrix",
    "condition_summary",
    "enforced_by_tier",
]

ALL_APPLICATIONS = "*"
APPLICATION_LABEL = "openova.io/application"
_PREFIX = "openova.io/"


@dataclass(frozen=True, slots=True)
class GrantRef:
    """One grant behind a row, as the cell editor lists it."""

    name: str
    tier: str
    scopes: tuple[Scope, ...]  # the grant's own spec.scopes
    effective: tuple[Scope, ...]  # with the tier's enforced scopes merged in
    cluster_wide: bool


@dataclass(frozen=True, slots=True)
class Cell:
    """One person's effective tier for one application (or `*`: everything, from cluster-wide grants)."""

    application: str
    tier: str
    grants: tuple[str, ...]  # the grants reaching the application, highest tier first
    partial: bool = False  # some of the application's namespaces get a lower tier, or none
    namespaces: tuple[tuple[str, str], ...] = ()  # (namespace, its tier: "" when none) for the application's
    inherited: bool = False  # only cluster-wide grants reach it (the `*` column says the same)


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One person (a Keycloak user, or a group a grant names without a user)."""

    key: str  # the Keycloak subject, or "group:<path>"
    who: str  # the email, else the username or subject, else the group
    subject: str
    groups: tuple[str, ...]
    cells: Mapping[str, Cell]  # by application (and `*`)
    grants: tuple[GrantRef, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccessMatrix:
    applications: tuple[str, ...]  # `*` first, then the applications the namespaces are labelled with
    rows: tuple[MatrixRow, ...]


def enforced_by_tier(cluster_roles: Iterable[Mapping[str, Any]]) -> dict[str, list[Scope]]:
    """The scopes each tier's ClusterRole (`openova:tier-<tier>`) enforces, from its annotation."""
    enforced: dict[str, list[Scope]] = {}
    for role in cluster_roles:
        metadata = role.get("metadata") or {}
        name = str(metadata.get("name") or "")
        if not name.startswith("openova:tier-"):
            continue
        scopes = enforced_scopes(metadata.get("annotations") or {}, ENFORCED_SCOPES_ANNOTATION)
        if scopes:
            enforced[name.removeprefix("openova:tier-")] = scopes
    return enforced


def condition_summary(status: Mapping[str, Any]) -> tuple[str, str]:
    """(text, tone) for a grant's status: the first False condition, "Reconciled" when all are True,
    "Pending" before the reconciler wrote any. Tones: ok | error | progressing."""
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, Mapping)]
    if not conditions:
        return "Pending", "progressing"
    for condition in conditions:
        if str(condition.get("status")) == "False":
            return f"{condition.get('type')}: {condition.get('reason') or 'False'}", "error"
    if any(str(condition.get("status")) != "True" for condition in conditions):
        return "Reconciling", "progressing"
    return "Reconciled", "ok"


def _short(scope: Scope) -> str:
    return f"{scope.key.removeprefix(_PREFIX)}={scope.value}"


def _reach(grant: UserAccess) -> str:
    """What a grant is for, in a warning: its applications, else its organization, else everything."""
    for key in (APPLICATION_LABEL, _PREFIX + "organization"):
        values = [scope.value for scope in grant.scopes if scope.key == key and scope.value != WILDCARD]
        if values:
            return ", ".join(values)
    return "every application"


def _grant_warnings(grant: UserAccess, enforced: Sequence[Scope], known: set[str] | None) -> list[str]:
    warnings = [
        f"{grant.tier.name}-tier UserAccess for {_reach(grant)} missing {_short(scope)} scope ({grant.name})"
        for scope in enforced
        if scope not in grant.scopes
    ]
    for condition in grant.status.get("conditions") or []:
        if isinstance(condition, Mapping) and str(condition.get("status")) == "False":
            why = ": ".join(str(part) for part in (condition.get("reason"), condition.get("message")) if part)
            warnings.append(f"{grant.name}: {condition.get('type')} is False" + (f" ({why})" if why else ""))
    if known is not None and grant.subject and grant.subject not in known:
        warnings.append(f"{grant.name}: {grant.subject} is not a Keycloak user")
    if grant.deleting:
        warnings.append(f"{grant.name} is being revoked")
    return warnings


@dataclass
class _Person:
    key: str
    subject: str
    who: str
    groups: set[str] = field(default_factory=set)
    grants: list[GrantRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    star: tuple[int, str, list[str]] | None = None  # (level, tier, grants) from cluster-wide grants
    reached: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)  # namespace → (level, tier, grant)


def _person_for(people: dict[str, _Person], obj: Mapping[str, Any], grant: UserAccess | None) -> _Person:
    user = (obj.get("spec") or {}).get("user") or {}
    subject = grant.subject if grant else str(user.get("keycloakSubject") or "").strip()
    groups = grant.groups if grant else tuple(str(g) for g in user.get("keycloakGroups") or ())
    email = grant.email if grant else str(user.get("email") or "")
    name = str((obj.get("metadata") or {}).get("name") or "")
    key = subject or (f"group:{groups[0]}" if groups else f"invalid:{name}")
    person = people.get(key)
    if person is None:
        who = email or subject or (f"{groups[0]} (group)" if groups else f"({name}: no user)")
        person = people[key] = _Person(key, subject, who)
    person.groups.update(groups)
    if email and person.who == subject:
        person.who = email
    return person


def _cell(application: str, namespaces: list[str], person: _Person) -> Cell | None:
    wide = set(person.star[2]) if person.star else set()
    tiers = {ns: max(person.reached.get(ns, []), default=(0, "", "")) for ns in namespaces}
    best = max(tiers.values(), default=(0, "", ""))
    if not best[0]:
        return None
    grants = sorted({g for ns in namespaces for g in person.reached.get(ns, [])}, key=lambda g: (-g[0], g[2]))
    return Cell(
        application,
        best[1],
        tuple(dict.fromkeys(g[2] for g in grants)),
        partial=any(level < best[0] for level, _, _ in tiers.values()),
        namespaces=tuple((ns, tiers[ns][1]) for ns in namespaces),
        inherited=all(g[2] in wide for g in grants),
    )


def _labels(namespace: Mapping[str, Any]) -> Mapping[str, str]:
    return (namespace.get("metadata") or {}).get("labels") or {}


def build_matrix(
    grants: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
    *,
    enforced: Mapping[str, Sequence[Scope]] | None = None,
    users: Sequence[KcUser] | None = None,
) -> AccessMatrix:
    """The matrix of `grants` (UserAccess objects) over `namespaces` (Namespace objects).

    `enforced`: each tier's enforced scopes (`enforced_by_tier` of the tier ClusterRoles). `users`: every
    Keycloak user, or None when Keycloak cannot be read (then no "not a Keycloak user" warnings and no rows
    for users without grants).
    """
    enforced = enforced or {}
    known = {user.id for user in users} if users is not None else None
    labels = {str((ns.get("metadata") or {}).get("name") or ""): _labels(ns) for ns in namespaces}
    by_application: dict[str, list[str]] = {}
    for name, namespace_labels in sorted(labels.items()):
        if namespace_labels.get(APPLICATION_LABEL):
            by_application.setdefault(namespace_labels[APPLICATION_LABEL], []).append(name)
    people: dict[str, _Person] = {}
    for obj in sorted(grants, key=lambda o: str((o.get("metadata") or {}).get("name") or "")):
        try:
            grant: UserAccess | None = UserAccess.from_object(obj)
        except GrantInvalid as problem:
            person = _person_for(people, obj, None)
            person.warnings.append(f"{(obj.get('metadata') or {}).get('name')} is not a valid UserAccess: {problem}")
            continue
        assert grant is not None
        person = _person_for(people, obj, grant)
        tier_enforced = list(enforced.get(grant.tier.name, ()))
        effective, _ = merge(grant.scopes, tier_enforced)
        cluster_wide = is_cluster_wide(effective)
        person.grants.append(GrantRef(grant.name, grant.tier.name, grant.scopes, tuple(effective), cluster_wide))
        person.warnings += _grant_warnings(grant, tier_enforced, known)
        level = grant.tier.level
        if cluster_wide:
            if person.star is None or level > person.star[0]:
                person.star = (level, grant.tier.name, [grant.name] + (person.star[2] if person.star else []))
            else:
                person.star[2].append(grant.name)
            reached = list(labels)
        else:
            reached = [name for name, namespace_labels in labels.items() if matches(namespace_labels, effective)]
            if not reached:
                person.warnings.append(f"{grant.name} ({', '.join(map(_short, effective))}) matches no namespace")
        for namespace in reached:
            person.reached.setdefault(namespace, []).append((level, grant.tier.name, grant.name))
    for user in users or ():
        if user.id not in people:
            people[user.id] = _Person(user.id, user.id, user.email or user.username or user.id)
        elif people[user.id].who == user.id:
            people[user.id].who = user.email or user.username or user.id
    rows = []
    for person in people.values():
        cells: dict[str, Cell] = {}
        if person.star is not None:
            cells[ALL_APPLICATIONS] = Cell(ALL_APPLICATIONS, person.star[1], tuple(person.star[2]))
        for application, application_namespaces in by_application.items():
            cell = _cell(application, application_namespaces, person)
            if cell is not None:
                cells[application] = cell
        rows.append(
            MatrixRow(
                person.key,
                person.who,
                person.subject,
                tuple(sorted(person.groups)),
                cells,
                tuple(person.grants),
                tuple(dict.fromkeys(person.warnings)),
            )
        )
    rows.sort(key=lambda row: (-_top_level(row), row.who))
    return AccessMatrix((ALL_APPLICATIONS, *sorted(by_application)), tuple(rows))


def _top_level(row: MatrixRow) -> int:
    return max((tier_named(cell.tier).level for cell in row.cells.values()), default=0)
