"""The README's "Deploy to a cluster" commands, run as written against the sandbox (the overlay beside a
checkout named sovereign-console, the Secrets, `kubectl apply -k`)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from deploy_manifests import KUBECTL, ROOT, kubectl
from sovereign_sandbox.apiserver.server import Sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.kubectl]


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Deploy to a cluster", 1)[1].split("\n## ", 1)[0]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), re.S)


def test_the_readme_commands_deploy_the_console(sandbox: Sandbox, tmp_path: Path) -> None:
    kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig", token=sandbox.admin_token)
    (overlay_text,) = _blocks("yaml")
    (tmp_path / "sovereign-console").symlink_to(ROOT)
    (tmp_path / "my-console").mkdir()
    (tmp_path / "my-console" / "kustomization.yaml").write_text(overlay_text)
    render, install = _blocks("sh")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "PATH": f"{KUBECTL.parent}{os.pathsep}{os.environ['PATH']}"}

    def run(command: str) -> subprocess.CompletedProcess[str]:
        command = command.replace("deploy/base", str(ROOT / "deploy" / "base"))
        return subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )

    assert "kind: Deployment" in run(render).stdout
    for command in install.replace("\\\n", " ").splitlines():
        if not command.strip():
            continue
        result = run(command)
        if command.startswith("kubectl create namespace"):  # the sandbox's Sovereign has it already
            assert result.returncode == 0 or "AlreadyExists" in result.stderr, result.stderr
            continue
        assert result.returncode == 0, f"{command}: {result.stderr}"
    deployment = kubectl(
        "get", "deployment", "sovereign-console", "-n", "catalyst-system", "-o", "json", kubeconfig=kubeconfig
    ).stdout
    assert "https://keycloak.example.org/realms/sovereign" not in deployment  # settings come from the ConfigMap
    settings = kubectl(
        "get", "configmap", "-n", "catalyst-system", "-l", "app.kubernetes.io/name=sovereign-console",
        "-o", "jsonpath={.items[*].data.OIDC_ISSUER}", kubeconfig=kubeconfig,
    ).stdout  # fmt: skip
    assert settings == "https://keycloak.example.org/realms/sovereign"
    env_names = kubectl(
        "get", "deployment", "sovereign-console", "-n", "catalyst-system",
        "-o", "jsonpath={.spec.template.spec.containers[0].env[*].name}", kubeconfig=kubeconfig,
    ).stdout.split()  # fmt: skip
    assert {
        "OIDC_CLIENT_SECRET_FILE",
        "CONSOLE_SESSION_SECRET_FILE",
        "REFLEX_REDIS_URL",
        "CONSOLE_DATABASE_URL",
    } <= set(env_names)
    scale = run("kubectl -n catalyst-system scale deployment sovereign-console --replicas 4")
    assert scale.returncode == 0, scale.stderr
    assert "scale deployment sovereign-console --replicas 4" in _section()
