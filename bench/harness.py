"""What the browser benches share: a sandbox world whose first policy scan is done, and the summary table."""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path

from sovereign_sandbox.servers import SandboxWorld

Figure = tuple[str, str, str, str]  # figure, measured, target, verdict


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_summary(summary: list[Figure]) -> None:
    width = max(len(row[0]) for row in summary)
    print()
    print(f"{'figure':<{width}}  {'measured':>16}  {'target':>10}  verdict")
    for name, value, target, result in summary:
        print(f"{name:<{width}}  {value:>16}  {target:>10}  {result}")


def scanned_world(stack: contextlib.ExitStack, pods: int, console_port: int, prefix: str) -> tuple[SandboxWorld, Path]:
    """A seeded world with about `pods` extra pods, its IdP trusting a console on `console_port`, once the
    Kyverno stand-in's first scan has written every report; and a scratch folder, both closed with `stack`."""
    started = time.perf_counter()
    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))
    world = stack.enter_context(
        SandboxWorld(
            seed=1,
            pods=pods,
            kubeconfig_path=scratch / "sandbox-kubeconfig",
            console_redirect_uris=[f"http://127.0.0.1:{console_port}/auth/callback"],
        )
    )
    engine = world.cluster.simulation.engine  # type: ignore[union-attr]
    while world.cluster.call(lambda: len(engine._queue)):  # the first policy scan
        time.sleep(0.2)
    print(f"sandbox world with {pods:,} extra pods up in {time.perf_counter() - started:.1f} s")
    return world, scratch
