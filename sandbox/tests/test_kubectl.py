"""The real kubectl 1.37 against the sandbox over HTTPS with the generated kubeconfig."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import pytest
from kubernetes import client

pytestmark = [pytest.mark.sandbox, pytest.mark.kubectl]


class _Lines:
    """A process's stdout lines, read by one thread, awaited with a deadline (no sleeps)."""

    def __init__(self, process):
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._lines.put(line) for line in process.stdout], daemon=True).start()

    def until(self, wanted: str, deadline_seconds: float = 15) -> list[str]:
        seen = []
        deadline = time.monotonic() + deadline_seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            seen.append(line)
            if wanted in line:
                return seen
        raise AssertionError(f"{wanted!r} not seen in {seen}")


def test_get_namespaces_and_create(kubectl) -> None:
    name = f"kc-{uuid.uuid4().hex[:6]}"
    assert kubectl.run("create", "namespace", name).stdout.strip() == f"namespace/{name} created"
    output = kubectl.run("get", "ns").stdout.splitlines()
    assert output[0].split() == ["NAME", "STATUS", "AGE"]
    assert any(line.split()[:2] == [name, "Active"] for line in output)
    assert kubectl.run("delete", "ns", name).stdout.strip() == f'namespace "{name}" deleted'


def test_selectors_chunking_and_all_namespaces(kubectl, core: client.CoreV1Api, namespace: str) -> None:
    for index in range(3):
        core.create_namespaced_config_map(
            namespace,
            client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name=f"cm-{index}", labels={"pick": "yes" if index else "no"})
            ),
        )
    rows = kubectl.run("get", "configmaps", "-A", "-l", "pick=yes").stdout.splitlines()
    assert rows[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert [row.split()[:2] for row in rows[1:]] == [[namespace, "cm-1"], [namespace, "cm-2"]]
    one = kubectl.run("get", "cm", "-n", namespace, "--field-selector", "metadata.name=cm-0", "-o", "name")
    assert one.stdout.split() == ["configmap/cm-0"]
    chunked = kubectl.run("get", "cm", "-n", namespace, "--chunk-size=2", "-o", "name").stdout.split()
    assert chunked == ["configmap/cm-0", "configmap/cm-1", "configmap/cm-2"]
    bad = kubectl.run("get", "pods", "-n", namespace, "--field-selector", "spec.bogus=1", check=False)
    assert bad.returncode == 1 and "field label not supported: spec.bogus" in bad.stderr


def test_get_pods_all_namespaces_with_label(kubectl, core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_pod(
        namespace,
        client.V1Pod(
            metadata=client.V1ObjectMeta(name="web-0", labels={"suite": namespace}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="app", image="nginx")]),
        ),
    )
    rows = kubectl.run("get", "pods", "-A", "-l", f"suite={namespace}", "-o", "wide").stdout.splitlines()
    assert rows[0].split()[:6] == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows[1].split()[:3] == [namespace, "web-0", "0/1"]


def test_get_watch_sees_a_created_object(kubectl, core: client.CoreV1Api, namespace: str) -> None:
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="first")))
    process = kubectl.popen("get", "configmaps", "-n", namespace, "-w")
    try:
        lines = _Lines(process)
        lines.until("first")
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="second")))
        assert lines.until("second")[-1].split()[0] == "second"
    finally:
        process.kill()
        process.wait()


def test_apply_patch_replace_delete(kubectl, namespace: str, tmp_path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: {namespace}\ndata:\n  mode: one\n"
    )
    assert kubectl.run("apply", "-f", str(manifest)).stdout.strip() == "configmap/app created"
    manifest.write_text(manifest.read_text().replace("mode: one", "mode: two"))
    assert kubectl.run("apply", "-f", str(manifest)).stdout.strip() == "configmap/app configured"
    kubectl.run("patch", "cm", "app", "-n", namespace, "--type=merge", "-p", '{"data":{"extra":"1"}}')
    kubectl.run(
        "patch",
        "cm",
        "app",
        "-n",
        namespace,
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/data/mode","value":"three"}]',
    )
    live = json.loads(kubectl.run("get", "cm", "app", "-n", namespace, "-o", "json").stdout)
    assert live["data"] == {"mode": "three", "extra": "1"}
    stale = dict(live, data={"mode": "stale"})
    stale["metadata"] = dict(live["metadata"], resourceVersion=str(int(live["metadata"]["resourceVersion"]) - 1))
    replaced = kubectl.run("replace", "-f", "-", stdin=json.dumps(stale), check=False)
    assert replaced.returncode == 1
    assert "the object has been modified; please apply your changes to the latest version" in replaced.stderr
    assert kubectl.run("replace", "-f", "-", stdin=json.dumps(dict(live, data={"mode": "four"}))).returncode == 0
    assert kubectl.run("delete", "cm", "app", "-n", namespace).returncode == 0
    gone = kubectl.run("get", "cm", "app", "-n", namespace, check=False)
    assert 'configmaps "app" not found' in gone.stderr


def test_server_dry_run(kubectl, core: client.CoreV1Api, namespace: str) -> None:
    result = kubectl.run("create", "configmap", "dry", "-n", namespace, "--from-literal=a=b", "--dry-run=server")
    assert "(server dry run)" in result.stdout
    assert core.list_namespaced_config_map(namespace).items == []


def test_crd_then_custom_resource(kubectl, namespace: str, widgets_crd: dict) -> None:
    kubectl.run("apply", "-f", "-", stdin=json.dumps(widgets_crd))
    established = kubectl.run(
        "get", "crd", "widgets.example.com", "-o", 'jsonpath={.status.conditions[?(@.type=="Established")].status}'
    )
    assert established.stdout == "True"
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w1", "namespace": namespace},
        "spec": {"size": 7},
    }
    assert kubectl.run("apply", "-f", "-", stdin=json.dumps(widget)).stdout.strip() == "widget.example.com/w1 created"
    rows = kubectl.run("get", "wd", "-n", namespace).stdout.splitlines()
    assert rows[0].split() == ["NAME", "SIZE", "READY", "AGE"]
    assert rows[1].split()[:2] == ["w1", "7"] and len(rows[1].split()) == 3  # no status yet: READY is blank
    kubectl.run("delete", "crd", "widgets.example.com")
    gone = kubectl.run("get", "widgets", "-n", namespace, check=False)
    assert gone.returncode == 1
