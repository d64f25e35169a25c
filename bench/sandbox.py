"""Speed and size of the sandbox itself (spec sandbox.md §C): list 10,000 pods, fan a 1,000 events/s churn
out to 100 watchers, and the memory of a 50,000-pod world.

Run: `.venv/bin/python bench/sandbox.py [pods] [watchers] [rate] [seconds]`; prints figures against targets.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import sys
import time

import httpx
from sovereign_sandbox.apiserver.server import Sandbox

PODS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
WATCHERS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
RATE = float(sys.argv[3]) if len(sys.argv) > 3 else 1_000.0
SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
BIG_WORLD = 50_000
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
_MARKER = b'"resourceVersion":"'


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure_lists(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.http_url, timeout=60) as http:
        for label, headers in (("JSON", {}), ("Table", {"Accept": TABLE})):
            timings, parse_timings = [], []
            for _ in range(3):
                started = time.perf_counter()
                response = http.get("/api/v1/pods", headers=headers)
                received = time.perf_counter()
                body = response.json()
                timings.append(received - started)
                parse_timings.append(time.perf_counter() - received)
            count = len(body.get("items") or body.get("rows") or [])
            best = min(timings)
            print(
                f"list {count} pods ({label}, {len(response.content) / 2**20:.1f} MiB): whole body received in "
                f"best {best:.2f} s of 3 [target < 1 s: {_verdict(best < 1)}]; the client's json.loads adds "
                f"{min(parse_timings):.2f} s"
            )


async def _watch(url: str, version: str, seconds: float, received: list[tuple[int, float]]) -> None:
    async with httpx.AsyncClient(timeout=None) as http:
        params = {"watch": "1", "resourceVersion": version, "timeoutSeconds": str(int(seconds))}
        async with http.stream("GET", url, params=params) as response:
            buffer = b""
            async for chunk in response.aiter_bytes():
                now = time.monotonic()
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    start = line.find(_MARKER) + len(_MARKER)
                    received.append((int(line[start : line.index(b'"', start)]), now))


def _watchers(url: str, version: str, count: int, seconds: float, results: multiprocessing.Queue) -> None:
    async def run() -> list[list[tuple[int, float]]]:
        received: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        await asyncio.gather(*(_watch(url, version, seconds, received[index]) for index in range(count)))
        return received

    results.put(json.dumps(asyncio.run(run())))


def measure_fan_out(sandbox: Sandbox) -> None:
    committed: dict[int, float] = {}
    pods_key = "/pods"
    recording = True

    def record(change) -> None:
        if recording and change.storage_key == pods_key:
            committed[change.resource_version] = time.monotonic()

    version = sandbox.call(lambda: (sandbox.cluster.store.observe(record), sandbox.cluster.store.resource_version)[1])
    results: multiprocessing.Queue = multiprocessing.Queue()
    watch_seconds = SECONDS + 30  # watchers stay until their deadline to drain any backlog
    child = multiprocessing.Process(
        target=_watchers, args=(f"{sandbox.http_url}/api/v1/pods", str(version), WATCHERS, watch_seconds, results)
    )
    child.start()
    time.sleep(3)  # let every watcher connect (a watch from a version misses nothing meanwhile)
    churn = sandbox.simulation.churn  # type: ignore[union-attr]
    sandbox.call(churn.set_rate, RATE)
    started, changes_before = time.monotonic(), churn.changes
    time.sleep(SECONDS)

    def stop_churn_and_recording() -> int:
        # The kubelet keeps restarting crash-looping pods after the churn stops; what it commits once the watches
        # have reached their timeoutSeconds reaches no watcher, so only changes up to this version are compared.
        nonlocal recording
        churn.set_rate(0.0)
        recording = False
        return sandbox.cluster.store.resource_version

    end_version = sandbox.call(stop_churn_and_recording)
    elapsed, changes = time.monotonic() - started, churn.changes - changes_before
    received = json.loads(results.get(timeout=watch_seconds + 60))
    child.join()
    sent = {version for version in committed if version <= end_version}
    missing = [len(sent - {version for version, _ in events}) for events in received]
    complete = missing.count(0)
    latencies = sorted(
        (arrived - committed[version]) * 1000 for events in received for version, arrived in events if version in sent
    )
    counts = [sum(1 for version, _ in events if version in sent) for events in received]
    print(
        f"churn: {changes} changes in {elapsed:.1f} s ({changes / elapsed:.0f}/s asked {RATE:.0f}/s); "
        f"{len(sent)} pod events committed"
    )
    print(
        f"{WATCHERS} watchers: received min {min(counts)} / median {statistics.median(counts):.0f} / max {max(counts)} "
        f"of the {len(sent)}; {complete}/{WATCHERS} saw every event, at most {max(missing)} missing "
        f"[target all: {_verdict(complete == WATCHERS)}]"
    )
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[int(len(latencies) * 0.95)]
        print(f"delivery latency commit → watcher: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.0f} ms")


def _big_world(results: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    with Sandbox(kube_port=0, pods=BIG_WORLD) as sandbox:
        built = time.perf_counter() - started
        engine = sandbox.simulation.engine  # type: ignore[union-attr]
        while sandbox.call(lambda: len(engine._queue)):  # the first policy scan
            time.sleep(0.5)
        scanned = time.perf_counter() - started
        results.put((built, scanned, _rss_mib()))


def measure_memory() -> None:
    results: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_big_world, args=(results,))
    child.start()
    built, scanned, rss = results.get(timeout=900)
    child.join()
    print(
        f"{BIG_WORLD:,}-pod world: built and serving in {built:.1f} s, first policy scan done at {scanned:.1f} s, "
        f"RSS {rss / 1024:.2f} GiB [target < 2 GiB: {_verdict(rss < 2048)}]"
    )


def main() -> None:
    started = time.perf_counter()
    with Sandbox(kube_port=0, pods=PODS) as sandbox:
        print(f"sandbox with {PODS:,} extra pods up in {time.perf_counter() - started:.1f} s")
        engine = sandbox.simulation.engine  # type: ignore[union-attr]
        while sandbox.call(lambda: len(engine._queue)):
            time.sleep(0.2)
        measure_lists(sandbox)
        measure_fan_out(sandbox)
    measure_memory()


if __name__ == "__main__":
    main()
