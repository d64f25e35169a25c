"""`console reconcile`: the grant reconciler alone, as its own process, against the sandbox; one line when it
leads, a clean stop (Lease released) on SIGTERM, one readable line on bad configuration."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
from reconciler_harness import GRANTS, NAMESPACE, bindings_of, create, eventually, grant_manifest

pytestmark = pytest.mark.sandbox

LEASE = f"/apis/coordination.k8s.io/v1/namespaces/{NAMESPACE}/leases/sovereign-console-reconciler"


def _environment(**settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSOLE_", "OIDC_")) and key != "KUBECONFIG"
    }
    return {**env, **settings}


async def _command(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "console.cli",
        "reconcile",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_it_leads_reconciles_and_stops_cleanly_on_sigterm(
    console_kubeconfig: Path, cluster_http: httpx.AsyncClient
):
    process = await _command(_environment(CONSOLE_KUBECONFIG=str(console_kubeconfig)))
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert line.startswith("console reconcile: leading (Lease catalyst-system/sovereign-console-reconciler")
        await create(cluster_http, GRANTS, grant_manifest("from-the-command", "viewer"))
        await eventually(lambda: bindings_of(cluster_http, "from-the-command"), "the command binds the grant")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    lease = (await cluster_http.get(LEASE)).json()
    assert lease["spec"]["holderIdentity"] == ""  # released: a standby takes over at once


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"CONSOLE_KUBECONFIG": "/nowhere/kubeconfig"},
            "console reconcile: cannot configure the cluster connection: "
            "the kubeconfig /nowhere/kubeconfig does not exist",
        ),
        (
            {"CONSOLE_NAMESPACE": "Not_A_Namespace"},
            "console reconcile: CONSOLE_NAMESPACE must be a namespace name "
            "(lowercase letters, digits and '-', at most 63 characters), got 'Not_A_Namespace'",
        ),
    ],
)
async def test_bad_configuration_is_one_line(settings: dict[str, str], expected: str):
    process = await _command(_environment(**settings))
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert stderr.decode().strip() == expected and stdout == b""


async def test_no_cluster_at_all_is_one_line(tmp_path: Path):
    process = await _command(_environment(HOME=str(tmp_path)))  # no kubeconfig anywhere, not in a pod
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    [line] = stderr.decode().strip().splitlines()
    assert line.startswith(
        "console reconcile: cannot configure the cluster connection "
        "(no CONSOLE_KUBECONFIG or KUBECONFIG, and not in a pod): "
    )
