"""The cluster's RBAC objects indexed for "who can <verb> <resource> in <namespace>?" — pure and fast.

Matching follows the API server's RBAC authorizer (`plugin/pkg/auth/authorizer/rbac`): a subject can when
a binding that names it refers to a role with a rule covering the request; nothing ever denies. Aggregated
ClusterRoles get the rules of every ClusterRole their selectors match (what the aggregation controller
writes into `rules`, resolved here so a not-yet-settled object answers the same). Non-resource rules
(`nonResourceURLs`) are ignored: the question is always about a resource.

Bindings are indexed by the role they name, so a question checks each role's rules once and then reads
the bindings of the roles that allow, instead of walking rules per binding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SUBJECT_KINDS",
    "PolicyRule",
    "RbacIndex",
    "WhoCanGrant",
    "WhoCanSubject",
    "service_account_user",
]

SUBJECT_KINDS = ("User", "Group", "ServiceAccount")  # the order subjects are listed in
_WILDCARD = "*"


def service_account_user(namespace: str, name: str) -> str:
    """The user name the API server gives a service account."""
    return f"system:serviceaccount:{namespace}:{name}"


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One resource rule of a role, as sets."""

    verbs: frozenset[str]
    api_groups: frozenset[str]
    resources: frozenset[str]  # may hold "pods/exec", "*/scale" or "*"
    resource_names: frozenset[str]  # empty: any object

    @classmethod
    def parse(cls, rule: Mapping[str, Any]) -> PolicyRule:
        return cls(
            frozenset(rule.get("verbs") or ()),
            frozenset(rule.get("apiGroups") or ()),
            frozenset(rule.get("resources") or ()),
            frozenset(rule.get("resourceNames") or ()),
        )

    def allows(self, verb: str, group: str, resource: str, subresource: str = "", name: str = "") -> bool:
        """Whether this rule covers the request; a rule naming objects never covers a request without a name
        (a list, or a create without one), as in the API server."""
        if _WILDCARD not in self.verbs and verb not in self.verbs:
            return False
        if _WILDCARD not in self.api_groups and group not in self.api_groups:
            return False
        if subresource:
            wanted = f"{resource}/{subresource}"
            if not ({_WILDCARD, wanted, f"*/{subresource}"} & self.resources):
                return False
        elif _WILDCARD not in self.resources and resource not in self.resources:
            return False
        return not self.resource_names or name in self.resource_names


@dataclass(frozen=True, slots=True, order=True)
class WhoCanGrant:
    """One binding through which a subject can: which binding, and which role it names."""

    binding_kind: str  # "ClusterRoleBinding" or "RoleBinding"
    binding_namespace: str  # "" for a ClusterRoleBinding
    binding_name: str
    role_kind: str  # "ClusterRole" or "Role"
    role_name: str

    def __str__(self) -> str:
        where = f"{self.binding_namespace}/" if self.binding_namespace else ""
        return f"{self.binding_kind} {where}{self.binding_name} → {self.role_kind} {self.role_name}"


@dataclass(frozen=True, slots=True)
class WhoCanSubject:
    """A binding subject that can, with every grant that allows it."""

    kind: str  # "User", "Group" or "ServiceAccount"
    name: str
    namespace: str = ""  # a ServiceAccount's namespace
    grants: tuple[WhoCanGrant, ...] = ()

    @property
    def user_name(self) -> str:
        """What the API server calls this subject: a service account's user name, else the name."""
        return service_account_user(self.namespace, self.name) if self.kind == "ServiceAccount" else self.name

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class _Binding:
    grant: WhoCanGrant
    subjects: tuple[tuple[str, str, str], ...]  # (kind, namespace, name)


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _namespace(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def _selector_matches(term: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A LabelSelector (matchLabels, matchExpressions); an invalid operator matches nothing."""
    if any(labels.get(key) != value for key, value in (term.get("matchLabels") or {}).items()):
        return False
    for expression in term.get("matchExpressions") or ():
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = set(expression.get("values") or ())
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def _aggregated(cluster_roles: Iterable[Mapping[str, Any]]) -> dict[str, tuple[PolicyRule, ...]]:
    """Each ClusterRole's rules, an aggregated one's joined by those of every role its selectors match
    (chains resolved at once, cycles cut)."""
    by_name = {_name(role): role for role in cluster_roles}
    resolved: dict[str, tuple[PolicyRule, ...]] = {}

    def resolve(name: str, visiting: frozenset[str]) -> tuple[PolicyRule, ...]:
        if name in resolved:
            return resolved[name]
        role = by_name[name]
        rules = dict.fromkeys(PolicyRule.parse(rule) for rule in role.get("rules") or () if rule.get("resources"))
        selectors = (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ()
        for other in sorted(by_name) if selectors else ():
            if other == name or other in visiting:
                continue
            labels = (by_name[other].get("metadata") or {}).get("labels") or {}
            if any(_selector_matches(term, labels) for term in selectors):
                rules |= dict.fromkeys(resolve(other, visiting | {name}))
        if not visiting:  # a result computed inside a cycle may be partial: keep only top-level ones
            resolved[name] = tuple(rules)
        return tuple(rules)

    return {name: resolve(name, frozenset()) for name in by_name}


def _subjects(binding: Mapping[str, Any], namespace: str) -> tuple[tuple[str, str, str], ...]:
    found = []
    for subject in binding.get("subjects") or ():
        kind, name = str(subject.get("kind") or ""), str(subject.get("name") or "")
        if kind not in SUBJECT_KINDS or not name:
            continue
        found.append((kind, str(subject.get("namespace") or namespace) if kind == "ServiceAccount" else "", name))
    return tuple(found)


class RbacIndex:
    """Roles with their rules, and bindings keyed by the role they name; immutable once built."""

    def __init__(
        self,
        cluster_roles: Mapping[str, tuple[PolicyRule, ...]],
        roles: Mapping[tuple[str, str], tuple[PolicyRule, ...]],
        cluster_bindings: Mapping[str, list[_Binding]],
        namespace_bindings: Mapping[str, Mapping[tuple[str, str], list[_Binding]]],
    ) -> None:
        self._cluster_roles = cluster_roles  # name → rules (aggregation resolved)
        self._roles = roles  # (namespace, name) → rules
        self._cluster_bindings = cluster_bindings  # ClusterRole name → ClusterRoleBindings naming it
        self._namespace_bindings = namespace_bindings  # namespace → (role kind, name) → RoleBindings

    @classmethod
    def from_objects(
        cls,
        cluster_roles: Iterable[Mapping[str, Any]],
        roles: Iterable[Mapping[str, Any]],
        cluster_role_bindings: Iterable[Mapping[str, Any]],
        role_bindings: Iterable[Mapping[str, Any]],
    ) -> RbacIndex:
        """The index of the four kinds' objects as the API server lists them."""
        role_rules = {
            (_namespace(role), _name(role)): tuple(
                dict.fromkeys(PolicyRule.parse(rule) for rule in role.get("rules") or () if rule.get("resources"))
            )
            for role in roles
        }
        cluster: dict[str, list[_Binding]] = {}
        for binding in cluster_role_bindings:
            reference = binding.get("roleRef") or {}
            if reference.get("kind") != "ClusterRole":
                continue  # a ClusterRoleBinding can only name a ClusterRole
            grant = WhoCanGrant("ClusterRoleBinding", "", _name(binding), "ClusterRole", str(reference.get("name")))
            cluster.setdefault(grant.role_name, []).append(_Binding(grant, _subjects(binding, "")))
        namespaced: dict[str, dict[tuple[str, str], list[_Binding]]] = {}
        for binding in role_bindings:
            reference, namespace = binding.get("roleRef") or {}, _namespace(binding)
            kind, role = str(reference.get("kind") or ""), str(reference.get("name") or "")
            if kind not in ("ClusterRole", "Role"):
                continue
            grant = WhoCanGrant("RoleBinding", namespace, _name(binding), kind, role)
            by_role = namespaced.setdefault(namespace, {})
            by_role.setdefault((kind, role), []).append(_Binding(grant, _subjects(binding, namespace)))
        return cls(_aggregated(cluster_roles), role_rules, cluster, namespaced)

    @property
    def binding_count(self) -> int:
        cluster = sum(len(bindings) for bindings in self._cluster_bindings.values())
        return cluster + sum(len(found) for by_role in self._namespace_bindings.values() for found in by_role.values())

    def cluster_role_rules(self, name: str) -> tuple[PolicyRule, ...] | None:
        """A ClusterRole's rules with the aggregated ones (None: no such ClusterRole)."""
        return self._cluster_roles.get(name)

    def subjects_that_can(
        self, verb: str, group: str, resource: str, namespace: str = "", *, subresource: str = "", name: str = ""
    ) -> list[WhoCanSubject]:
        """Every subject some binding allows the request, with those bindings; `namespace` "" asks about a
        cluster-wide request (only ClusterRoleBindings grant those)."""

        def allows(rules: Iterable[PolicyRule]) -> bool:
            return any(rule.allows(verb, group, resource, subresource, name) for rule in rules)

        allowing = {role: allows(rules) for role, rules in self._cluster_roles.items()}  # each checked once
        bindings: list[_Binding] = []
        for role_name, found in self._cluster_bindings.items():
            if allowing.get(role_name):
                bindings += found
        for (kind, role_name), found in self._namespace_bindings.get(namespace, {}).items() if namespace else ():
            if (
                allowing.get(role_name)
                if kind == "ClusterRole"
                else allows(self._roles.get((namespace, role_name), ()))
            ):
                bindings += found
        grants: dict[tuple[str, str, str], set[WhoCanGrant]] = {}
        for binding in bindings:
            for subject in binding.subjects:
                grants.setdefault(subject, set()).add(binding.grant)
        order = {kind: position for position, kind in enumerate(SUBJECT_KINDS)}
        return [
            WhoCanSubject(kind, name_, subject_namespace, tuple(sorted(found)))
            for (kind, subject_namespace, name_), found in sorted(
                grants.items(), key=lambda item: (order[item[0][0]], item[0][2], item[0][1])
            )
        ]
