"""The RBAC objects of a store, parsed and indexed for the authorizer, kept current one write at a time.

`RbacIndex` is built once from the store and then told of every change to a Role, ClusterRole, RoleBinding
or ClusterRoleBinding (`apply`): a binding's grants are replaced under its subjects, a role's rules are
re-parsed, and only the aggregated ClusterRoles whose result can differ are resolved again. Its state is
always what a fresh build from the same store gives, so a controller writing thousands of bindings costs
the authorizer a constant amount per write rather than a full re-index.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox.auth.authorization import Attributes
from sovereign_sandbox.storage.selectors import LabelSelector, Requirement
from sovereign_sandbox.storage.store import Store

__all__ = ["GROUP", "STORAGE_KEYS", "Grant", "RbacIndex", "Rule", "Subject", "service_account_username"]

GROUP = "rbac.authorization.k8s.io"
ROLES, CLUSTER_ROLES = f"{GROUP}/roles", f"{GROUP}/clusterroles"
ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS = f"{GROUP}/rolebindings", f"{GROUP}/clusterrolebindings"
STORAGE_KEYS = frozenset((ROLES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS))
_NAMESPACED = frozenset((ROLES, ROLE_BINDINGS))
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}

Subject = tuple[str, str]  # ("user", name) or ("group", name): what a binding subject matches in an identity


def service_account_username(namespace: str, name: str) -> str:
    return f"system:serviceaccount:{namespace}:{name}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One PolicyRule, as sets for constant-time membership."""

    verbs: frozenset[str]
    api_groups: frozenset[str]
    resources: frozenset[str]
    resource_names: frozenset[str]
    non_resource_urls: tuple[str, ...]

    @classmethod
    def parse(cls, rule: Mapping[str, Any]) -> Rule:
        return cls(
            frozenset(rule.get("verbs") or ()),
            frozenset(rule.get("apiGroups") or ()),
            frozenset(rule.get("resources") or ()),
            frozenset(rule.get("resourceNames") or ()),
            tuple(rule.get("nonResourceURLs") or ()),
        )

    def allows(self, attributes: Attributes) -> bool:
        if "*" not in self.verbs and attributes.verb not in self.verbs:
            return False
        if not attributes.resource:
            return any(_url_matches(url, attributes.path) for url in self.non_resource_urls)
        if "*" not in self.api_groups and attributes.group not in self.api_groups:
            return False
        resource = attributes.resource
        if attributes.subresource:
            resource = f"{resource}/{attributes.subresource}"
        resources = self.resources
        if not (
            "*" in resources
            or resource in resources
            or (attributes.subresource and f"*/{attributes.subresource}" in resources)
        ):
            return False
        return not self.resource_names or attributes.name in self.resource_names

    def as_resource_rule(self) -> dict[str, Any]:
        """The SelfSubjectRulesReview form (`ResourceRule`)."""
        rule: dict[str, Any] = {
            "verbs": sorted(self.verbs),
            "apiGroups": sorted(self.api_groups),
            "resources": sorted(self.resources),
        }
        if self.resource_names:
            rule["resourceNames"] = sorted(self.resource_names)
        return rule

    def as_non_resource_rule(self) -> dict[str, Any]:
        return {"verbs": sorted(self.verbs), "nonResourceURLs": list(self.non_resource_urls)}


def _url_matches(pattern: str, path: str) -> bool:
    if pattern == "*" or pattern == path:
        return True
    return pattern.endswith("*") and path.startswith(pattern[:-1])


def _rules(role: Mapping[str, Any]) -> list[Rule]:
    return [Rule.parse(rule) for rule in role.get("rules") or ()]


def _selector(term: Mapping[str, Any]) -> LabelSelector:
    """A LabelSelector from the structured form (matchLabels, matchExpressions)."""
    requirements = [Requirement(key, "=", (value,)) for key, value in (term.get("matchLabels") or {}).items()]
    for expression in term.get("matchExpressions") or ():
        operator = _OPERATORS.get(expression.get("operator", ""))
        if operator is None:  # an invalid selector matches nothing, as the aggregation controller does
            return LabelSelector((Requirement("", "exists"), Requirement("", "!")))
        requirements.append(Requirement(expression["key"], operator, tuple(expression.get("values") or ())))
    return LabelSelector(tuple(requirements))


def _aggregation_selectors(role: Mapping[str, Any]) -> list[LabelSelector]:
    """The clusterRoleSelectors of an aggregated ClusterRole (none: it does not aggregate)."""
    return [_selector(term) for term in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ()]


def _describe_subject(subject: Mapping[str, Any], binding_namespace: str) -> str:
    if subject.get("kind") == "ServiceAccount":
        return f'ServiceAccount "{subject.get("name")}/{subject.get("namespace") or binding_namespace}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


def _subject_key(subject: Mapping[str, Any], binding_namespace: str) -> Subject | None:
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User":
        return ("user", name)
    if kind == "Group":
        return ("group", name)
    if kind == "ServiceAccount":
        return ("user", service_account_username(subject.get("namespace") or binding_namespace, name))
    return None


@dataclass(frozen=True, slots=True)
class Grant:
    """One binding subject's access: where it comes from (for the allow reason) and which role it names."""

    source: str
    role_kind: str
    role_name: str


def _binding_grants(binding: Mapping[str, Any], namespace: str) -> dict[Subject, tuple[Grant, ...]]:
    """A binding's grants by subject, in the order its subjects list them ("" namespace: cluster-wide)."""
    reference = binding.get("roleRef") or {}
    kind, role = reference.get("kind", ""), reference.get("name", "")
    name = binding["metadata"]["name"]
    described = f'RoleBinding "{name}/{namespace}"' if namespace else f'ClusterRoleBinding "{name}"'
    grants: dict[Subject, list[Grant]] = {}
    for subject in binding.get("subjects") or ():
        key = _subject_key(subject, namespace)
        if key is not None:
            source = f'{described} of {kind} "{role}" to {_describe_subject(subject, namespace)}'
            grants.setdefault(key, []).append(Grant(source, kind, role))
    return {key: tuple(found) for key, found in grants.items()}


class _SubjectGrants:
    """One subject's grants in one scope, in binding-name order (the order a full listing yields them)."""

    __slots__ = ("by_binding", "names")

    def __init__(self) -> None:
        self.names: list[str] = []  # sorted
        self.by_binding: dict[str, tuple[Grant, ...]] = {}

    def put(self, binding: str, grants: tuple[Grant, ...]) -> None:
        if binding not in self.by_binding:
            if not self.names or binding > self.names[-1]:
                self.names.append(binding)
            else:
                insort(self.names, binding)
        self.by_binding[binding] = grants

    def remove(self, binding: str) -> None:
        del self.by_binding[binding]
        del self.names[bisect_left(self.names, binding)]

    def __iter__(self) -> Iterator[Grant]:
        for binding in self.names:
            yield from self.by_binding[binding]


class RbacIndex:
    """Rules resolved per role (aggregation included), bindings' grants keyed by scope and subject."""

    def __init__(self, store: Store):
        self._store = store
        # Resolved rules: every ClusterRole's (aggregated ones with what they collect), every Role's.
        self.cluster_roles: dict[str, list[Rule]] = {}
        self.roles: dict[tuple[str, str], list[Rule]] = {}
        # ClusterRoles as stored (their labels decide aggregation), their own rules, and the aggregation graph:
        # each aggregated role's selectors and the roles they match (sorted), and each role's aggregators.
        self._cluster_role_objects: dict[str, Mapping[str, Any]] = {}
        self._own_rules: dict[str, list[Rule]] = {}
        self._selectors: dict[str, list[LabelSelector]] = {}
        self._aggregates: dict[str, list[str]] = {}
        self._aggregated_by: dict[str, set[str]] = {}
        # Scope ("" for ClusterRoleBindings, else the RoleBinding's namespace) → subject → grants.
        self._grants: dict[str, dict[Subject, _SubjectGrants]] = {}
        # (scope, binding name) → the subjects its grants are filed under.
        self._bound: dict[tuple[str, str], tuple[Subject, ...]] = {}
        self._build()

    def _objects(self, storage_key: str) -> list[dict[str, Any]]:
        plural = storage_key.rsplit("/", 1)[1]
        resource = self._store.catalogue.get(GROUP, "v1", plural)
        return self._store.list(resource).items if resource is not None else []

    def _build(self) -> None:
        for role in self._objects(CLUSTER_ROLES):
            self._set_cluster_role_object(role["metadata"]["name"], role)
        names = sorted(self._cluster_role_objects)
        for name, selectors in self._selectors.items():
            self._link_aggregator(name, selectors, names)
        self.cluster_roles = {name: self._resolve(name) for name in names}
        for role in self._objects(ROLES):
            self.roles[(role["metadata"]["namespace"], role["metadata"]["name"])] = _rules(role)
        for binding in self._objects(CLUSTER_ROLE_BINDINGS):
            self._put_binding("", binding["metadata"]["name"], binding)
        for binding in self._objects(ROLE_BINDINGS):
            self._put_binding(binding["metadata"]["namespace"], binding["metadata"]["name"], binding)

    # Changes.

    def apply(self, storage_key: str, namespace: str, name: str) -> None:
        """Bring the index up to date with the object the store now holds at `namespace`/`name` (or its absence)."""
        if storage_key not in STORAGE_KEYS:
            return
        scope = namespace if storage_key in _NAMESPACED else ""
        current = self._store.stored(storage_key, (scope, name))
        if storage_key == CLUSTER_ROLES:
            self._change_cluster_role(name, current)
        elif storage_key == ROLES:
            if current is None:
                self.roles.pop((scope, name), None)
            else:
                self.roles[(scope, name)] = _rules(current)
        elif current is None:
            self._remove_binding(scope, name)
        else:
            self._put_binding(scope, name, current)

    def _put_binding(self, scope: str, name: str, binding: Mapping[str, Any]) -> None:
        self._remove_binding(scope, name)
        grants = _binding_grants(binding, scope)
        if not grants:
            return
        by_subject = self._grants.setdefault(scope, {})
        for subject, found in grants.items():
            entry = by_subject.get(subject)
            if entry is None:
                entry = by_subject[subject] = _SubjectGrants()
            entry.put(name, found)
        self._bound[(scope, name)] = tuple(grants)

    def _remove_binding(self, scope: str, name: str) -> None:
        subjects = self._bound.pop((scope, name), ())
        if not subjects:
            return
        by_subject = self._grants[scope]
        for subject in subjects:
            entry = by_subject[subject]
            entry.remove(name)
            if not entry.names:
                del by_subject[subject]
        if not by_subject:
            del self._grants[scope]

    def _set_cluster_role_object(self, name: str, role: Mapping[str, Any]) -> None:
        self._cluster_role_objects[name] = role
        self._own_rules[name] = _rules(role)
        selectors = _aggregation_selectors(role)
        if selectors:
            self._selectors[name] = selectors

    def _link_aggregator(self, name: str, selectors: list[LabelSelector], names: Iterable[str]) -> None:
        """Record which of `names` (sorted) the aggregated role `name` collects."""
        objects = self._cluster_role_objects
        matched = [
            other
            for other in names
            if other != name and any(selector.matches(objects[other]) for selector in selectors)
        ]
        self._aggregates[name] = matched
        for other in matched:
            self._aggregated_by.setdefault(other, set()).add(name)

    def _change_cluster_role(self, name: str, role: Mapping[str, Any] | None) -> None:
        """Replace (or drop) one ClusterRole, then resolve again the aggregations it was or is part of."""
        affected = self._aggregators_of(name)
        # Unlink the old version: what it aggregated, and its place in others' aggregations.
        for other in self._aggregates.pop(name, ()):
            self._aggregated_by[other].discard(name)
        self._selectors.pop(name, None)
        for aggregator in self._aggregated_by.pop(name, ()):
            collected = self._aggregates[aggregator]
            del collected[bisect_left(collected, name)]
        if role is None:
            del self._cluster_role_objects[name]
            del self._own_rules[name]
            self.cluster_roles.pop(name, None)
        else:
            self._set_cluster_role_object(name, role)
            selectors = self._selectors.get(name)
            if selectors:
                self._link_aggregator(name, selectors, sorted(self._cluster_role_objects))
            for aggregator, its_selectors in self._selectors.items():
                if aggregator != name and any(selector.matches(role) for selector in its_selectors):
                    insort(self._aggregates[aggregator], name)
                    self._aggregated_by.setdefault(name, set()).add(aggregator)
            affected |= self._aggregators_of(name)
            affected.add(name)
        for aggregator in affected:
            if aggregator in self._cluster_role_objects:
                self.cluster_roles[aggregator] = self._resolve(aggregator)

    def _aggregators_of(self, name: str) -> set[str]:
        """Every aggregated ClusterRole that collects `name`, directly or through other aggregations."""
        found: set[str] = set()
        pending = [name]
        while pending:
            for aggregator in self._aggregated_by.get(pending.pop(), ()):
                if aggregator not in found:
                    found.add(aggregator)
                    pending.append(aggregator)
        return found

    def _resolve(self, name: str) -> list[Rule]:
        """A ClusterRole's rules: its own, then (aggregated) those of every role it reaches, without repeats.

        The real controller writes the union into `rules` and a chain of aggregations settles over several
        passes; walking the aggregation graph depth-first (roles in name order, each once, cycles cut) gives
        the settled union at once, in an order that depends only on the roles, not on how they were written.
        """
        rules = list(self._own_rules[name])
        if name not in self._aggregates:
            return rules
        seen = set(rules)
        visited = {name}
        stack = [iter(self._aggregates[name])]
        while stack:
            for other in stack[-1]:
                if other in visited:
                    continue
                visited.add(other)
                for rule in self._own_rules[other]:
                    if rule not in seen:
                        seen.add(rule)
                        rules.append(rule)
                collected = self._aggregates.get(other)
                if collected:
                    stack.append(iter(collected))
                break
            else:
                stack.pop()
        return rules

    # Questions.

    def grants(self, scope: str, subjects: Iterable[Subject]) -> list[Grant]:
        """The grants of bindings in `scope` ("" for cluster-wide) naming any of `subjects`, in order."""
        by_subject = self._grants.get(scope)
        if not by_subject:
            return []
        return [grant for subject in subjects if (entry := by_subject.get(subject)) for grant in entry]

    def role_rules(self, grant: Grant, namespace: str) -> list[Rule]:
        if grant.role_kind == "ClusterRole":
            return self.cluster_roles.get(grant.role_name, [])
        if grant.role_kind == "Role" and namespace:
            return self.roles.get((namespace, grant.role_name), [])
        return []

    def resolution_error(self, grant: Grant, namespace: str) -> str | None:
        """Why a grant gives nothing, as the real rule resolver reports it (its role does not exist)."""
        if grant.role_kind == "ClusterRole":
            found = grant.role_name in self.cluster_roles
            return None if found else f'clusterroles.{GROUP} "{grant.role_name}" not found'
        if grant.role_kind == "Role":
            found = (namespace, grant.role_name) in self.roles
            return None if found else f'roles.{GROUP} "{grant.role_name}" not found'
        return f'unsupported role reference kind: "{grant.role_kind}"'
