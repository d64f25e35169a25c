"""Catalyst's own objects: Organizations, Environments, EnvironmentPolicies, Blueprints, SecretPolicy,
Runbooks and a Continuum."""

from __future__ import annotations

from sovereign_sandbox.world.catalog import APPLICATIONS, ENVIRONMENTS, ORGANIZATIONS
from sovereign_sandbox.world.context import DAY, DOMAIN, HOUR, WorldContext

__all__ = ["POLICY_WEIGHTS", "tenancy"]

# Seed-design weights (compliance.md); pvc-volume-expansion only counts on stateful resources.
POLICY_WEIGHTS = {
    "multi-replica-drainability": (15, "stateless"),
    "pdb-permits-eviction": (15, "all"),
    "topology-spread": (10, "all"),
    "probes-present": (5, "all"),
    "resource-requests": (8, "all"),
    "resource-limits": (4, "all"),
    "pvc-volume-expansion": (0, "stateful"),
    "hpa-effective": (8, "stateless"),
    "cilium-l7-mtls": (10, "all"),
    "flux-managed": (10, "all"),
    "harbor-proxy-pull": (5, "all"),
    "image-tag-pinned": (5, "all"),
    "prometheus-scrape": (5, "all"),
}


def _condition(context: WorldContext, kind: str, reason: str, message: str, age: float, status: str = "True") -> dict:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": context.timestamp(age),
        "observedGeneration": 1,
    }


def _organizations(context: WorldContext, base_age: float) -> None:
    for index, organization in enumerate(ORGANIZATIONS):
        age = base_age - index * 3 * DAY
        status: dict = {
            "observedGeneration": 1,
            "keycloakGroup": {
                "id": f"{context.rng.getrandbits(128):032x}",
                "path": f"/{organization.slug}",
                "realm": "sovereign",
            },
            "perOrgRealm": {"realmName": f"org-{organization.slug}", "state": "Disabled"},
            "giteaOrg": {
                "name": organization.slug,
                "repos": [
                    environment.name for environment in ENVIRONMENTS if environment.organization == organization.slug
                ],
            },
            "iacBootstrap": {
                "state": "Ready",
                "repoURL": f"https://gitea.openova-prod.{DOMAIN}/{organization.slug}/iac",
                "robotUsername": f"{organization.slug}-iac-bot",
            },
            "conditions": [_condition(context, "Ready", "Reconciled", "Organization is ready", age - 600)],
        }
        if organization.vcluster:
            status["vcluster"] = {
                "name": f"{organization.slug}-prod",
                "hostCluster": "hz-fsn-rtz-prod",
                "phase": "Ready",
            }
        context.add(
            {
                "apiVersion": "orgs.openova.io/v1alpha1",
                "kind": "Organization",
                "metadata": {
                    "name": organization.slug,
                    "labels": {"openova.io/organization": organization.slug, "openova.io/sovereign": DOMAIN},
                    "annotations": {},
                    "generation": 1,
                    "finalizers": ["orgs.openova.io/per-org-realm"],
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "slug": organization.slug,
                    "displayName": organization.display_name,
                    "kind": organization.kind,
                    "tier": organization.tier,
                    "billingMode": organization.billing_mode,
                    "sovereignRef": DOMAIN,
                    "defaultEnvironmentType": "prod",
                    "owners": [{"email": organization.owner_email, "role": "owner"}],
                    "identity": {"federationProvider": "azure-sso" if organization.slug == "bankdhofar" else ""},
                    "tenantPublic": {"parentDomain": DOMAIN, "subdomain": organization.slug, "backendPort": 80},
                },
                "status": status,
            }
        )


def _environments(context: WorldContext, base_age: float) -> None:
    branches = {"prod": "main", "stg": "staging", "dev": "develop"}
    for index, environment in enumerate(ENVIRONMENTS):
        age = base_age - (index + 1) * 2 * DAY
        context.add(
            {
                "apiVersion": "catalyst.openova.io/v1alpha1",
                "kind": "Environment",
                "metadata": {
                    "name": environment.name,
                    "labels": {
                        "openova.io/organization": environment.organization,
                        "openova.io/env-type": environment.env_type,
                    },
                    "annotations": {},
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "organizationRef": environment.organization,
                    "envType": environment.env_type,
                    "placement": "multi-region" if len(environment.regions) > 1 else "single-region",
                    "regions": [
                        {
                            "provider": "hetzner",
                            "region": region,
                            "buildingBlock": "rtz",
                            "hostCluster": f"hz-{region}-rtz-prod",
                        }
                        for region in environment.regions
                    ],
                    "policyRef": environment.policy,
                },
                "status": {
                    "phase": "Ready",
                    "regionCount": len(environment.regions),
                    "observedGeneration": 1,
                    "vclusters": [
                        {
                            "host": f"hz-{environment.regions[0]}-rtz-prod",
                            "name": environment.name,
                            "phase": "Ready",
                            "lastTransitionTime": context.timestamp(age - 900),
                        }
                    ]
                    if environment.organization == "bankdhofar"
                    else [],
                    "giteaRepoRef": {"org": environment.organization, "branch": branches[environment.env_type]},
                    "jetstreamSubjectPrefix": f"ws.{environment.name}.>",
                    "conditions": [_condition(context, "Ready", "Reconciled", "Environment is ready", age - 900)],
                },
            }
        )


def _environment_policies(context: WorldContext, age: float) -> None:
    for name, approvers, soak, score, mode in (
        ("production", 2, 24, 80, "enforcing"),
        ("development", 0, 0, None, "permissive"),
    ):
        weights = {
            policy: {"weight": weight if name == "production" else max(weight // 2, 0), "scope": scope}
            for policy, (weight, scope) in POLICY_WEIGHTS.items()
        }
        modes = {
            policy: mode if policy in ("probes-present", "resource-requests", "image-tag-pinned") else "permissive"
            for policy in POLICY_WEIGHTS
        }
        context.add(
            {
                "apiVersion": "catalyst.openova.io/v1alpha1",
                "kind": "EnvironmentPolicy",
                "metadata": {
                    "name": name,
                    "labels": {"openova.io/managed-by": "catalyst"},
                    "annotations": {},
                    "generation": 3,
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "promotion": {
                        "requiredApprovers": approvers,
                        "soakHours": soak,
                        **({"requiredComplianceScore": score} if score is not None else {}),
                    },
                    "compliance": {"weights": weights, "modes": modes},
                },
                "status": {
                    "policyCount": len(weights),
                    "appliedAt": context.timestamp(age - 2 * DAY),
                    "observedGeneration": 3,
                    "conditions": [
                        _condition(context, "Ready", "Applied", f"{len(weights)} policies applied", age - 2 * DAY)
                    ],
                },
            }
        )


def _blueprints(context: WorldContext, age: float) -> None:
    seen: set[str] = set()
    for product in APPLICATIONS:
        if product.name in seen:
            continue
        seen.add(product.name)
        context.add(
            {
                "apiVersion": "catalyst.openova.io/v1",
                "kind": "Blueprint",
                "metadata": {
                    "name": f"bp-{product.name}",
                    "labels": {"openova.io/blueprint": f"bp-{product.name}"},
                    "annotations": {},
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "version": product.version,
                    "card": {
                        "title": product.name.replace("-", " ").title(),
                        "summary": f"{product.name} on Catalyst",
                        "category": product.family,
                        "family": product.family,
                        "tags": [product.family],
                        "icon": f"https://{DOMAIN}/icons/{product.name}.svg",
                        "license": "Apache-2.0",
                    },
                    "visibility": "listed" if product.environment.startswith(("acme", "openova")) else "private",
                    "owner": {"team": "platform", "contact": f"platform@{DOMAIN}"},
                    "configSchema": {
                        "type": "object",
                        "properties": {
                            "replicas": {"type": "integer", "minimum": 1, "default": 1},
                            "hostname": {"type": "string"},
                        },
                    },
                    "placementSchema": {
                        "modes": ["singleton", "active-hot-standby"],
                        "default": "singleton",
                        "minRegions": 1,
                        "maxRegions": 2,
                    },
                    "manifests": {"chart": product.name, "source": {"kind": "HelmChart", "ref": product.repository}},
                },
                "status": {
                    "conditions": [_condition(context, "Ready", "Published", "Blueprint is published", age - 60)]
                },
            }
        )


def _operations(context: WorldContext, age: float) -> None:
    context.add(
        {
            "apiVersion": "catalyst.openova.io/v1alpha1",
            "kind": "SecretPolicy",
            "metadata": {
                "name": "default-rotation",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "rotation": [
                    {
                        "kind": "db-password",
                        "labelSelector": {"matchLabels": {"cnpg.io/userType": "app"}},
                        "ttl": "90d",
                        "action": "rotate",
                        "gracePeriod": "24h",
                    },
                    {
                        "kind": "tls-cert",
                        "labelSelector": {"matchLabels": {"controller.cert-manager.io/fao": "true"}},
                        "ttl": "60d",
                        "action": "warn",
                    },
                    {
                        "kind": "api-key",
                        "labelSelector": {"matchLabels": {"reconcile.external-secrets.io/managed": "true"}},
                        "ttl": "30d",
                        "action": "warn",
                    },
                ]
            },
            "status": {
                "rotationCount": 17,
                "nextRotationDue": context.timestamp(-4 * DAY),
                "lastEvaluatedAt": context.timestamp(context.between(60, HOUR)),
                "observedGeneration": 1,
                "conditions": [_condition(context, "Ready", "Evaluated", "3 rotation rules evaluated", age - 60)],
            },
        }
    )
    runbooks = (
        (
            "acme-prod-billing",
            "restart-on-crashloop",
            "prometheus-alert",
            {"alertname": "KubePodCrashLooping"},
            "restart",
            {"target": "deployment/billing-worker"},
            4,
            "success",
        ),
        (
            "openova-prod-keycloak",
            "scale-on-latency",
            "prometheus-alert",
            {"alertname": "KeycloakHighLatency"},
            "scale",
            {"target": "statefulset/keycloak", "replicas": 3},
            0,
            None,
        ),
        (
            "bankdhofar-prod-corebanking",
            "switchover-on-primary-loss",
            "cr-condition",
            {"kind": "Cluster", "name": "corebanking-db", "condition": "Ready", "status": "False"},
            "switchover",
            {"continuum": "corebanking"},
            1,
            "awaiting-approval",
        ),
    )
    for namespace, name, trigger, trigger_config, action, action_config, fires, result in runbooks:
        status: dict = {"fireCount": fires, "observedGeneration": 1}
        if result:
            status.update(lastFiredAt=context.timestamp(context.between(HOUR, 3 * DAY)), lastResult=result)
        context.add(
            {
                "apiVersion": "catalyst.openova.io/v1alpha1",
                "kind": "Runbook",
                "metadata": {
                    "name": name,
                    "namespace": namespace,
                    "labels": {},
                    "annotations": {},
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age - 5 * DAY),
                },
                "spec": {
                    "trigger": {"kind": trigger, "config": trigger_config},
                    "action": {"kind": action, "config": action_config},
                    "description": f"{action.title()} when {trigger.replace('-', ' ')} fires.",
                    "cooldown": "15m",
                    "approval": {"approvers": 1 if action == "switchover" else 0, "timeoutSeconds": 3600},
                },
                "status": status,
            }
        )
    context.add(
        {
            "apiVersion": "dr.openova.io/v1alpha1",
            "kind": "Continuum",
            "metadata": {
                "name": "corebanking",
                "namespace": "bankdhofar-prod-corebanking",
                "labels": {},
                "annotations": {},
                "generation": 2,
                "creationTimestamp": context.timestamp(age - 6 * DAY),
            },
            "spec": {
                "applicationRef": "corebanking",
                "primaryRegion": "hz-fsn-rtz-prod",
                "hotStandbyRegions": ["hz-nbg-rtz-prod"],
                "rto": "5m",
                "rpo": "30s",
                "autoFailover": False,
                "leaseClient": {
                    "kind": "dns-quorum",
                    "config": {
                        "resolvers": ["185.12.64.1", "185.12.64.2", "1.1.1.1"],
                        "ttlSeconds": 30,
                        "renewSeconds": 10,
                    },
                },
                "luaRecord": {
                    "selector": "ifurlup",
                    "healthCheck": {
                        "url": f"https://corebanking.bankdhofar-prod.{DOMAIN}/health",
                        "intervalSeconds": 5,
                        "timeoutSeconds": 2,
                    },
                },
                "switchover": {"mechanism": "cnpg-pair"},
            },
            "status": {
                "phase": "Degraded",
                "primaryRegion": "hz-fsn-rtz-prod",
                "leaseHolder": "hz-fsn-rtz-prod",
                "leaseExpiresAt": context.timestamp(-25),
                "replicationLag": {"hz-nbg-rtz-prod": "42s"},
                "maxReplicationLag": "42s",
                "conditions": [
                    _condition(
                        context, "Ready", "ReplicationLagging", "replication lag 42s exceeds RPO 30s", 900, "False"
                    )
                ],
            },
        }
    )


def tenancy(context: WorldContext, base_age: float) -> None:
    _organizations(context, base_age)
    _environments(context, base_age - DAY)
    _environment_policies(context, base_age - 2 * DAY)
    _blueprints(context, base_age - 3 * DAY)
    _operations(context, base_age - 20 * DAY)
