"""deploy/ against the sandbox: every manifest passes a server-side dry-run apply, the console's RBAC works as
its service account, and the workload passes the Sovereign policy library as the sandbox evaluates it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from deploy_manifests import BASE, COMPONENTS, DEPLOY, kubectl, overlay, parse, render
from sovereign_sandbox.apiserver.server import Sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.kubectl]

HARBOR_IMAGE = "harbor.omantel.openova.cloud/openova/sovereign-console"  # the Sovereign's Harbor proxy


@pytest.fixture(scope="module")
def admin(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sandbox.write_kubeconfig(tmp_path_factory.mktemp("admin") / "kubeconfig", token=sandbox.admin_token)


@pytest.fixture(scope="module")
def as_console(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """system:serviceaccount:catalyst-system:sovereign-console, as the Deployment runs."""
    return sandbox.write_kubeconfig(tmp_path_factory.mktemp("console") / "kubeconfig", token=sandbox.console_token)


def _dry_run(rendered: str, kubeconfig: Path) -> list[str]:
    result = kubectl(
        "apply", "--server-side", "--force-conflicts", "--field-manager", "deploy-test", "--dry-run=server",
        "-f", "-", stdin=rendered, kubeconfig=kubeconfig,
    )  # fmt: skip
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize("components", [(), *((name,) for name in COMPONENTS), COMPONENTS], ids=str)
def test_every_manifest_passes_a_server_side_dry_run(admin: Path, tmp_path: Path, components: tuple[str, ...]) -> None:
    rendered = render(overlay(tmp_path / "overlay", components) if components else BASE)
    applied = _dry_run(rendered, admin)
    assert len(applied) == len(parse(rendered))
    assert all(line.endswith("serverside-applied (server dry run)") for line in applied), applied


def test_the_blueprint_passes_a_server_side_dry_run(admin: Path) -> None:
    applied = _dry_run((DEPLOY / "blueprint.yaml").read_text(), admin)
    assert applied == ["blueprint.catalyst.openova.io/bp-sovereign-console serverside-applied (server dry run)"]


def _can(kubeconfig: Path, *question: str) -> bool:
    result = kubectl("auth", "can-i", *question, kubeconfig=kubeconfig, check=False)
    assert result.stdout.strip() in ("yes", "no"), result.stderr
    return result.stdout.strip() == "yes"


def test_the_console_service_account_can_do_what_it_needs_and_no_more(
    admin: Path, as_console: Path, tmp_path: Path
) -> None:
    # Install the rendered RBAC for real, replacing the sandbox's broader seeded grant of the console.
    rbac = [
        doc for doc in parse(render(BASE))
        if doc["kind"] in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
    ]  # fmt: skip
    kubectl(
        "apply", "--server-side", "--force-conflicts", "--field-manager", "deploy-test", "-f", "-",
        stdin="\n---\n".join(json.dumps(doc) for doc in rbac), kubeconfig=admin,
    )  # fmt: skip
    yes = [
        ("list", "pods", "--all-namespaces"),
        ("watch", "secrets", "--all-namespaces"),
        ("list", "customresourcedefinitions.apiextensions.k8s.io"),
        ("watch", "policyreports.wgpolicyk8s.io", "--all-namespaces"),
        ("list", "clusterpolicies.kyverno.io"),
        ("watch", "useraccesses.access.openova.io", "--all-namespaces"),
        ("impersonate", "users/oidc:someone"),
        ("impersonate", "groups/oidc:/acme/admins"),
        ("create", "subjectaccessreviews.authorization.k8s.io"),
        ("create", "rolebindings", "-n", "acme-prod"),
        ("delete", "clusterrolebindings"),
        ("bind", "clusterroles/openova:tier-owner"),
        ("patch", "useraccesses.access.openova.io", "-n", "catalyst-system"),
        ("update", "useraccesses.access.openova.io/status", "-n", "catalyst-system"),
        ("update", "useraccesses.access.openova.io/finalizers", "-n", "catalyst-system"),
        ("create", "leases.coordination.k8s.io", "-n", "catalyst-system"),
    ]
    no = [
        ("create", "deployments", "-n", "acme-prod"),
        ("delete", "pods", "-n", "acme-prod"),
        ("patch", "secrets", "-n", "catalyst-system"),
        ("create", "pods/exec", "-n", "acme-prod"),
        ("bind", "clusterroles/cluster-admin"),
        ("escalate", "clusterroles"),
        ("patch", "useraccesses.access.openova.io", "-n", "acme-prod"),
        ("create", "leases.coordination.k8s.io", "-n", "kube-system"),
        ("impersonate", "serviceaccounts/default"),
        ("create", "clusterroles"),
    ]
    assert [q for q in yes if not _can(as_console, *q)] == []
    assert [q for q in no if _can(as_console, *q)] == []
    # The reconciler's real write: a tier binding goes through the API server's escalation check; cluster-admin
    # does not.
    name = f"deploy-test-{uuid.uuid4().hex[:6]}"
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": "catalyst-system"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "openova:tier-developer"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:deploy-test"}],
    }
    kubectl("create", "-f", "-", stdin=json.dumps(binding), kubeconfig=as_console)
    kubectl("delete", "rolebinding", "-n", "catalyst-system", name, kubeconfig=as_console)
    binding["roleRef"]["name"] = "cluster-admin"
    refused = kubectl("create", "-f", "-", stdin=json.dumps(binding), kubeconfig=as_console, check=False)
    assert refused.returncode != 0 and "forbidden" in refused.stderr.lower()


def _reports(kubeconfig: Path, namespace: str, objects: list[tuple[str, str]]) -> dict[str, list[dict]]:
    """The PolicyReport the sandbox's Kyverno writes for each (kind, name), named by the object's uid."""
    found = {}
    for kind, name in objects:
        uid = kubectl("get", kind, name, "-n", namespace, "-o", "jsonpath={.metadata.uid}", kubeconfig=kubeconfig)
        report = f"policyreports.wgpolicyk8s.io/{uid.stdout}"
        kubectl("wait", "--for=create", report, "-n", namespace, "--timeout=30s", kubeconfig=kubeconfig)
        kubectl(
            "wait", f"--for=jsonpath={{.scope.uid}}={uid.stdout}", report, "-n", namespace, "--timeout=30s",
            kubeconfig=kubeconfig,
        )  # fmt: skip
        got = json.loads(kubectl("get", report, "-n", namespace, "-o", "json", kubeconfig=kubeconfig).stdout)
        found[f"{kind}/{name}"] = got["results"]
    return found


def test_the_workload_passes_the_policy_library_as_the_sandbox_evaluates_it(admin: Path, tmp_path: Path) -> None:
    """Rendered as a Sovereign installs it (the Blueprint through Flux: the sovereign component, the image via
    the Harbor proxy, Flux's ownership labels), in a scratch namespace, scanned by the sandbox's Kyverno."""
    namespace = f"deploy-scan-{uuid.uuid4().hex[:6]}"
    flux_labels = {
        "kustomize.toolkit.fluxcd.io/name": "sovereign-console",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    rendered = render(
        overlay(
            tmp_path / "sovereign",
            ("sovereign",),
            namespace=namespace,
            extra={
                "images": [{"name": "ghcr.io/openova-io/sovereign-console", "newName": HARBOR_IMAGE}],
                "labels": [{"pairs": flux_labels}],
            },
        )
    )
    namespaced = [doc for doc in parse(rendered) if doc["metadata"].get("namespace") == namespace]
    assert {doc["kind"] for doc in namespaced} >= {
        "Deployment",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "CiliumNetworkPolicy",
    }
    kubectl("create", "namespace", namespace, kubeconfig=admin)
    try:
        kubectl(
            "create", "secret", "generic", "sovereign-console-oidc", "-n", namespace,
            "--from-literal=OIDC_CLIENT_SECRET=s3cret", "--from-literal=CONSOLE_SESSION_SECRET=k3y", kubeconfig=admin,
        )  # fmt: skip
        kubectl(
            "apply", "--server-side", "--field-manager", "deploy-test", "-f", "-",
            stdin="\n---\n".join(json.dumps(doc) for doc in namespaced), kubeconfig=admin,
        )  # fmt: skip
        kubectl(
            "wait", "--for=jsonpath={.status.replicas}=2", "deployment/sovereign-console", "-n", namespace,
            "--timeout=30s", kubeconfig=admin,
        )  # fmt: skip
        pods = kubectl(
            "get", "pods", "-n", namespace, "-l", "app.kubernetes.io/name=sovereign-console",
            "-o", "jsonpath={.items[*].metadata.name}", kubeconfig=admin,
        ).stdout.split()  # fmt: skip
        assert len(pods) == 2
        reports = _reports(admin, namespace, [("deployment", "sovereign-console"), *(("pod", pod) for pod in pods)])
    finally:
        kubectl("delete", "namespace", namespace, "--wait=false", kubeconfig=admin)

    verdicts = {
        (resource, result["policy"]): result["result"] for resource, results in reports.items() for result in results
    }
    failing = {key: verdict for key, verdict in verdicts.items() if verdict != "pass"}
    assert failing == {}  # secrets are mounted files (OIDC_CLIENT_SECRET_FILE, CONSOLE_SESSION_SECRET_FILE)
    deployment = {policy for (resource, policy), _ in verdicts.items() if resource.startswith("deployment/")}
    assert deployment >= {
        "multi-replica-drainability", "pdb-permits-eviction", "topology-spread", "probes-present",
        "resource-requests", "resource-limits", "cilium-l7-mtls", "flux-managed", "harbor-proxy-pull",
        "image-tag-pinned", "prometheus-scrape", "networkpolicy-present", "otel-injected",
        "runasnonroot-readonlyrootfs", "cosign-verified",
    }  # fmt: skip
    for pod in pods:
        assert {policy for (resource, policy) in verdicts if resource == f"pod/{pod}"} >= {
            "disallow-host-namespaces", "disallow-privileged-containers", "require-run-as-nonroot",
        }  # fmt: skip
