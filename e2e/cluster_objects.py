"""Objects the browser tests make in the sandbox "as someone else" (kubectl-like, with the admin kubeconfig)."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client as kube_client
from kubernetes import config as kube_config


def apps_api(kubeconfig: Path) -> kube_client.AppsV1Api:
    return kube_client.AppsV1Api(kube_config.new_client_from_config(config_file=str(kubeconfig)))


def core_api(kubeconfig: Path) -> kube_client.CoreV1Api:
    return kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(kubeconfig)))


def create_deployment(kubeconfig: Path, namespace: str, name: str, image: str = "nginx") -> None:
    """A one-replica Deployment labelled `app=<name>`."""
    labels = {"app": name}
    apps_api(kubeconfig).create_namespaced_deployment(
        namespace,
        {
            "metadata": {"name": name, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web", "image": image}]}},
            },
        },
    )
