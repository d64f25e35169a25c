"""Rendering deploy/ with the real kubectl (kustomize), and running kubectl against the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BASE = DEPLOY / "base"
COMPONENTS = ("redis", "postgresql", "sovereign")
KUBECTL = Path(sys.executable).parent / "kubectl"


def kubectl(*args: str, stdin: str | None = None, kubeconfig: Path | None = None, check: bool = True):
    command = [str(KUBECTL), *(["--kubeconfig", str(kubeconfig)] if kubeconfig else []), *args]
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def render(directory: Path) -> str:
    return kubectl("kustomize", str(directory)).stdout


def parse(rendered: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def overlay(
    directory: Path, components: tuple[str, ...] = (), *, namespace: str = "", extra: dict[str, Any] | None = None
) -> Path:
    """A kustomization in `directory` (outside the repository) on top of deploy/base with `components`."""
    directory.mkdir(parents=True, exist_ok=True)
    relative = lambda target: os.path.relpath(target, directory)  # noqa: E731 (kustomize wants relative paths)
    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [relative(BASE)],
        "components": [relative(DEPLOY / "components" / name) for name in components],
    }
    if namespace:
        kustomization["namespace"] = namespace
    kustomization.update(extra or {})
    (directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return directory


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [doc for doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} rendered"
    return matches[0]
