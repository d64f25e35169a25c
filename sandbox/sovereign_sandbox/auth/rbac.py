"""RBAC evaluation over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store.

Matching follows `k8s.io/component-helpers/auth/rbac/validation` and `plugin/pkg/auth/authorizer/rbac`:
a request is allowed when any rule reachable from a binding naming the user (or one of its groups)
covers it; nothing ever denies. Aggregated ClusterRoles get the rules of every ClusterRole their
selectors match, computed here rather than written back into the stored object.

The evaluator is called for every request, so bindings are indexed by subject once per change of the
RBAC kinds, and each (user, groups, namespace) gets its flattened rule list cached until the next change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.auth.authorization import Attributes, Decision
from sovereign_sandbox.storage.selectors import LabelSelector, Requirement
from sovereign_sandbox.storage.store import Store
from sovereign_sandbox.storage.watch import Change

__all__ = [
    "DEFAULT_ROLES",
    "MASTERS",
    "RbacAuthorizer",
    "Rule",
    "install_defaults",
    "service_account_username",
]

GROUP = "rbac.authorization.k8s.io"
MASTERS = "system:masters"
_STORAGE_KEYS = {f"{GROUP}/{plural}" for plural in ("roles", "clusterroles", "rolebindings", "clusterrolebindings")}
# Flattened rule lists kept per (user, groups, namespace); cleared wholesale past this many.
_CACHE_LIMIT = 8192
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


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


_EVERYTHING = (
    Rule(frozenset("*"), frozenset("*"), frozenset("*"), frozenset(), ()),
    Rule(frozenset("*"), frozenset(), frozenset(), frozenset(), ("*",)),
)


def _selector(term: Mapping[str, Any]) -> LabelSelector:
    """A LabelSelector from the structured form (matchLabels, matchExpressions)."""
    requirements = [Requirement(key, "=", (value,)) for key, value in (term.get("matchLabels") or {}).items()]
    for expression in term.get("matchExpressions") or ():
        operator = _OPERATORS.get(expression.get("operator", ""))
        if operator is None:  # an invalid selector matches nothing, as the aggregation controller does
            return LabelSelector((Requirement("", "exists"), Requirement("", "!")))
        requirements.append(Requirement(expression["key"], operator, tuple(expression.get("values") or ())))
    return LabelSelector(tuple(requirements))


def _describe_subject(subject: Mapping[str, Any], binding_namespace: str) -> str:
    if subject.get("kind") == "ServiceAccount":
        return f'ServiceAccount "{subject.get("name")}/{subject.get("namespace") or binding_namespace}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


def _subject_key(subject: Mapping[str, Any], binding_namespace: str) -> tuple[str, str] | None:
    """("user", name) or ("group", name): what a subject matches in a request's identity."""
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User":
        return ("user", name)
    if kind == "Group":
        return ("group", name)
    if kind == "ServiceAccount":
        return ("user", service_account_username(subject.get("namespace") or binding_namespace, name))
    return None


@dataclass(frozen=True, slots=True)
class _Grant:
    """One binding subject's access: where it comes from (for the allow reason) and which role it names."""

    source: str
    role_kind: str
    role_name: str


class _Index:
    """The RBAC objects of one store state, rules resolved and bindings keyed by subject."""

    def __init__(self, store: Store):
        catalogue = store.catalogue

        def objects(plural: str) -> list[dict[str, Any]]:
            resource = catalogue.get(GROUP, "v1", plural)
            return store.list(resource).items if resource is not None else []

        cluster_roles = {role["metadata"]["name"]: role for role in objects("clusterroles")}
        self.cluster_roles = _resolve_aggregation(cluster_roles)
        self.roles = {
            (role["metadata"]["namespace"], role["metadata"]["name"]): [
                Rule.parse(rule) for rule in role.get("rules") or ()
            ]
            for role in objects("roles")
        }
        self.cluster_grants: dict[tuple[str, str], list[_Grant]] = {}
        self.namespace_grants: dict[str, dict[tuple[str, str], list[_Grant]]] = {}
        for binding in objects("clusterrolebindings"):
            self._add_binding(binding, "", self.cluster_grants)
        for binding in objects("rolebindings"):
            namespace = binding["metadata"]["namespace"]
            self._add_binding(binding, namespace, self.namespace_grants.setdefault(namespace, {}))

    @staticmethod
    def _add_binding(binding: dict[str, Any], namespace: str, grants: dict[tuple[str, str], list[_Grant]]) -> None:
        reference = binding.get("roleRef") or {}
        kind, role = reference.get("kind", ""), reference.get("name", "")
        name = binding["metadata"]["name"]
        described = f'RoleBinding "{name}/{namespace}"' if namespace else f'ClusterRoleBinding "{name}"'
        for subject in binding.get("subjects") or ():
            key = _subject_key(subject, namespace)
            if key is not None:
                source = f'{described} of {kind} "{role}" to {_describe_subject(subject, namespace)}'
                grants.setdefault(key, []).append(_Grant(source, kind, role))

    def role_rules(self, grant: _Grant, namespace: str) -> list[Rule]:
        if grant.role_kind == "ClusterRole":
            return self.cluster_roles.get(grant.role_name, [])
        if grant.role_kind == "Role" and namespace:
            return self.roles.get((namespace, grant.role_name), [])
        return []

    def resolution_error(self, grant: _Grant, namespace: str) -> str | None:
        """Why a grant gives nothing, as the real rule resolver reports it (its role does not exist)."""
        if grant.role_kind == "ClusterRole":
            found = grant.role_name in self.cluster_roles
            return None if found else f'clusterroles.{GROUP} "{grant.role_name}" not found'
        if grant.role_kind == "Role":
            found = (namespace, grant.role_name) in self.roles
            return None if found else f'roles.{GROUP} "{grant.role_name}" not found'
        return f'unsupported role reference kind: "{grant.role_kind}"'


def _resolve_aggregation(cluster_roles: dict[str, dict[str, Any]]) -> dict[str, list[Rule]]:
    """Each ClusterRole's rules, aggregated ones unioned with those of every role their selectors match.

    The real controller writes the union into `rules`, and a chain of aggregations settles over several
    passes; resolving recursively here gives the settled result at once (cycles are cut, not followed).
    """
    resolved: dict[str, list[Rule]] = {}

    def resolve(name: str, visiting: frozenset[str]) -> list[Rule]:
        if name in resolved:
            return resolved[name]
        role = cluster_roles[name]
        rules = [Rule.parse(rule) for rule in role.get("rules") or ()]
        aggregation = role.get("aggregationRule") or {}
        selectors = [_selector(term) for term in aggregation.get("clusterRoleSelectors") or ()]
        if selectors:
            for other_name in sorted(cluster_roles):
                if other_name == name or other_name in visiting:
                    continue
                if any(selector.matches(cluster_roles[other_name]) for selector in selectors):
                    for rule in resolve(other_name, visiting | {name}):
                        if rule not in rules:
                            rules.append(rule)
        if not visiting:  # results computed inside a cycle may be partial; keep only top-level ones
            resolved[name] = rules
        return rules

    return {name: resolve(name, frozenset()) for name in cluster_roles}


class RbacAuthorizer:
    """The cluster's authorizer: `authorizer(user, attributes) -> Decision`, plus rule listing for reviews."""

    def __init__(self, store: Store):
        self._store = store
        self._index: _Index | None = None
        self._cache: dict[tuple[str, tuple[str, ...], str], list[tuple[str, Rule]]] = {}
        store.observe(self._observe)

    def _observe(self, change: Change) -> None:
        if change.storage_key in _STORAGE_KEYS:
            self._index = None
            self._cache.clear()

    def __call__(self, user: User, attributes: Attributes) -> Decision:
        if MASTERS in user.groups:
            return Decision(True)
        for source, rule in self._rules(user, attributes.namespace if attributes.resource else ""):
            if rule.allows(attributes):
                return Decision(True, f"RBAC: allowed by {source}")
        return Decision(False)

    def rules(self, user: User, namespace: str) -> list[Rule]:
        """Every rule that applies to `user` in `namespace` (cluster-wide ones included), without repeats."""
        rules = list(_EVERYTHING) if MASTERS in user.groups else []
        for _source, rule in self._rules(user, namespace):
            if rule not in rules:
                rules.append(rule)
        return rules

    def aggregated_rules(self, cluster_role: str) -> list[Rule] | None:
        """A ClusterRole's rules with those its aggregationRule collects (None: no such ClusterRole)."""
        return self._current_index().cluster_roles.get(cluster_role)

    def resolution_errors(self, user: User, namespace: str) -> list[str]:
        """Why some of `user`'s bindings (cluster-wide, and in `namespace`) grant nothing: the missing roles."""
        index = self._current_index()
        subjects = [("user", user.name), *(("group", group) for group in user.groups)]
        found = [index.resolution_error(grant, "") for grant in _grants(index.cluster_grants, subjects)]
        if namespace:
            grants = _grants(index.namespace_grants.get(namespace, {}), subjects)
            found += [index.resolution_error(grant, namespace) for grant in grants]
        return [error for error in found if error is not None]

    def _current_index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self._store)
        return self._index

    def _rules(self, user: User, namespace: str) -> list[tuple[str, Rule]]:
        key = (user.name, user.groups, namespace)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        index = self._current_index()
        subjects = [("user", user.name), *(("group", group) for group in user.groups)]
        flattened = [
            (grant.source, rule)
            for grant in _grants(index.cluster_grants, subjects)
            for rule in index.role_rules(grant, "")
        ]
        if namespace:
            grants = _grants(index.namespace_grants.get(namespace, {}), subjects)
            flattened += [(grant.source, rule) for grant in grants for rule in index.role_rules(grant, namespace)]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = flattened
        return flattened


def _grants(by_subject: Mapping[tuple[str, str], list[_Grant]], subjects: Iterable[tuple[str, str]]) -> list[_Grant]:
    return [grant for subject in subjects for grant in by_subject.get(subject, ())]


def _default(name: str, rules: list[dict[str, Any]], groups: tuple[str, ...]) -> list[dict[str, Any]]:
    """A bootstrap ClusterRole and its binding, as `kube-apiserver` creates them at start."""
    metadata = {
        "name": name,
        "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
        "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
    }
    role = {"apiVersion": f"{GROUP}/v1", "kind": "ClusterRole", "metadata": metadata, "rules": rules}
    binding = {
        "apiVersion": f"{GROUP}/v1",
        "kind": "ClusterRoleBinding",
        "metadata": metadata,
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": name},
        "subjects": [{"apiGroup": GROUP, "kind": "Group", "name": group} for group in groups],
    }
    return [role, binding]


_HEALTH = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
# The bootstrap roles every authenticated identity relies on (plugin/pkg/auth/authorizer/rbac/bootstrappolicy).
DEFAULT_ROLES: tuple[dict[str, Any], ...] = (
    *_default(
        "cluster-admin",
        [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}],
        (MASTERS,),
    ),
    *_default(
        "system:discovery",
        [
            {
                "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", *_HEALTH],
                "verbs": ["get"],
            }
        ],
        ("system:authenticated",),
    ),
    *_default(
        "system:basic-user",
        [
            {
                "apiGroups": ["authorization.k8s.io"],
                "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                "verbs": ["create"],
            },
            {"apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]},
        ],
        ("system:authenticated",),
    ),
    *_default(
        "system:public-info-viewer",
        [{"nonResourceURLs": _HEALTH, "verbs": ["get"]}],
        ("system:authenticated", "system:unauthenticated"),
    ),
)


def install_defaults(store: Store) -> int:
    """Create the bootstrap roles and bindings the store lacks (a world may bring its own); returns how many."""
    created = 0
    for manifest in DEFAULT_ROLES:
        resource = store.catalogue.for_kind(manifest["apiVersion"], manifest["kind"])
        if resource is None or store.exists(resource, None, manifest["metadata"]["name"]):
            continue
        store.load(resource, manifest)
        created += 1
    return created
