"""Fixtures: one sandbox per session, a Python client on it, and a kubectl runner with its own cache."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from kubectl_runner import Kubectl
from kubernetes import client, config
from sovereign_sandbox.apiserver.server import Sandbox


@pytest.fixture
def widgets_crd() -> dict:
    """A namespaced CRD with a status subresource and printer columns (one with a condition filter)."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
                        {
                            "name": "Ready",
                            "type": "string",
                            "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
                        },
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                }
            ],
        },
    }


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(host="127.0.0.1", kube_port=0, seed=1) as running:
        yield running


@pytest.fixture(scope="session")
def api_client(sandbox: Sandbox) -> Iterator[client.ApiClient]:
    """The official client configured from the sandbox kubeconfig (HTTPS, CA, admin token)."""
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(sandbox.kubeconfig_path), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture
def core(api_client: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api_client)


@pytest.fixture
def namespace(core: client.CoreV1Api) -> Iterator[str]:
    """A fresh namespace for one test, deleted afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


@pytest.fixture(scope="session")
def admin_https(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """HTTPS to the sandbox as its admin (system:masters), who may also impersonate anyone."""
    with httpx.Client(
        base_url=sandbox.https_url,
        verify=str(sandbox.ca_path),
        headers={"Authorization": f"Bearer {sandbox.admin_token}"},
    ) as client:
        yield client


@pytest.fixture
def cluster_scoped(kubectl: Kubectl) -> Iterator[list[str]]:
    """`kind/name` of the cluster-scoped objects a test creates (it appends them), deleted afterwards."""
    created: list[str] = []
    yield created
    if created:
        kubectl.run("delete", *created, "--ignore-not-found", check=False)


@pytest.fixture
def kubectl(sandbox: Sandbox, tmp_path: Path) -> Kubectl:
    return Kubectl(sandbox.kubeconfig_path, tmp_path / "kube-cache")


@pytest.fixture(scope="session")
def persona_kubeconfigs(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A kubeconfig per seeded person (owner, admin, sre, …, newcomer), authenticating with their token."""
    directory = tmp_path_factory.mktemp("personas")
    return {
        name: sandbox.write_kubeconfig(directory / name, token=token) for name, token in sandbox.persona_tokens.items()
    }


@pytest.fixture
def pod_where(sandbox: Sandbox):
    """Finds a pod by a predicate over its raw stored object, waiting up to 15 s for the simulation to
    produce one; returns (namespace, name, pod)."""

    def find(predicate) -> tuple[str, str, dict]:
        pods_type = sandbox.cluster.catalogue.get("", "v1", "pods")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            pods = sandbox.call(lambda: [copy.deepcopy(pod) for pod in sandbox.cluster.store.list(pods_type).items])
            for pod in pods:
                if predicate(pod):
                    return pod["metadata"]["namespace"], pod["metadata"]["name"], pod
            time.sleep(0.2)
        raise AssertionError("no pod matches")

    return find
