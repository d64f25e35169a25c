"""CustomResourceDefinitions the sandbox serves: Catalyst's own plus the ecosystem a Sovereign runs.

Each definition is data (one `_Definition` per CRD) turned into a real `apiextensions.k8s.io/v1` manifest.
Schemas are open (`x-kubernetes-preserve-unknown-fields`) except the policy-report CRDs, which are the
upstream files copied into `data/` so `kubectl explain` and validation behave as on a real cluster.
Object buckets (objectbucket.io) are deliberately absent: the console must show "no bucket API".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

__all__ = ["custom_resource_definitions"]

_DATA_DIRECTORY = Path(__file__).parent / "data"
# Upstream CRD files kept verbatim; their schemas and printer columns are the real ones.
_UPSTREAM_FILES = (
    "crd-wgpolicyk8s.io_policyreports.yaml",
    "crd-wgpolicyk8s.io_clusterpolicyreports.yaml",
    "crd-openreports.io_reports.yaml",
    "crd-openreports.io_clusterreports.yaml",
)


@dataclass(frozen=True)
class _Column:
    name: str
    json_path: str
    type: str = "string"
    priority: int = 0  # 1 = only shown with `-o wide`


@dataclass(frozen=True)
class _Definition:
    group: str
    kind: str
    plural: str
    namespaced: bool
    versions: tuple[str, ...]  # the last one is the storage version
    columns: tuple[_Column, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    served_versions: tuple[str, ...] = field(default=())  # empty = every listed version is served


_AGE = _Column("Age", ".metadata.creationTimestamp", "date")
# CRDs in k8s.io/kubernetes.io groups must link their API review, as the upstream Gateway API CRDs do.
_API_APPROVALS = {"gateway.networking.k8s.io": "https://github.com/kubernetes-sigs/gateway-api/pull/3328"}
# Flux shows these three on every toolkit object.
_FLUX = (
    _AGE,
    _Column("Ready", '.status.conditions[?(@.type=="Ready")].status'),
    _Column("Status", '.status.conditions[?(@.type=="Ready")].message'),
)
_CATALYST = ("catalyst", "openova")


def _catalyst_definitions() -> list[_Definition]:
    return [
        _Definition(
            "catalyst.openova.io",
            "EnvironmentPolicy",
            "environmentpolicies",
            False,
            ("v1alpha1",),
            (
                _Column("Approvers", ".spec.promotion.requiredApprovers", "integer"),
                _Column("SoakHrs", ".spec.promotion.soakHours", "integer"),
                _Column("Policies", ".status.policyCount", "integer"),
                _AGE,
            ),
            ("envpol", "envpols"),
            _CATALYST,
        ),
        _Definition(
            "orgs.openova.io",
            "Organization",
            "organizations",
            False,
            ("v1alpha1",),
            (
                _Column("Slug", ".spec.slug"),
                _Column("Kind", ".spec.kind"),
                _Column("Tier", ".spec.tier"),
                _Column("Billing", ".spec.billingMode"),
                _Column("Sovereign", ".spec.sovereignRef"),
                _Column("vCluster", ".status.vcluster.phase", priority=1),
                _AGE,
            ),
            ("org", "orgs"),
            _CATALYST,
        ),
        _Definition(
            "catalyst.openova.io",
            "Environment",
            "environments",
            False,
            ("v1alpha1",),
            (
                _Column("Org", ".spec.organizationRef"),
                _Column("Type", ".spec.envType"),
                _Column("Placement", ".spec.placement"),
                _Column("Regions", ".status.regionCount", "integer", priority=1),
                _Column("Phase", ".status.phase"),
                _AGE,
            ),
            ("env", "envs"),
            _CATALYST,
        ),
        _Definition(
            "apps.openova.io",
            "Application",
            "applications",
            True,
            ("v1alpha1",),
            (
                _Column("Blueprint", ".spec.blueprintRef.name"),
                _Column("Version", ".spec.blueprintRef.version"),
                _Column("Environment", ".spec.environmentRef"),
                _Column("Placement", ".status.placement.vcluster"),
                _Column("Phase", ".status.phase"),
                _Column("Primary", ".status.primaryRegion", priority=1),
                _Column("Instance", ".spec.instanceId", priority=1),
                _Column("Isolation", ".spec.isolationLevel", priority=1),
                _AGE,
            ),
            ("app", "apps"),
            _CATALYST,
        ),
        _Definition(
            "dr.openova.io",
            "Continuum",
            "continuums",
            True,
            ("v1alpha1",),
            (
                _Column("Application", ".spec.applicationRef"),
                _Column("Primary", ".status.primaryRegion"),
                _Column("Lease", ".status.leaseHolder"),
                _Column("Lag", ".status.maxReplicationLag", priority=1),
                _Column("RTO", ".spec.rto", priority=1),
                _Column("RPO", ".spec.rpo", priority=1),
                _Column("Phase", ".status.phase"),
                _AGE,
            ),
            ("dr",),
            _CATALYST,
        ),
        _Definition(
            "catalyst.openova.io",
            "SecretPolicy",
            "secretpolicies",
            False,
            ("v1alpha1",),
            (
                _Column("Rotations", ".status.rotationCount", "integer"),
                _Column("NextDue", ".status.nextRotationDue", priority=1),
                _AGE,
            ),
            ("secpol", "secpols"),
            _CATALYST,
        ),
        _Definition(
            "catalyst.openova.io",
            "Runbook",
            "runbooks",
            True,
            ("v1alpha1",),
            (
                _Column("Trigger", ".spec.trigger.kind"),
                _Column("Action", ".spec.action.kind"),
                _Column("Last", ".status.lastFiredAt", priority=1),
                _Column("Fires", ".status.fireCount", "integer", priority=1),
                _AGE,
            ),
            ("rb", "rbs"),
            _CATALYST,
        ),
        _Definition(
            "catalyst.openova.io",
            "Blueprint",
            "blueprints",
            False,
            ("v1alpha1", "v1"),
            (
                _Column("Version", ".spec.version"),
                _Column("Visibility", ".spec.visibility"),
                _Column("Title", ".spec.card.title", priority=1),
                _AGE,
            ),
            ("bp", "bps"),
            _CATALYST,
        ),
        _Definition(
            "access.openova.io",
            "UserAccess",
            "useraccesses",
            True,
            ("v1alpha1",),
            (
                _Column("Tier", ".spec.tier"),
                _Column("Sovereign", ".spec.sovereignRef", priority=1),
                _Column("Ready", '.status.conditions[?(@.type=="BindingsReconciled")].status'),
                _AGE,
            ),
            ("ua", "uas"),
            _CATALYST,
        ),
    ]


def _ecosystem_definitions() -> list[_Definition]:
    cert_ready = _Column("Ready", '.status.conditions[?(@.type=="Ready")].status')
    cert_status = _Column("Status", '.status.conditions[?(@.type=="Ready")].message', priority=1)
    return [
        _Definition("helm.toolkit.fluxcd.io", "HelmRelease", "helmreleases", True, ("v2",), _FLUX, ("hr",), ("all",)),
        _Definition(
            "kustomize.toolkit.fluxcd.io", "Kustomization", "kustomizations", True, ("v1",), _FLUX, ("ks",), ("all",)
        ),
        _Definition(
            "source.toolkit.fluxcd.io",
            "GitRepository",
            "gitrepositories",
            True,
            ("v1",),
            (_Column("URL", ".spec.url"), *_FLUX),
            ("gitrepo",),
            ("all",),
        ),
        _Definition(
            "source.toolkit.fluxcd.io",
            "HelmRepository",
            "helmrepositories",
            True,
            ("v1",),
            (_Column("URL", ".spec.url"), *_FLUX),
            ("helmrepo",),
            ("all",),
        ),
        _Definition(
            "cert-manager.io",
            "Certificate",
            "certificates",
            True,
            ("v1",),
            (
                cert_ready,
                _Column("Secret", ".spec.secretName"),
                _Column("Issuer", ".spec.issuerRef.name", priority=1),
                cert_status,
                _AGE,
            ),
            ("cert", "certs"),
            ("cert-manager",),
        ),
        _Definition(
            "cert-manager.io",
            "Issuer",
            "issuers",
            True,
            ("v1",),
            (cert_ready, cert_status, _AGE),
            (),
            ("cert-manager",),
        ),
        _Definition(
            "cert-manager.io",
            "ClusterIssuer",
            "clusterissuers",
            False,
            ("v1",),
            (cert_ready, cert_status, _AGE),
            (),
            ("cert-manager",),
        ),
        _Definition(
            "postgresql.cnpg.io",
            "Cluster",
            "clusters",
            True,
            ("v1",),
            (
                _AGE,
                _Column("Instances", ".status.instances", "integer"),
                _Column("Ready", ".status.readyInstances", "integer"),
                _Column("Status", ".status.phase"),
                _Column("Primary", ".status.currentPrimary"),
            ),
            (),
            ("cnpg",),
        ),
        _Definition(
            "postgresql.cnpg.io",
            "Database",
            "databases",
            True,
            ("v1",),
            (
                _AGE,
                _Column("Cluster", ".spec.cluster.name"),
                _Column("PG Name", ".spec.name"),
                _Column("Applied", ".status.applied", "boolean"),
                _Column("Message", ".status.message"),
            ),
            (),
            ("cnpg",),
        ),
        _Definition(
            "external-secrets.io",
            "ExternalSecret",
            "externalsecrets",
            True,
            ("v1beta1",),
            (
                _Column("Store", ".spec.secretStoreRef.name"),
                _Column("Refresh Interval", ".spec.refreshInterval"),
                _Column("Status", '.status.conditions[?(@.type=="Ready")].reason'),
                _Column("Ready", '.status.conditions[?(@.type=="Ready")].status'),
            ),
            ("es",),
            ("external-secrets",),
        ),
        _Definition(
            "external-secrets.io",
            "ClusterSecretStore",
            "clustersecretstores",
            False,
            ("v1beta1",),
            (
                _AGE,
                _Column("Status", '.status.conditions[?(@.type=="Ready")].reason'),
                _Column("Ready", '.status.conditions[?(@.type=="Ready")].status'),
            ),
            ("css",),
            ("external-secrets",),
        ),
        _Definition(
            "cilium.io",
            "CiliumNetworkPolicy",
            "ciliumnetworkpolicies",
            True,
            ("v2",),
            (_AGE, _Column("Valid", '.status.conditions[?(@.type=="Valid")].status')),
            ("cnp", "ciliumnp"),
            ("cilium", "ciliumpolicy"),
        ),
        _Definition(
            "cilium.io",
            "CiliumClusterwideNetworkPolicy",
            "ciliumclusterwidenetworkpolicies",
            False,
            ("v2",),
            (_AGE, _Column("Valid", '.status.conditions[?(@.type=="Valid")].status')),
            ("ccnp",),
            ("cilium", "ciliumpolicy"),
        ),
        _Definition(
            "gateway.networking.k8s.io",
            "GatewayClass",
            "gatewayclasses",
            False,
            ("v1",),
            (
                _Column("Controller", ".spec.controllerName"),
                _Column("Accepted", '.status.conditions[?(@.type=="Accepted")].status'),
                _AGE,
                _Column("Description", ".spec.description", priority=1),
            ),
            ("gc",),
            ("gateway-api",),
        ),
        _Definition(
            "gateway.networking.k8s.io",
            "Gateway",
            "gateways",
            True,
            ("v1",),
            (
                _Column("Class", ".spec.gatewayClassName"),
                _Column("Address", ".status.addresses[*].value"),
                _Column("Programmed", '.status.conditions[?(@.type=="Programmed")].status'),
                _AGE,
            ),
            ("gtw",),
            ("gateway-api",),
        ),
        _Definition(
            "gateway.networking.k8s.io",
            "HTTPRoute",
            "httproutes",
            True,
            ("v1",),
            (_Column("Hostnames", ".spec.hostnames"), _AGE),
            (),
            ("gateway-api",),
        ),
        _Definition(
            "kyverno.io",
            "ClusterPolicy",
            "clusterpolicies",
            False,
            ("v1",),
            (
                _Column("Admission", ".spec.admission", "boolean"),
                _Column("Background", ".spec.background", "boolean"),
                _Column("Ready", '.status.conditions[?(@.type == "Ready")].status'),
                _AGE,
                _Column("Failure Policy", ".spec.failurePolicy", priority=1),
                _Column("Validate", ".status.rulecount.validate", "integer", priority=1),
                _Column("Message", '.status.conditions[?(@.type == "Ready")].message', priority=1),
            ),
            ("cpol",),
            ("kyverno",),
        ),
    ]


def _manifest(definition: _Definition) -> dict:
    served = definition.served_versions or definition.versions
    storage = definition.versions[-1]
    singular = definition.kind.lower()
    columns = [
        {"name": column.name, "type": column.type, "jsonPath": column.json_path}
        | ({"priority": column.priority} if column.priority else {})
        for column in definition.columns
    ]
    names: dict = {
        "plural": definition.plural,
        "singular": singular,
        "kind": definition.kind,
        "listKind": f"{definition.kind}List",
    }
    if definition.short_names:
        names["shortNames"] = list(definition.short_names)
    if definition.categories:
        names["categories"] = list(definition.categories)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{definition.plural}.{definition.group}", "labels": {}, "annotations": {}},
        "spec": {
            "group": definition.group,
            "names": names,
            "scope": "Namespaced" if definition.namespaced else "Cluster",
            "versions": [
                {
                    "name": version,
                    "served": version in served,
                    "storage": version == storage,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [dict(column) for column in columns],
                }
                for version in definition.versions
            ],
        },
    }


@cache
def _upstream_manifests() -> tuple[dict, ...]:
    # Parsing 70 kB of YAML takes tens of milliseconds; the files never change while running.
    manifests = []
    for file_name in _UPSTREAM_FILES:
        with open(_DATA_DIRECTORY / file_name, encoding="utf-8") as stream:
            manifests.extend(document for document in yaml.safe_load_all(stream) if document)
    return tuple(manifests)


def custom_resource_definitions() -> list[dict]:
    """Every CRD of the seeded Sovereign as an `apiextensions.k8s.io/v1` manifest (fresh copies)."""
    definitions = _catalyst_definitions() + _ecosystem_definitions()
    manifests = [_manifest(definition) for definition in definitions]
    manifests.extend(copy.deepcopy(manifest) for manifest in _upstream_manifests())
    for manifest in manifests:
        manifest["metadata"].setdefault("labels", {})
        manifest["metadata"]["labels"]["app.kubernetes.io/part-of"] = _part_of(manifest["spec"]["group"])
        approval = _API_APPROVALS.get(manifest["spec"]["group"])
        if approval:
            manifest["metadata"].setdefault("annotations", {})["api-approved.kubernetes.io"] = approval
    return manifests


def _part_of(group: str) -> str:
    for suffix, owner in (
        ("openova.io", "catalyst"),
        ("fluxcd.io", "flux"),
        ("cert-manager.io", "cert-manager"),
        ("cnpg.io", "cloudnative-pg"),
        ("external-secrets.io", "external-secrets"),
        ("cilium.io", "cilium"),
        ("gateway.networking.k8s.io", "gateway-api"),
    ):
        if group.endswith(suffix):
            return owner
    return "kyverno"
