"""Access: the tier ClusterRoles, the console's service account, the seeded people's UserAccess grants
and the bindings the grant reconciler would have made for them (rbac.md).

Binding subjects name each person as the reconciler does: `oidc:<sub>` (what the API server derives from a
Keycloak token; the sub comes from `world.people.subject_of`), plus the Organization groups their grant lists.
"""

from __future__ import annotations

import json

from sovereign_sandbox.world.context import DOMAIN, WorldContext
from sovereign_sandbox.world.people import PEOPLE, Person, subject_of

__all__ = ["TIERS", "access", "tier_role_name"]

TIERS = ("viewer", "developer", "operator", "admin", "owner")
_READ = ["get", "list", "watch"]
_ALL_GROUPS_READ = [
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "discovery.k8s.io",
    "storage.k8s.io",
    "events.k8s.io",
    "metrics.k8s.io",
    "gateway.networking.k8s.io",
    "cilium.io",
    "helm.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "source.toolkit.fluxcd.io",
    "cert-manager.io",
    "postgresql.cnpg.io",
    "external-secrets.io",
    "wgpolicyk8s.io",
    "openreports.io",
    "kyverno.io",
    "apps.openova.io",
    "catalyst.openova.io",
    "orgs.openova.io",
    "dr.openova.io",
    "access.openova.io",
    "rbac.authorization.k8s.io",
    "apiextensions.k8s.io",
]
_CORE_READABLE = [
    "pods",
    "pods/log",
    "services",
    "endpoints",
    "configmaps",
    "persistentvolumeclaims",
    "persistentvolumes",
    "nodes",
    "namespaces",
    "events",
    "serviceaccounts",
    "resourcequotas",
    "limitranges",
    "replicationcontrollers",
]
_FLUX = ["helm.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io"]
_WORKLOAD_GROUPS = [
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "gateway.networking.k8s.io",
    "cilium.io",
    "cert-manager.io",
    "postgresql.cnpg.io",
    "external-secrets.io",
    "apps.openova.io",
    "dr.openova.io",
]


def tier_role_name(tier: str) -> str:
    return f"openova:tier-{tier}"


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


def _tier_rules() -> dict[str, list[dict]]:
    """Each tier's own rules; a tier's ClusterRole holds its rules plus every lower tier's."""
    return {
        # Secrets are left out on purpose: a viewer never sees secret values.
        "viewer": [
            _rule([""], _CORE_READABLE, _READ),
            _rule([group for group in _ALL_GROUPS_READ if group], ["*"], _READ),
        ],
        "developer": [_rule([""], ["pods/exec", "pods/attach", "pods/portforward"], ["get", "create"])],
        "operator": [
            _rule(_FLUX, ["*"], ["patch", "update"]),
            _rule(["apps"], ["deployments", "statefulsets", "daemonsets"], ["patch"]),
            _rule([""], ["pods"], ["delete"]),
        ],
        "admin": [
            _rule(
                [""],
                ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts", "endpoints"],
                ["*"],
            ),
            _rule([""], ["namespaces"], ["get", "list", "watch", "create", "update", "patch"]),
            _rule(_WORKLOAD_GROUPS, ["*"], ["*"]),
            _rule(
                ["apps"], ["deployments/scale", "statefulsets/scale", "replicasets/scale"], ["get", "update", "patch"]
            ),
            # Compliance modes (permissive/enforcing per Environment) are set by admins and owners.
            _rule(["catalyst.openova.io"], ["environmentpolicies"], ["patch", "update"]),
        ],
        "owner": [
            _rule(["rbac.authorization.k8s.io"], ["*"], ["*", "bind", "escalate"]),
            _rule(["access.openova.io", "orgs.openova.io", "catalyst.openova.io"], ["*"], ["*"]),
            _rule([""], ["namespaces"], ["delete"]),
        ],
    }


def _roles(context: WorldContext, age: float) -> None:
    accumulated: list[dict] = []
    own = _tier_rules()
    for level, tier in enumerate(TIERS):
        accumulated = accumulated + own[tier]
        annotations = {
            "catalyst.openova.io/tier-level": str((level + 1) * 10),
            "catalyst.openova.io/inherits": tier_role_name(TIERS[level - 1]) if level else "",
        }
        if tier == "developer":
            annotations["catalyst.openova.io/enforced-scopes"] = json.dumps(
                [{"key": "openova.io/env-type", "value": "dev"}], separators=(",", ":")
            )
        context.add(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": {
                    "name": tier_role_name(tier),
                    "labels": {"app.kubernetes.io/managed-by": "catalyst", "catalyst.openova.io/tier": tier},
                    "annotations": annotations,
                    "creationTimestamp": context.timestamp(age - level),
                },
                "rules": [dict(rule) for rule in accumulated],
            }
        )
    context.add(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "cluster-admin",
                "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
                "creationTimestamp": context.timestamp(age + 3600),
            },
            "rules": [_rule(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}],
        }
    )
    context.add(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {
                "name": "cluster-admin",
                "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
                "creationTimestamp": context.timestamp(age + 3600),
            },
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}],
        }
    )
    # The console reads everything through its shared cache, impersonates users and reconciles grants.
    context.add(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "sovereign-console",
                "labels": {"app.kubernetes.io/name": "sovereign-console"},
                "annotations": {},
                "creationTimestamp": context.timestamp(age),
            },
            "rules": [
                _rule(["*"], ["*"], _READ),
                _rule([""], ["users", "groups", "serviceaccounts"], ["impersonate"]),
                _rule(["authentication.k8s.io"], ["userextras/scopes"], ["impersonate"]),
                _rule(
                    ["authorization.k8s.io"],
                    ["selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"],
                    ["create"],
                ),
                _rule(
                    ["rbac.authorization.k8s.io"],
                    ["rolebindings", "clusterrolebindings"],
                    ["create", "update", "patch", "delete"],
                ),
                _rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["bind"]),
                _rule(["access.openova.io"], ["useraccesses", "useraccesses/status"], ["*"]),
                _rule(["coordination.k8s.io"], ["leases"], ["*"]),
            ],
        }
    )
    context.add(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "sovereign-console-reconciler",
                "namespace": "catalyst-system",
                "labels": {"app.kubernetes.io/name": "sovereign-console"},
                "annotations": {},
                "creationTimestamp": context.timestamp(age),
            },
        }
    )
    context.add(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {
                "name": "sovereign-console",
                "labels": {"app.kubernetes.io/name": "sovereign-console"},
                "annotations": {},
                "creationTimestamp": context.timestamp(age),
            },
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "sovereign-console"},
            "subjects": [
                {"kind": "ServiceAccount", "name": "sovereign-console", "namespace": "catalyst-system"},
                {"kind": "ServiceAccount", "name": "sovereign-console-reconciler", "namespace": "catalyst-system"},
            ],
        }
    )


def _bound_groups(person: Person) -> list[str]:
    return [group for group in person.groups if group.startswith("/acme/")]


def _subjects(person: Person) -> list[dict]:
    subject = subject_of(person.username)
    subjects = [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": f"oidc:{subject}"},
    ]
    subjects += [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"oidc:{group}"}
        for group in _bound_groups(person)
    ]
    return subjects


def _matching_namespaces(context: WorldContext, scopes: list[tuple[str, str]]) -> list[str]:
    return sorted(
        name
        for name, namespace in context.namespaces.items()
        if all(value == "*" or namespace["metadata"]["labels"].get(key) == value for key, value in scopes)
    )


def _grants(context: WorldContext, age: float) -> None:
    for index, person in enumerate(PEOPLE):
        if person.tier is None:
            continue
        scopes = list(person.scopes)
        enforced = person.tier == "developer"
        if enforced:
            scopes.append(("openova.io/env-type", "dev"))
        binding_name = f"useraccess-{person.username}-{person.tier}"
        labels = {
            "app.kubernetes.io/managed-by": "sovereign-console",
            "access.openova.io/useraccess": person.username,
            "access.openova.io/tier": person.tier,
            "openova.io/sovereign": DOMAIN,
        }
        owner = {
            "apiVersion": "access.openova.io/v1alpha1",
            "kind": "UserAccess",
            "name": person.username,
            "controller": True,
            "blockOwnerDeletion": True,
        }
        created = age - index * 3600
        role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": tier_role_name(person.tier)}
        bindings = []
        pending: list[dict] = []  # added after the UserAccess so owners precede what they own
        if not scopes:
            # Cluster-scoped bindings cannot be owned by a namespaced UserAccess; the reconciler's finalizer
            # removes them instead, so no ownerReference here.
            pending.append(
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {
                        "name": binding_name,
                        "labels": dict(labels),
                        "annotations": {},
                        "creationTimestamp": context.timestamp(created - 20),
                    },
                    "roleRef": role_ref,
                    "subjects": _subjects(person),
                }
            )
            bindings.append({"kind": "ClusterRoleBinding", "name": binding_name})
        else:
            for namespace in _matching_namespaces(context, scopes):
                metadata = {
                    "name": binding_name,
                    "namespace": namespace,
                    "labels": dict(labels),
                    "annotations": {},
                    "creationTimestamp": context.timestamp(created - 20),
                }
                if namespace == "catalyst-system":
                    metadata["ownerReferences"] = [owner]
                pending.append(
                    {
                        "apiVersion": "rbac.authorization.k8s.io/v1",
                        "kind": "RoleBinding",
                        "metadata": metadata,
                        "roleRef": dict(role_ref),
                        "subjects": _subjects(person),
                    }
                )
                bindings.append({"kind": "RoleBinding", "namespace": namespace, "name": binding_name})
        reconciled = context.timestamp(created - 25)
        context.add(
            {
                "apiVersion": "access.openova.io/v1alpha1",
                "kind": "UserAccess",
                "metadata": {
                    "name": person.username,
                    "namespace": "catalyst-system",
                    "labels": {"catalyst.openova.io/tier": person.tier},
                    "annotations": {},
                    "generation": 1,
                    "finalizers": ["access.openova.io/bindings"],
                    "creationTimestamp": context.timestamp(created),
                },
                "spec": {
                    "user": {
                        "keycloakSubject": subject_of(person.username),
                        "email": person.email,
                        # only the groups the seed binds (Organization groups): the reconciler binds every
                        # group listed here, and /sovereign-admins holds admins as well as the owner
                        **({"keycloakGroups": acme} if (acme := _bound_groups(person)) else {}),
                    },
                    "sovereignRef": DOMAIN,
                    "tier": person.tier,
                    "tierRoleRef": tier_role_name(person.tier),
                    # as the console's multi-grant writes a developer grant: with its enforced dev scope
                    "scopes": [{"key": key, "value": value} for key, value in scopes],
                },
                "status": {
                    "observedGeneration": 1,
                    "bindings": bindings,
                    "conditions": [
                        {
                            "type": "EnforcedScopeApplied",
                            "status": "True",
                            "reason": "AlreadyPresent",
                            "message": "spec.scopes already carries enforced scope openova.io/env-type=dev"
                            if enforced
                            else f"{tier_role_name(person.tier)} enforces no scopes",
                            "lastTransitionTime": reconciled,
                        },
                        {
                            "type": "TierResolved",
                            "status": "True",
                            "reason": "Resolved",
                            "message": f"tier {person.tier} → {tier_role_name(person.tier)}",
                            "lastTransitionTime": reconciled,
                        },
                        {
                            "type": "BindingsReconciled",
                            "status": "True",
                            "reason": "Reconciled",
                            "message": f"{len(bindings)} binding(s) reconciled",
                            "lastTransitionTime": reconciled,
                        },
                    ],
                },
            }
        )
        for binding in pending:
            context.add(binding)


def access(context: WorldContext, age: float) -> None:
    _roles(context, age)
    _grants(context, age - 5 * 86400)
