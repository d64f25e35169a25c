"""The real kubectl, run against a sandbox with its own discovery cache (shared by the sandbox tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

KUBECTL = Path(sys.executable).parent / "kubectl"


class Kubectl:
    """Runs the real kubectl against the sandbox with a per-test discovery cache."""

    def __init__(self, kubeconfig: Path, cache_dir: Path):
        self.base = [str(KUBECTL), "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache_dir)]

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([*self.base, *args], input=stdin, capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*self.base, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
