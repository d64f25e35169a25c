"""The built-in APIs a real kube-apiserver serves, served by the sandbox: discovery entries equal to a real
cluster's, the Table columns `kubectl get` prints for them, the seeded objects behind them, the HPA
autoscaling/v1 view, CSR approval and the create-only review kinds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kubectl_runner import Kubectl

# A real cluster's discovery documents (from the product spec's sample data), kept beside the tests.
_REAL_DISCOVERY = Path(__file__).parent / "data" / "discovery-apiresourcelists.kmock.json"
# What the real cluster of the dump serves that the sandbox leaves out: proxies, the legacy binding and
# component status kinds, the ServiceCIDR/IPAddress allocator, and what CRDs or extensions serve there.
_NOT_SERVED = {
    ("v1", "bindings"),
    ("v1", "componentstatuses"),
    ("v1", "pods/proxy"),
    ("v1", "services/proxy"),
    ("networking.k8s.io/v1", "ipaddresses"),
    ("networking.k8s.io/v1", "servicecidrs"),
    ("networking.k8s.io/v1", "servicecidrs/status"),
}
_EXTENSION_GROUPS = ("gateway.networking.k8s.io/", "metrics.k8s.io/")


def _real_lists() -> list[dict[str, Any]]:
    return json.loads(_REAL_DISCOVERY.read_text())["lists"]


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "singularName", "namespaced", "kind", "shortNames", "categories")
    entry = {key: resource.get(key) for key in keys}
    entry["verbs"] = sorted(resource["verbs"])
    return entry


@pytest.mark.parametrize(
    "group_version",
    [item["groupVersion"] for item in _real_lists() if not item["groupVersion"].startswith(_EXTENSION_GROUPS)],
)
def test_discovery_matches_a_real_cluster(kubectl: Kubectl, group_version: str) -> None:
    real = next(item for item in _real_lists() if item["groupVersion"] == group_version)
    path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    served = {item["name"]: _entry(item) for item in json.loads(kubectl.run("get", "--raw", path).stdout)["resources"]}
    for resource in real["resources"]:
        if (group_version, resource["name"]) in _NOT_SERVED:
            continue
        assert served.get(resource["name"]) == _entry(resource), resource["name"]


def _header(kubectl: Kubectl, *args: str) -> list[str]:
    lines = kubectl.run("get", *args).stdout.splitlines()
    return lines[0].split()


# `kubectl get <resource>` column headers, as kubectl prints them against a real 1.37 server.
HEADERS = {
    "hpa": "NAMESPACE NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE",
    "quota": "NAMESPACE NAME REQUEST LIMIT AGE",
    "limitranges": "NAMESPACE NAME CREATED AT",
    "priorityclasses": "NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY",
    "controllerrevisions": "NAMESPACE NAME CONTROLLER REVISION AGE",
    "csr": "NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION",
    "apiservices": "NAME SERVICE AVAILABLE AGE",
    "runtimeclasses": "NAME HANDLER AGE",
    "csidrivers": "NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE",
    "csinodes": "NAME DRIVERS AGE",
    "volumeattachments": "NAME ATTACHER PV NODE ATTACHED AGE",
    "flowschemas": "NAME PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL",
    "prioritylevelconfigurations": "NAME TYPE NOMINALCONCURRENCYSHARES QUEUES HANDSIZE QUEUELENGTHLIMIT AGE",
    "validatingwebhookconfigurations": "NAME WEBHOOKS AGE",
    "mutatingwebhookconfigurations": "NAME WEBHOOKS AGE",
    "validatingadmissionpolicies": "NAME VALIDATIONS PARAMKIND AGE",
    "validatingadmissionpolicybindings": "NAME POLICYNAME PARAMREF AGE",
}


@pytest.mark.parametrize("resource,header", HEADERS.items())
def test_kubectl_get_prints_the_real_columns_for_seeded_objects(kubectl: Kubectl, resource: str, header: str) -> None:
    result = kubectl.run("get", resource, "-A")
    lines = result.stdout.splitlines()
    assert lines[0].split() == header.split()
    assert len(lines) > 1, f"nothing of {resource} is seeded"


def test_empty_kinds_are_served_with_their_columns(kubectl: Kubectl) -> None:
    """What a modern cluster has none of: served, listed empty."""
    for resource in ("replicationcontrollers", "podtemplates", "csistoragecapacities"):
        result = kubectl.run("get", resource, "-A")
        assert result.stderr.strip() == "No resources found"


def test_seeded_control_plane_objects_are_the_real_built_ins(kubectl: Kubectl) -> None:
    classes = {
        line.split()[0]: line.split()[1] for line in kubectl.run("get", "pc", "--no-headers").stdout.splitlines()
    }
    assert classes["system-node-critical"] == "2000001000"
    assert classes["system-cluster-critical"] == "2000000000"
    schemas = kubectl.run("get", "flowschemas", "--no-headers").stdout.splitlines()
    assert [line.split()[0] for line in schemas][:2] == ["exempt", "probes"]  # listed by matching precedence
    assert schemas[-1].split()[:3] == ["catch-all", "catch-all", "10000"]
    metrics = kubectl.run("get", "apiservice", "v1beta1.metrics.k8s.io", "--no-headers").stdout.split()
    assert metrics[:3] == ["v1beta1.metrics.k8s.io", "kube-system/metrics-server", "True"]
    local = kubectl.run("get", "apiservice", "v1.apps", "--no-headers").stdout.split()
    assert local[:3] == ["v1.apps", "Local", "True"]
    driver = json.loads(kubectl.run("get", "csidriver", "csi.hetzner.cloud", "-o", "json").stdout)
    classes_provisioners = kubectl.run("get", "sc", "-o", "jsonpath={.items[*].provisioner}").stdout.split()
    assert driver["metadata"]["name"] in classes_provisioners
    kyverno = kubectl.run(
        "get", "validatingwebhookconfiguration", "kyverno-resource-validating-webhook-cfg", "-o", "json"
    )
    webhooks = json.loads(kyverno.stdout)["webhooks"]
    assert {hook["clientConfig"]["service"]["name"] for hook in webhooks} == {"kyverno-admission-controller"}
    kubectl.run("get", "service", "kyverno-admission-controller", "-n", "kyverno")  # the service the webhooks call


def test_controller_revisions_belong_to_the_seeded_sets(kubectl: Kubectl) -> None:
    revisions = json.loads(kubectl.run("get", "controllerrevisions", "-A", "-o", "json").stdout)["items"]
    sets = json.loads(kubectl.run("get", "daemonsets,statefulsets", "-A", "-o", "json").stdout)["items"]
    owners = {(item["metadata"]["namespace"], item["metadata"]["uid"]) for item in sets}
    assert len(revisions) >= len(sets)
    for revision in revisions:
        reference = revision["metadata"]["ownerReferences"][0]
        assert (revision["metadata"]["namespace"], reference["uid"]) in owners
        assert revision["data"]["spec"]["template"]["$patch"] == "replace"


def test_quota_usage_counts_the_namespace_pods(kubectl: Kubectl) -> None:
    quota = json.loads(kubectl.run("get", "quota", "tenant-quota", "-n", "acme-prod-storefront", "-o", "json").stdout)
    pods = json.loads(kubectl.run("get", "pods", "-n", "acme-prod-storefront", "-o", "json").stdout)["items"]
    running = [pod for pod in pods if pod["status"]["phase"] not in ("Succeeded", "Failed")]
    assert quota["status"]["used"]["pods"] == str(len(running))
    assert quota["spec"]["hard"] == quota["status"]["hard"]


def test_autoscaler_served_at_v2_and_v1(kubectl: Kubectl) -> None:
    v2 = json.loads(kubectl.run("get", "hpa", "mobile-api", "-n", "bankdhofar-prod-mobile-api", "-o", "json").stdout)
    v1 = json.loads(
        kubectl.run(
            "get",
            "horizontalpodautoscalers.v1.autoscaling",
            "mobile-api",
            "-n",
            "bankdhofar-prod-mobile-api",
            "-o",
            "json",
        ).stdout
    )
    assert v2["apiVersion"] == "autoscaling/v2" and v1["apiVersion"] == "autoscaling/v1"
    target = v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
    current = v2["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"]
    assert v1["spec"]["targetCPUUtilizationPercentage"] == target
    assert v1["status"]["currentCPUUtilizationPercentage"] == current
    assert v1["spec"]["scaleTargetRef"] == v2["spec"]["scaleTargetRef"]
    assert v1["metadata"]["uid"] == v2["metadata"]["uid"]


def test_certificate_approve(kubectl: Kubectl) -> None:
    name = "pb-approval-check"
    request = json.loads(kubectl.run("get", "csr", "sre-breakglass", "-o", "json").stdout)
    manifest = {
        "apiVersion": "certificates.k8s.io/v1",
        "kind": "CertificateSigningRequest",
        "metadata": {"name": name},
        "spec": {key: request["spec"][key] for key in ("request", "signerName", "usages", "expirationSeconds")},
    }
    kubectl.run("create", "-f", "-", stdin=json.dumps(manifest))
    try:
        assert (
            kubectl.run("certificate", "approve", name).stdout.strip()
            == f"certificatesigningrequest.certificates.k8s.io/{name} approved"
        )
        row = kubectl.run("get", "csr", name, "--no-headers").stdout.split()
        assert row[-1] == "Approved"
    finally:
        kubectl.run("delete", "csr", name)


def test_local_subject_access_review_answers_for_its_namespace(kubectl: Kubectl) -> None:
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "LocalSubjectAccessReview",
        "metadata": {"namespace": "acme-prod-wordpress"},
        "spec": {
            "user": "sandbox-admin",
            "groups": ["system:masters"],
            "resourceAttributes": {"verb": "delete", "resource": "pods"},
        },
    }
    answer = json.loads(kubectl.run("create", "-f", "-", "-o", "json", stdin=json.dumps(review)).stdout)
    assert answer["status"]["allowed"] is True
    assert answer["spec"]["resourceAttributes"]["namespace"] == "acme-prod-wordpress"
    review["spec"]["resourceAttributes"]["namespace"] = "kube-system"
    mismatch = kubectl.run("create", "-f", "-", stdin=json.dumps(review), check=False)
    assert "spec.resourceAttributes.namespace must match namespace: acme-prod-wordpress" in mismatch.stderr


def test_token_review_tells_who_a_token_is(kubectl: Kubectl) -> None:
    token = kubectl.run("create", "token", "default", "-n", "default").stdout.strip()
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}}
    answer = json.loads(kubectl.run("create", "-f", "-", "-o", "json", stdin=json.dumps(review)).stdout)
    assert answer["status"]["authenticated"] is True
    assert answer["status"]["user"]["username"] == "system:serviceaccount:default:default"
    review["spec"]["token"] = "not-a-token"
    refused = json.loads(kubectl.run("create", "-f", "-", "-o", "json", stdin=json.dumps(review)).stdout)
    assert refused["status"].get("authenticated") is not True
    assert refused["status"]["error"]
