"""Platform controllers' configuration: Flux sources and Kustomizations, cert-manager issuers, the
OpenBao secret store, cluster-wide Cilium policies."""

from __future__ import annotations

from sovereign_sandbox.world.catalog import ENVIRONMENTS, ORGANIZATIONS
from sovereign_sandbox.world.context import DAY, DOMAIN, HOUR, MINUTE, WorldContext
from sovereign_sandbox.world.stateful import certificate

__all__ = ["platform_configuration"]

_HELM_REPOSITORIES = {
    "bitnami": "https://charts.bitnami.com/bitnami",
    "gitea": "https://dl.gitea.com/charts",
    "goharbor": "https://helm.goharbor.io",
    "grafana": "https://grafana.github.io/helm-charts",
    "openbao": "https://openbao.github.io/openbao-helm",
    "nats": "https://nats-io.github.io/k8s/helm/charts",
    "openova": f"https://harbor.{DOMAIN}/chartrepo/openova",
}


def _ready(context: WorldContext, reason: str, message: str, generation: int = 1) -> list[dict]:
    when = context.timestamp(context.between(MINUTE, 10 * MINUTE))
    return [
        {
            "type": "Ready",
            "status": "True",
            "reason": reason,
            "message": message,
            "observedGeneration": generation,
            "lastTransitionTime": when,
        }
    ]


def _flux(context: WorldContext, age: float) -> None:
    flux_labels = {
        "app.kubernetes.io/part-of": "flux",
        "kustomize.toolkit.fluxcd.io/name": "flux-system",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    repositories = [("flux-system", "openova", "sovereign")] + [
        (organization.slug, organization.slug, "environments") for organization in ORGANIZATIONS
    ]
    for name, organization, repository in repositories:
        commit = context.hex(40)
        revision = f"main@sha1:{commit}"
        context.add(
            {
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {
                    "name": name,
                    "namespace": "flux-system",
                    "labels": dict(flux_labels),
                    "annotations": {},
                    "finalizers": ["finalizers.fluxcd.io"],
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "interval": "1m0s",
                    "ref": {"branch": "main"},
                    "timeout": "60s",
                    "secretRef": {"name": "flux-system"},
                    "url": f"ssh://git@gitea.openova-prod.{DOMAIN}:2222/{organization}/{repository}.git",
                },
                "status": {
                    "observedGeneration": 1,
                    "artifact": {
                        "digest": f"sha256:{context.hex(64)}",
                        "revision": revision,
                        "lastUpdateTime": context.timestamp(context.between(HOUR, DAY)),
                        "path": f"gitrepository/flux-system/{name}/{commit}.tar.gz",
                        "size": context.rng.randint(40_000, 400_000),
                        "url": f"http://source-controller.flux-system.svc.cluster.local./gitrepository/"
                        f"flux-system/{name}/{commit}.tar.gz",
                    },
                    "conditions": _ready(context, "Succeeded", f"stored artifact for revision '{revision}'"),
                },
            }
        )
        kustomizations = (
            [("flux-system", "./clusters/omantel")]
            if name == "flux-system"
            else [
                (environment.name, f"./{environment.name}")
                for environment in ENVIRONMENTS
                if environment.organization == organization
            ]
        )
        for kustomization, path in kustomizations:
            context.add(
                {
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                    "kind": "Kustomization",
                    "metadata": {
                        "name": kustomization,
                        "namespace": "flux-system",
                        "labels": dict(flux_labels),
                        "annotations": {},
                        "finalizers": ["finalizers.fluxcd.io"],
                        "generation": 1,
                        "creationTimestamp": context.timestamp(age - 60),
                    },
                    "spec": {
                        "interval": "10m0s",
                        "path": path,
                        "prune": True,
                        "wait": False,
                        "sourceRef": {"kind": "GitRepository", "name": name},
                        "timeout": "5m",
                    },
                    "status": {
                        "observedGeneration": 1,
                        "lastAppliedRevision": revision,
                        "lastAttemptedRevision": revision,
                        "conditions": _ready(context, "ReconciliationSucceeded", f"Applied revision: {revision}"),
                        "inventory": {"entries": []},
                    },
                }
            )
    for name, url in _HELM_REPOSITORIES.items():
        digest = f"sha256:{context.hex(64)}"
        context.add(
            {
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "HelmRepository",
                "metadata": {
                    "name": name,
                    "namespace": "flux-system",
                    "labels": dict(flux_labels),
                    "annotations": {},
                    "finalizers": ["finalizers.fluxcd.io"],
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age - 120),
                },
                "spec": {"interval": "1h0m0s", "url": url, "timeout": "60s"},
                "status": {
                    "observedGeneration": 1,
                    "url": f"http://source-controller.flux-system.svc.cluster.local./"
                    f"helmrepository/flux-system/{name}/index-{digest[7:23]}.yaml",
                    "artifact": {
                        "digest": digest,
                        "revision": digest,
                        "lastUpdateTime": context.timestamp(context.between(MINUTE, HOUR)),
                        "path": f"helmrepository/flux-system/{name}/index-{digest[7:23]}.yaml",
                        "size": context.rng.randint(20_000, 9_000_000),
                    },
                    "conditions": _ready(context, "Succeeded", f"stored artifact: revision '{digest}'"),
                },
            }
        )


def _cert_manager(context: WorldContext, age: float) -> None:
    for name, server in (
        ("letsencrypt-prod", "https://acme-v02.api.letsencrypt.org/directory"),
        ("letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
    ):
        context.add(
            {
                "apiVersion": "cert-manager.io/v1",
                "kind": "ClusterIssuer",
                "metadata": {
                    "name": name,
                    "labels": {},
                    "annotations": {},
                    "generation": 1,
                    "creationTimestamp": context.timestamp(age),
                },
                "spec": {
                    "acme": {
                        "email": f"hostmaster@{DOMAIN}",
                        "server": server,
                        "privateKeySecretRef": {"name": f"{name}-account-key"},
                        "solvers": [
                            {"dns01": {"webhook": {"groupName": "acme.hetzner.cloud", "solverName": "hetzner"}}}
                        ],
                    }
                },
                "status": {
                    "acme": {
                        "uri": f"{server.rsplit('/', 1)[0]}/acme/acct/{context.rng.randint(10**9, 10**10)}",
                        "lastRegisteredEmail": f"hostmaster@{DOMAIN}",
                    },
                    "conditions": _ready(
                        context, "ACMEAccountRegistered", "The ACME account was registered with the ACME server"
                    ),
                },
            }
        )
    context.add(
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Issuer",
            "metadata": {
                "name": "selfsigned",
                "namespace": "cert-manager",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {"selfSigned": {}},
            "status": {"conditions": _ready(context, "IsReady", "")},
        }
    )
    certificate(
        context,
        name="wildcard-omantel-tls",
        namespace="catalyst-system",
        hosts=[f"*.{DOMAIN}", DOMAIN],
        labels={"openova.io/managed-by": "flux"},
        age=age - 300,
        ready=True,
    )


def _secret_store_and_cluster_policies(context: WorldContext, age: float) -> None:
    context.add(
        {
            "apiVersion": "external-secrets.io/v1beta1",
            "kind": "ClusterSecretStore",
            "metadata": {
                "name": "openbao",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "provider": {
                    "vault": {
                        "server": "http://openbao.openova-prod-openbao.svc:8200",
                        "path": "secret",
                        "version": "v2",
                        "auth": {
                            "kubernetes": {
                                "mountPath": "kubernetes",
                                "role": "external-secrets",
                                "serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"},
                            }
                        },
                    }
                }
            },
            "status": {
                "capabilities": "ReadWrite",
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "reason": "Valid",
                        "message": "store validated",
                        "lastTransitionTime": context.timestamp(age - 120),
                    }
                ],
            },
        }
    )
    created = context.timestamp(age)
    valid = [
        {"type": "Valid", "status": "True", "message": "Policy validation succeeded", "lastTransitionTime": created}
    ]
    context.add(
        {
            "apiVersion": "cilium.io/v2",
            "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {
                "name": "allow-kube-dns",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {
                "endpointSelector": {},
                "egress": [
                    {
                        "toEndpoints": [
                            {"matchLabels": {"k8s:io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns"}}
                        ],
                        "toPorts": [
                            {"ports": [{"port": "53", "protocol": "ANY"}], "rules": {"dns": [{"matchPattern": "*"}]}}
                        ],
                    }
                ],
            },
            "status": {"conditions": valid},
        }
    )
    context.add(
        {
            "apiVersion": "cilium.io/v2",
            "kind": "CiliumClusterwideNetworkPolicy",
            "metadata": {
                "name": "deny-cloud-metadata",
                "labels": {},
                "annotations": {},
                "generation": 1,
                "creationTimestamp": created,
            },
            "spec": {"endpointSelector": {}, "egressDeny": [{"toCIDR": ["169.254.169.254/32"]}]},
            "status": {"conditions": [dict(condition) for condition in valid]},
        }
    )


def platform_configuration(context: WorldContext, age: float) -> None:
    _flux(context, age)
    _cert_manager(context, age - HOUR)
    _secret_store_and_cluster_policies(context, age - 2 * HOUR)
