"""RBAC evaluation over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the store.

Matching follows `k8s.io/component-helpers/auth/rbac/validation` and `plugin/pkg/auth/authorizer/rbac`:
a request is allowed when any rule reachable from a binding naming the user (or one of its groups)
covers it; nothing ever denies. Aggregated ClusterRoles get the rules of every ClusterRole their
selectors match, computed here rather than written back into the stored object.

The evaluator is called for every request, so the RBAC objects are indexed (`rbac_index.RbacIndex`) once and
the index then follows each change of the RBAC kinds (one binding or role at a time, aggregations resolved
again only where they can differ); each (user, groups, namespace) gets its flattened rule list cached until
the next change.
"""

from __future__ import annotations

from typing import Any

from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.auth.authorization import Attributes, Decision
from sovereign_sandbox.auth.rbac_index import GROUP, STORAGE_KEYS, RbacIndex, Rule, service_account_username
from sovereign_sandbox.storage.store import Store
from sovereign_sandbox.storage.watch import Change

__all__ = [
    "DEFAULT_ROLES",
    "GROUP",
    "MASTERS",
    "RbacAuthorizer",
    "Rule",
    "install_defaults",
    "service_account_username",
]

MASTERS = "system:masters"
# Flattened rule lists kept per (user, groups, namespace); cleared wholesale past this many.
_CACHE_LIMIT = 8192

_EVERYTHING = (
    Rule(frozenset("*"), frozenset("*"), frozenset("*"), frozenset(), ()),
    Rule(frozenset("*"), frozenset(), frozenset(), frozenset(), ("*",)),
)


class RbacAuthorizer:
    """The cluster's authorizer: `authorizer(user, attributes) -> Decision`, plus rule listing for reviews."""

    def __init__(self, store: Store):
        self._store = store
        self._index: RbacIndex | None = None  # built on first use, then kept current by `_observe`
        self._cache: dict[tuple[str, tuple[str, ...], str], list[tuple[str, Rule]]] = {}
        store.observe(self._observe)

    def _observe(self, change: Change) -> None:
        if change.storage_key not in STORAGE_KEYS:
            return
        self._cache.clear()
        if self._index is None:
            return
        metadata = change.obj["metadata"]
        try:
            self._index.apply(change.storage_key, metadata.get("namespace") or "", metadata["name"])
        except Exception:
            self._index = None  # rebuilt from the store on next use rather than left half-updated
            raise

    def __call__(self, user: User, attributes: Attributes) -> Decision:
        if MASTERS in user.groups:
            return Decision(True)
        for source, rule in self._rules(user, attributes.namespace if attributes.resource else ""):
            if rule.allows(attributes):
                return Decision(True, f"RBAC: allowed by {source}")
        return Decision(False)

    def rules(self, user: User, namespace: str) -> list[Rule]:
        """Every rule that applies to `user` in `namespace` (cluster-wide ones included), without repeats."""
        everything = _EVERYTHING if MASTERS in user.groups else ()
        unique = dict.fromkeys(everything)
        for _source, rule in self._rules(user, namespace):
            unique.setdefault(rule)
        return list(unique)

    def aggregated_rules(self, cluster_role: str) -> list[Rule] | None:
        """A ClusterRole's rules with those its aggregationRule collects (None: no such ClusterRole)."""
        return self._current_index().cluster_roles.get(cluster_role)

    def resolution_errors(self, user: User, namespace: str) -> list[str]:
        """Why some of `user`'s bindings (cluster-wide, and in `namespace`) grant nothing: the missing roles."""
        index = self._current_index()
        subjects = _subjects(user)
        found = [index.resolution_error(grant, "") for grant in index.grants("", subjects)]
        if namespace:
            found += [index.resolution_error(grant, namespace) for grant in index.grants(namespace, subjects)]
        return [error for error in found if error is not None]

    def _current_index(self) -> RbacIndex:
        if self._index is None:
            self._index = RbacIndex(self._store)
        return self._index

    def _rules(self, user: User, namespace: str) -> list[tuple[str, Rule]]:
        key = (user.name, user.groups, namespace)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        index = self._current_index()
        subjects = _subjects(user)
        flattened = [
            (grant.source, rule) for grant in index.grants("", subjects) for rule in index.role_rules(grant, "")
        ]
        if namespace:
            grants = index.grants(namespace, subjects)
            flattened += [(grant.source, rule) for grant in grants for rule in index.role_rules(grant, namespace)]
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = flattened
        return flattened


def _subjects(user: User) -> list[tuple[str, str]]:
    return [("user", user.name), *(("group", group) for group in user.groups)]


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
