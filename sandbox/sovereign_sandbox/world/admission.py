"""Admission: the webhook configurations the platform's controllers register (Kyverno registers and rewrites
its own; cert-manager, CloudNativePG and External Secrets ship theirs in their charts) and the
ValidatingAdmissionPolicy Kyverno generates from a ClusterPolicy it can express in CEL.
"""

from __future__ import annotations

import base64

from sovereign_sandbox.world.cluster import CLUSTER_AGE
from sovereign_sandbox.world.context import HOUR, WorldContext, owner_reference

__all__ = ["admission"]

_CA = base64.b64encode(
    b"-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUA\n-----END CERTIFICATE-----\n"
)
_KYVERNO_SERVICE = ("kyverno", "kyverno-admission-controller")
_KYVERNO_LABELS = {"webhook.kyverno.io/managed-by": "kyverno"}
_EVERYTHING = [{"apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*/*"], "scope": "*"}]
_WRITES = ["CREATE", "UPDATE", "DELETE", "CONNECT"]
_POLICIES = [
    {
        "apiGroups": ["kyverno.io"],
        "apiVersions": ["v1", "v2beta1"],
        "resources": ["clusterpolicies", "policies"],
        "scope": "*",
    }
]


def _helm_labels(name: str, instance: str) -> dict:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/managed-by": "Helm",
        "openova.io/managed-by": "flux",
    }


def _webhook(
    name: str, service: tuple[str, str], path: str, rules: list[dict], operations: list[str], **options
) -> dict:
    namespace, service_name = service
    webhook = {
        "name": name,
        "clientConfig": {
            "service": {"namespace": namespace, "name": service_name, "path": path, "port": 443},
            "caBundle": _CA.decode(),
        },
        "rules": [{"operations": operations, **rule} for rule in rules],
        "failurePolicy": options.get("failure", "Fail"),
        "matchPolicy": "Equivalent",
        "namespaceSelector": options.get("namespaces", {}),
        "objectSelector": {},
        "sideEffects": options.get("side_effects", "NoneOnDryRun"),
        "timeoutSeconds": options.get("timeout", 10),
        "admissionReviewVersions": ["v1"],
    }
    if options.get("mutating"):
        webhook["reinvocationPolicy"] = "IfNeeded"
    return webhook


def _configuration(
    context: WorldContext, kind: str, name: str, webhooks: list[dict], age: float, labels: dict, annotations=None
) -> None:
    context.add(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": kind,
            "metadata": {
                "name": name,
                "labels": labels,
                "annotations": annotations or {},
                "generation": 1 + context.rng.randint(0, 6),
                "creationTimestamp": context.timestamp(age),
            },
            "webhooks": webhooks,
        }
    )


def _kyverno(context: WorldContext, age: float) -> None:
    # Kyverno skips its own namespace and the system ones (its `webhooks.namespaceSelector` default).
    not_system = {
        "matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "kyverno"]}
        ]
    }
    validating = "ValidatingWebhookConfiguration"
    mutating = "MutatingWebhookConfiguration"
    resources = [
        _webhook(
            f"validate.kyverno.svc-{mode}",
            _KYVERNO_SERVICE,
            f"/validate/{mode}",
            _EVERYTHING,
            _WRITES,
            failure=mode.title(),
            namespaces=not_system,
        )
        for mode in ("fail", "ignore")
    ]
    _configuration(context, validating, "kyverno-resource-validating-webhook-cfg", resources, age, _KYVERNO_LABELS)
    policy = [
        _webhook("validate-policy.kyverno.svc", _KYVERNO_SERVICE, "/policyvalidate", _POLICIES, ["CREATE", "UPDATE"])
    ]
    _configuration(context, validating, "kyverno-policy-validating-webhook-cfg", policy, age, _KYVERNO_LABELS)
    exceptions = [
        _webhook(
            "validate-policy-exception.kyverno.svc",
            _KYVERNO_SERVICE,
            "/exceptionvalidate",
            [{"apiGroups": ["kyverno.io"], "apiVersions": ["v2"], "resources": ["policyexceptions"], "scope": "*"}],
            ["CREATE", "UPDATE"],
        )
    ]
    _configuration(context, validating, "kyverno-exception-validating-webhook-cfg", exceptions, age, _KYVERNO_LABELS)
    mutate = [
        _webhook(
            "mutate.kyverno.svc-fail",
            _KYVERNO_SERVICE,
            "/mutate/fail",
            [
                {
                    "apiGroups": [""],
                    "apiVersions": ["v1"],
                    "resources": ["pods", "pods/ephemeralcontainers"],
                    "scope": "*",
                }
            ],
            ["CREATE", "UPDATE"],
            namespaces=not_system,
            mutating=True,
        )
    ]
    _configuration(context, mutating, "kyverno-resource-mutating-webhook-cfg", mutate, age, _KYVERNO_LABELS)
    verify = [
        _webhook(
            "monitor-webhooks.kyverno.svc",
            _KYVERNO_SERVICE,
            "/verifymutate",
            [{"apiGroups": ["coordination.k8s.io"], "apiVersions": ["v1"], "resources": ["leases"], "scope": "*"}],
            ["UPDATE"],
            failure="Ignore",
            mutating=True,
        )
    ]
    _configuration(context, mutating, "kyverno-verify-mutating-webhook-cfg", verify, age, _KYVERNO_LABELS)


def _chart_webhooks(context: WorldContext, age: float) -> None:
    cert_manager = ("cert-manager", "cert-manager-webhook")
    issuers = [{"apiGroups": ["cert-manager.io", "acme.cert-manager.io"], "apiVersions": ["v1"], "resources": ["*/*"]}]
    inject = {"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"}
    labels = _helm_labels("webhook", "cert-manager") | {"app.kubernetes.io/component": "webhook"}
    for kind, path in (("ValidatingWebhookConfiguration", "/validate"), ("MutatingWebhookConfiguration", "/mutate")):
        hook = _webhook(
            "webhook.cert-manager.io", cert_manager, path, issuers, ["CREATE", "UPDATE"], side_effects="None"
        )
        _configuration(context, kind, "cert-manager-webhook", [hook], age, labels, inject)
    cnpg = ("cnpg-system", "cnpg-controller-manager")
    clusters = [{"apiGroups": ["postgresql.cnpg.io"], "apiVersions": ["v1"], "resources": ["clusters"]}]
    labels = _helm_labels("cloudnative-pg", "cnpg")
    for kind, path, name in (
        ("ValidatingWebhookConfiguration", "/validate-postgresql-cnpg-io-v1-cluster", "vcluster.cnpg.io"),
        ("MutatingWebhookConfiguration", "/mutate-postgresql-cnpg-io-v1-cluster", "mcluster.cnpg.io"),
    ):
        hook = _webhook(name, cnpg, path, clusters, ["CREATE", "UPDATE"], side_effects="None")
        configuration = f"cnpg-{'validating' if kind.startswith('V') else 'mutating'}-webhook-configuration"
        _configuration(context, kind, configuration, [hook], age - HOUR, labels)
    secrets = ("external-secrets", "external-secrets-webhook")
    stores = [
        {
            "apiGroups": ["external-secrets.io"],
            "apiVersions": ["v1"],
            "resources": ["secretstores", "clustersecretstores"],
        }
    ]
    externals = [{"apiGroups": ["external-secrets.io"], "apiVersions": ["v1"], "resources": ["externalsecrets"]}]
    labels = _helm_labels("external-secrets-webhook", "external-secrets")
    for name, rules, path in (
        ("secretstore-validate", stores, "/validate-external-secrets-io-v1-secretstore"),
        ("externalsecret-validate", externals, "/validate-external-secrets-io-v1-externalsecret"),
    ):
        hook = _webhook(
            f"validate.{name.split('-')[0]}.external-secrets.io",
            secrets,
            path,
            rules,
            ["CREATE", "UPDATE"],
            side_effects="None",
        )
        _configuration(context, "ValidatingWebhookConfiguration", name, [hook], age - 2 * HOUR, labels)


def _generated_policy(context: WorldContext, age: float) -> None:
    """`cpol-disallow-host-namespaces`: what Kyverno 1.15 generates for a ClusterPolicy it can turn into CEL."""
    policy = "disallow-host-namespaces"
    labels = {"app.kubernetes.io/managed-by": "kyverno"}
    owner = owner_reference("kyverno.io/v1", "ClusterPolicy", policy, controller=False)
    pods = [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]
    context.add(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {
                "name": f"cpol-{policy}",
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "ownerReferences": [owner],
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {
                "failurePolicy": "Fail",
                "matchConstraints": {
                    "matchPolicy": "Equivalent",
                    "namespaceSelector": {},
                    "objectSelector": {},
                    "resourceRules": pods,
                },
                "validations": [
                    {
                        "expression": "( object.spec.?hostNetwork.orValue(false) == false) && "
                        "( object.spec.?hostIPC.orValue(false) == false) && "
                        "( object.spec.?hostPID.orValue(false) == false)",
                        "message": "Sharing the host namespaces is disallowed. The fields spec.hostNetwork, "
                        "spec.hostIPC, and spec.hostPID must be unset or set to `false`.",
                    }
                ],
            },
            "status": {"observedGeneration": 1, "typeChecking": {}},
        }
    )
    context.add(
        {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {
                "name": f"cpol-{policy}-binding",
                "labels": dict(labels),
                "annotations": {},
                "generation": 1,
                "ownerReferences": [owner],
                "creationTimestamp": context.timestamp(age),
            },
            "spec": {"policyName": f"cpol-{policy}", "validationActions": ["Audit", "Warn"], "matchResources": {}},
        }
    )


def admission(context: WorldContext) -> None:
    """Add the webhook configurations and the generated admission policy (after the ClusterPolicies)."""
    _kyverno(context, CLUSTER_AGE - 3 * HOUR)
    _chart_webhooks(context, CLUSTER_AGE - 2 * HOUR)
    _generated_policy(context, CLUSTER_AGE - 5 * HOUR - 600)
