"""Speed figures for the foundation: the sandbox serving 10,000 pods and the console's watch cache filling from it.

Run with `make bench`; prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sovereign_sandbox.apiserver.server import Sandbox

from console.kube.api import KubeApi, ResourcePath
from console.kube.watch_cache import WatchCache
from console.settings import get_settings

PODS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
CONFIGMAPS = ResourcePath("", "v1", "configmaps")
PODS_RESOURCE = ResourcePath("", "v1", "pods")


async def measure(sandbox: Sandbox, kubeconfig: Path) -> None:
    async with httpx.AsyncClient(base_url=sandbox.http_url, timeout=60) as http:
        started = time.perf_counter()
        listed = (await http.get("/api/v1/pods")).json()
        print(f"list all pods in one request: {len(listed['items'])} pods in {time.perf_counter() - started:.2f} s")

        settings = dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig))
        api = await KubeApi.connect(settings)
        cache = WatchCache(api, page_size=500)
        started = time.perf_counter()
        async with cache.subscribe(PODS_RESOURCE) as pods:
            await pods.wait_synced(timeout=120)
            elapsed = time.perf_counter() - started
            print(f"watch cache filled over HTTPS (pages of 500): {len(pods)} pods in {elapsed:.2f} s")

        async with cache.subscribe(CONFIGMAPS) as configmaps:
            await configmaps.wait_synced(timeout=120)
            latencies = []
            for index in range(200):
                revision = configmaps.revision
                sent = time.perf_counter()
                await http.post("/api/v1/namespaces/default/configmaps", json={"metadata": {"name": f"bench-{index}"}})
                while not any(obj["metadata"]["name"] == f"bench-{index}" for obj in configmaps.objects()):
                    revision = await configmaps.wait_changed(revision, timeout=5)
                latencies.append((time.perf_counter() - sent) * 1000)
            latencies.sort()
            print(
                "write → cache latency over 200 creates: "
                f"p50 {statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95)]:.1f} ms"
            )
        await cache.close()
        await api.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        with Sandbox(host="127.0.0.1", kube_port=0, seed=1, pods=PODS) as sandbox:
            print(f"sandbox seeded with ~{PODS} pods and serving in {time.perf_counter() - started:.2f} s")
            kubeconfig = sandbox.write_kubeconfig(Path(scratch) / "console-kubeconfig", token=sandbox.console_token)
            asyncio.run(measure(sandbox, kubeconfig))


if __name__ == "__main__":
    main()
