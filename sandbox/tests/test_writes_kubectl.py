"""Writes with the real kubectl: client- and server-side apply, patch types, replace, delete cascades,
graceful pods, namespace deletion, server dry runs and the 422 text kubectl prints."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kubectl_runner import Kubectl
from sovereign_sandbox.apiserver.server import Sandbox


@pytest.fixture(scope="module")
def quiet() -> Iterator[Sandbox]:
    """A sandbox of its own with no simulation, so no controller touches the objects these tests own."""
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1, pods=0, simulate=False) as running:
        yield running


@pytest.fixture
def kc(quiet: Sandbox, tmp_path: Path) -> Kubectl:
    return Kubectl(quiet.kubeconfig_path, tmp_path / "kube-cache")


@pytest.fixture
def ns(kc: Kubectl) -> str:
    name = f"k-{uuid.uuid4().hex[:8]}"
    kc.run("create", "namespace", name)
    return name


def _deployment(name: str, namespace: str, *, replicas: int = 2, image: str = "nginx:1", env: str = "A") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: web
        image: {image}
        env:
        - {{name: {env}, value: "1"}}
      - name: side
        image: busybox
"""


def _get(kc: Kubectl, *args: str) -> dict:
    return json.loads(kc.run("get", *args, "-o", "json").stdout)


def _wait(condition: Callable[[], bool], timeout: float = 6.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.05)


def test_client_side_apply_create_then_configure(kc: Kubectl, ns: str) -> None:
    created = kc.run("apply", "-f", "-", stdin=_deployment("web", ns))
    assert created.stdout.strip() == "deployment.apps/web created"
    live = _get(kc, "deploy", "web", "-n", ns, "--show-managed-fields")
    assert "kubectl.kubernetes.io/last-applied-configuration" in live["metadata"]["annotations"]
    assert live["metadata"]["managedFields"][0]["manager"] == "kubectl-client-side-apply"
    # Change the image, rename the env var (the old one must go) and scale: a strategic merge patch.
    configured = kc.run("apply", "-f", "-", stdin=_deployment("web", ns, replicas=3, image="nginx:2", env="B"))
    assert configured.stdout.strip() == "deployment.apps/web configured"
    spec = _get(kc, "deploy", "web", "-n", ns)["spec"]
    web, side = spec["template"]["spec"]["containers"]
    assert (spec["replicas"], web["image"], web["env"], side["name"]) == (
        3,
        "nginx:2",
        [{"name": "B", "value": "1"}],
        "side",
    )
    assert kc.run(
        "apply", "-f", "-", stdin=_deployment("web", ns, replicas=3, image="nginx:2", env="B")
    ).stdout.strip() == ("deployment.apps/web unchanged")


def test_server_side_apply_conflicts_and_force(kc: Kubectl, ns: str) -> None:
    applied = kc.run("apply", "--server-side", "-f", "-", stdin=_deployment("ssa", ns))
    assert applied.stdout.strip() == "deployment.apps/ssa serverside-applied"
    managers = {
        entry["manager"]: entry
        for entry in _get(kc, "deploy", "ssa", "-n", ns, "--show-managed-fields")["metadata"]["managedFields"]
    }
    assert managers["kubectl"]["operation"] == "Apply"
    conflicting = kc.run(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        stdin=_deployment("ssa", ns, replicas=5),
        check=False,
    )
    assert conflicting.returncode == 1
    assert 'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' in conflicting.stderr
    assert "--force-conflicts" in conflicting.stderr
    forced = kc.run(
        "apply",
        "--server-side",
        "--field-manager=other",
        "--force-conflicts",
        "-f",
        "-",
        stdin=_deployment("ssa", ns, replicas=5),
    )
    assert forced.stdout.strip() == "deployment.apps/ssa serverside-applied"
    assert _get(kc, "deploy", "ssa", "-n", ns)["spec"]["replicas"] == 5
    kc.run("patch", "deploy", "ssa", "-n", ns, "-p", '{"spec":{"replicas":1}}')
    patched = kc.run(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        stdin=_deployment("ssa", ns, replicas=5),
        check=False,
    )
    assert 'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas' in patched.stderr


def test_patch_types_and_stale_replace(kc: Kubectl, ns: str) -> None:
    kc.run("apply", "-f", "-", stdin=_deployment("p", ns))
    kc.run(
        "patch",
        "deploy",
        "p",
        "-n",
        ns,
        "--type=strategic",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:2"}]}}}}',
    )
    containers = _get(kc, "deploy", "p", "-n", ns)["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("web", "nginx:1"), ("side", "busybox:2")]
    kc.run(
        "patch", "deploy", "p", "-n", ns, "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]'
    )
    live = _get(kc, "deploy", "p", "-n", ns)
    assert live["spec"]["replicas"] == 4
    live["metadata"]["resourceVersion"] = str(int(live["metadata"]["resourceVersion"]) - 1)
    stale = kc.run("replace", "-f", "-", stdin=json.dumps(live), check=False)
    assert stale.returncode == 1
    assert 'Operation cannot be fulfilled on deployments.apps "p": the object has been modified' in stale.stderr


def _family(kc: Kubectl, ns: str, name: str) -> None:
    """A Deployment owning a ReplicaSet owning a scheduled Pod."""
    kc.run("create", "-f", "-", stdin=_deployment(name, ns))
    deployment = _get(kc, "deploy", name, "-n", ns)
    rs_manifest = json.loads(json.dumps(deployment))
    for key in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "annotations"):
        rs_manifest["metadata"].pop(key, None)
    rs_manifest.update(kind="ReplicaSet")
    rs_manifest.pop("status", None)
    rs_manifest["metadata"]["name"] = f"{name}-rs"
    rs_manifest["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
            "uid": deployment["metadata"]["uid"],
            "controller": True,
        }
    ]
    kc.run("create", "-f", "-", stdin=json.dumps(rs_manifest))
    rs_uid = _get(kc, "rs", f"{name}-rs", "-n", ns)["metadata"]["uid"]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{name}-pod",
            "namespace": ns,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{name}-rs", "uid": rs_uid}],
        },
        "spec": {"nodeName": "worker-1", "containers": [{"name": "web", "image": "nginx"}]},
    }
    kc.run("create", "-f", "-", stdin=json.dumps(pod))


def _names(kc: Kubectl, kind: str, ns: str) -> set[str]:
    return {item["metadata"]["name"] for item in _get(kc, kind, "-n", ns)["items"]}


def test_delete_cascades(kc: Kubectl, ns: str) -> None:
    for policy in ("orphan", "background", "foreground"):
        _family(kc, ns, policy)
    kc.run("delete", "deploy", "orphan", "-n", ns, "--cascade=orphan")
    assert "orphan-rs" in _names(kc, "rs", ns)
    assert "ownerReferences" not in _get(kc, "rs", "orphan-rs", "-n", ns)["metadata"]
    kc.run("delete", "deploy", "background", "-n", ns, "--cascade=background")
    assert "background-rs" not in _names(kc, "rs", ns)
    _wait(lambda: "background-pod" not in _names(kc, "pods", ns))
    started = time.monotonic()
    result = kc.run("delete", "deploy", "foreground", "-n", ns, "--cascade=foreground")
    assert result.stdout.startswith('deployment.apps "foreground" deleted')
    assert time.monotonic() - started < 10
    assert "foreground-rs" not in _names(kc, "rs", ns) and "foreground-pod" not in _names(kc, "pods", ns)
    assert {"orphan-rs", "orphan-pod"} <= _names(kc, "rs", ns) | _names(kc, "pods", ns)


def test_graceful_pod_and_namespace_deletion(kc: Kubectl, ns: str) -> None:
    pod = (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: {ns}\n"
        "spec:\n  nodeName: worker-1\n  containers:\n  - name: c\n    image: nginx\n"
    )
    kc.run("apply", "-f", "-", stdin=pod)
    kc.run("delete", "pod", "p", "-n", ns, "--wait=false")
    assert "Terminating" in kc.run("get", "pods", "-n", ns).stdout
    _wait(lambda: "p" not in _names(kc, "pods", ns))
    kc.run("apply", "-f", "-", stdin=pod)
    forced = kc.run("delete", "pod", "p", "-n", ns, "--grace-period=0", "--force")
    assert 'pod "p" force deleted' in forced.stdout
    assert "p" not in _names(kc, "pods", ns)
    kc.run("create", "configmap", "c", "-n", ns, "--from-literal=a=b")
    started = time.monotonic()
    assert kc.run("delete", "ns", ns).stdout.strip() == f'namespace "{ns}" deleted'
    assert time.monotonic() - started < 5
    assert kc.run("get", "ns", ns, check=False).returncode == 1


def test_server_dry_run_changes_nothing(kc: Kubectl, ns: str) -> None:
    created = kc.run("create", "-f", "-", "--dry-run=server", stdin=_deployment("dry", ns))
    assert "(server dry run)" in created.stdout
    assert "dry" not in _names(kc, "deploy", ns)
    applied = kc.run("apply", "--server-side", "--dry-run=server", "-f", "-", stdin=_deployment("dry", ns))
    assert "(server dry run)" in applied.stdout and "dry" not in _names(kc, "deploy", ns)
    kc.run("apply", "-f", "-", stdin=_deployment("dry", ns))
    version = _get(kc, "deploy", "dry", "-n", ns)["metadata"]["resourceVersion"]
    kc.run("patch", "deploy", "dry", "-n", ns, "--dry-run=server", "-p", '{"spec":{"replicas":9}}')
    kc.run("apply", "-f", "-", "--dry-run=server", stdin=_deployment("dry", ns, replicas=7))
    kc.run("delete", "deploy", "dry", "-n", ns, "--dry-run=server")
    live = _get(kc, "deploy", "dry", "-n", ns)
    assert (live["spec"]["replicas"], live["metadata"]["resourceVersion"]) == (2, version)


def test_invalid_objects_print_the_422_text(kc: Kubectl, ns: str) -> None:
    broken = _deployment("bad", ns).replace("matchLabels: {app: bad}", "matchLabels: {app: other}")
    result = kc.run("apply", "-f", "-", stdin=broken, check=False)
    assert result.returncode == 1
    assert 'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value:' in result.stderr
    kc.run("apply", "-f", "-", stdin=_deployment("good", ns))
    moved = kc.run(
        "patch",
        "deploy",
        "good",
        "-n",
        ns,
        "-p",
        '{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}',
        check=False,
    )
    assert 'The Deployment "good" is invalid: spec.selector: Invalid value:' in moved.stderr
    assert "field is immutable" in moved.stderr
    pod = kc.run("run", "x", "-n", ns, "--image=", check=False)
    assert pod.returncode != 0
