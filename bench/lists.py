"""Speed figures for the cloud list view as a browser sees it, against a sandbox seeded with 10,000 pods:

1. navigation → first pod row visible (signed-in SRE): the first visit after the console started (pods are
   prewarmed, as informers are), the first visit of a kind nobody watched yet (cold: rows show per list chunk),
   then 5 runs with a warm watch cache;
2. watch event → DOM latency while pods are created at ~100/s in a namespace the page is filtered to;
3. size of the WebSocket frames (state deltas) the browser receives during that burst and under churn;
4. backend memory with 1 and with 20 browser sessions open on the pods list.

The console runs as `console run` serves it (`reflex run --env prod`, one port), signed in through the
sandbox IdP. Run: `.venv/bin/python bench/lists.py [pods]`; prints figures, asserts nothing.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
from harness import print_summary, scanned_world, verdict
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sovereign_sandbox.servers import SandboxWorld

from console.cli import console_against

_ARGS = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
PODS = int(_ARGS[0]) if _ARGS else 10_000
# `--nodelay`: serve the sandbox and its IdP on sockets asyncio marks TCP_NODELAY (see _nodelay_sandbox).
NODELAY = "--nodelay" in sys.argv[1:]
NAV_RUNS = 5
CREATE_PODS = 300
CREATE_RATE = 100.0  # pods a second
POSTERS = 12  # POSTs in flight at most (one answer takes ~44 ms from the sandbox as it is)
CHURN_RATE = 100.0  # background changes a second, for the frame sizes on the unfiltered list
CHURN_SECONDS = 5.0
NAMESPACES_PATH = "/cloud?view=list&kind=namespaces"
COLD_PATH = "/cloud?view=list&kind=replicasets"  # not prewarmed: its watch starts with the first visit
SESSIONS = 20
LIST_PATH = "/cloud?view=list&kind=pods"
ROW = '[data-testid="resource-row"]'
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

# Records, per row key, when a row with that key is first in the DOM: [Date.now(), timeOrigin + performance.now()].
OBSERVER = """
() => {
  window.__seen = window.__seen || {};
  const record = () => {
    const wall = Date.now(), precise = performance.timeOrigin + performance.now();
    for (const row of document.querySelectorAll('[data-testid="resource-row"]')) {
      const key = row.getAttribute('data-key');
      if (key && !(key in window.__seen)) window.__seen[key] = [wall, precise];
    }
  };
  record();
  window.__observer = new MutationObserver(record);
  window.__observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                            attributeFilter: ['data-key']});
}
"""


_changes: Counter[str] = Counter()  # watch events the sandbox committed, by storage key (counted on its loop)


def _count_changes(world: SandboxWorld) -> None:
    def count(change) -> None:
        _changes[change.storage_key] += 1

    world.cluster.call(world.cluster.cluster.store.observe, count)


def _pod_event_count(world: SandboxWorld) -> int:
    return world.cluster.call(lambda: _changes["/pods"])


def _busiest(world: SandboxWorld, before: Counter[str], seconds: float) -> str:
    moved = world.cluster.call(lambda: Counter(_changes)) - before
    return ", ".join(f"{key} {count / seconds:.1f}/s" for key, count in moved.most_common(4)) or "none"


def _nodelay_sandbox() -> None:
    """Diagnostic, this process only: listen with proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted
    sockets. The sandbox's `_listen` creates `socket.socket(family, SOCK_STREAM)` (proto 0), which asyncio's
    `_set_nodelay` skips, so every response written in two parts waits on the client's delayed ACK (~40 ms)."""
    import sovereign_sandbox.apiserver.server as sandbox_server
    import sovereign_sandbox.idp.server as idp_server

    def listen(host: str, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
        return sock

    sandbox_server._listen = listen  # type: ignore[assignment]
    idp_server._listen = listen  # type: ignore[assignment]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@contextlib.contextmanager
def _console(world: SandboxWorld, port: int, state: Path) -> Iterator[tuple[str, psutil.Process]]:
    """The console as `console run` starts it (the same helper the browser tests use)."""
    with console_against(world, port, public_url=f"http://127.0.0.1:{port}", state_dir=state, host="127.0.0.1") as (
        url,
        process,
    ):
        yield url, psutil.Process(process.pid)


def _tree_memory(root: psutil.Process) -> tuple[float, float, list[tuple[int, str, float]]]:
    """(RSS sum MiB, PSS sum MiB, [(pid, name, RSS MiB)]) of `root` and all its descendants."""
    processes = [root, *root.children(recursive=True)]
    rss_total = pss_total = 0.0
    each = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            info = process.memory_full_info()
            rss_total += info.rss / 2**20
            pss_total += getattr(info, "pss", info.rss) / 2**20
            each.append((process.pid, process.name(), info.rss / 2**20))
    return rss_total, pss_total, each


def _tree_cpu(root: psutil.Process, seconds: float) -> float:
    """CPU the process tree used over `seconds`, in % of one core."""
    processes = [root, *root.children(recursive=True)]

    def used() -> float:
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    before, started = used(), time.perf_counter()
    time.sleep(seconds)
    return (used() - before) / (time.perf_counter() - started) * 100


def _sign_in(page: Page, url: str, username: str, path: str = LIST_PATH) -> None:
    page.goto(f"{url}{path}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(f"demo-{username}")
    page.locator("#kc-login").click()
    page.wait_for_url(f"{url}/**")


def _wait_live(page: Page, timeout: float = 60_000) -> None:
    page.locator('[data-testid="live-status"]').filter(has_text="live").wait_for(timeout=timeout)
    page.locator(ROW).first.wait_for(state="visible", timeout=timeout)


class Frames:
    """Every Socket.IO event frame (`42[...]`) a page's WebSockets receive, bucketed by the current phase."""

    def __init__(self, page: Page) -> None:
        self.phase: str | None = None
        self.sizes: dict[str, list[int]] = {}
        page.on("websocket", self._attach)

    def _attach(self, websocket) -> None:
        websocket.on("framereceived", self._received)

    def _received(self, payload: str | bytes) -> None:
        if self.phase is None:
            return
        data = payload.encode() if isinstance(payload, str) else payload
        if data.startswith(b"42"):  # Socket.IO EVENT; pings/pongs and acks are left out
            self.sizes.setdefault(self.phase, []).append(len(data))

    def report(self, phase: str, label: str, seconds: float) -> tuple[int, float, float]:
        sizes = self.sizes.get(phase, [])
        if not sizes:
            print(f"frames ({label}): none received")
            return 0, 0.0, 0.0
        mean, p95 = statistics.fmean(sizes) / 1024, _percentile(sizes, 0.95) / 1024
        print(
            f"frames ({label}): {len(sizes)} in {seconds:.1f} s ({len(sizes) / seconds:.1f}/s), "
            f"mean {mean:.1f} KiB, p95 {p95:.1f} KiB, max {max(sizes) / 1024:.1f} KiB, "
            f"total {sum(sizes) / 2**20:.2f} MiB"
        )
        return len(sizes), mean, p95


def measure_first_visit(page: Page, url: str, path: str, label: str) -> float:
    """Navigation → first row of a list this console has not shown anyone yet."""
    started = time.perf_counter()
    page.goto(f"{url}{path}")
    page.wait_for_selector(ROW, state="visible", timeout=60_000)
    seconds = time.perf_counter() - started
    print(f"navigation → first row, {label}: {seconds:.3f} s")
    _wait_live(page)
    return seconds


def measure_navigation(page: Page, url: str) -> list[float]:
    timings = []
    for _ in range(NAV_RUNS):
        started = time.perf_counter()
        page.goto(f"{url}{LIST_PATH}")
        page.wait_for_selector(ROW, state="visible", timeout=30_000)
        timings.append(time.perf_counter() - started)
        _wait_live(page)
    print(
        f"navigation → first pod row ({NAV_RUNS} runs, signed in, {PODS:,}-pod world): "
        f"min {min(timings):.3f} s, median {statistics.median(timings):.3f} s, max {max(timings):.3f} s "
        f"[{', '.join(f'{t:.3f}' for t in timings)}]"
    )
    return timings


def measure_live_latency(page: Page, world: SandboxWorld, frames: Frames) -> tuple[list[float], int, float]:
    namespace = f"benchlat-{uuid.uuid4().hex[:8]}"
    # TCP_NODELAY on the client, as Go's net/http (kubectl, controllers) has it: a POST's body is its own write.
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    http = httpx.Client(
        base_url=world.cluster.http_url, timeout=30, limits=httpx.Limits(max_connections=POSTERS), transport=transport
    )
    try:
        http.post("/api/v1/namespaces", json={"metadata": {"name": namespace}}).raise_for_status()
        page.get_by_test_id("filter-input").fill(namespace)
        # The filter (debounced 250 ms) is applied when no pod row is left: the namespace is still empty.
        page.wait_for_function(f"document.querySelectorAll('{ROW}').length === 0", timeout=15_000)
        page.wait_for_timeout(1000)
        page.evaluate(OBSERVER)
        # Names count down, so each new pod sorts first (default order: namespace, then name) and every
        # one of them reaches page 1 (each 250 ms push holds ~25 new pods, fewer than the 50 rows shown).
        names = [f"lat-{CREATE_PODS - index:05d}" for index in range(CREATE_PODS)]
        posted: dict[str, float] = {}
        committed: dict[str, float] = {}
        post_seconds: list[float] = []
        store = world.cluster.cluster.store

        def record(change) -> None:  # on the sandbox's loop, at commit
            if change.type == "ADDED" and change.obj["metadata"].get("namespace") == namespace:
                committed.setdefault(change.obj["metadata"]["name"], time.time() * 1000)

        world.cluster.call(store.observe, record)
        version_before = world.cluster.call(lambda: store.resource_version)
        pod_events_before = _pod_event_count(world)
        lock = threading.Lock()

        def create(index: int, name: str) -> None:
            pause = started + index / CREATE_RATE - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            body = {
                "metadata": {"name": name, "namespace": namespace, "labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            }
            sent = time.perf_counter()
            http.post(f"/api/v1/namespaces/{namespace}/pods", json=body).raise_for_status()
            done = time.time() * 1000
            with lock:
                post_seconds.append(time.perf_counter() - sent)
                posted[name] = done

        frames.phase = "create"
        started = time.perf_counter()
        with ThreadPoolExecutor(POSTERS) as posters:
            for future in [posters.submit(create, index, name) for index, name in enumerate(names)]:
                future.result()
        elapsed = time.perf_counter() - started
        version_after = world.cluster.call(lambda: store.resource_version)
        pod_events = _pod_event_count(world) - pod_events_before
        page.wait_for_timeout(4000)  # let the last pushes land (and pump Playwright's frame events)
        frames.phase = None
        seen = page.evaluate("() => window.__seen")
        page.evaluate("() => window.__observer.disconnect()")
    finally:
        http.close()
    latencies, precise, from_commit = [], [], []
    for name, at in posted.items():
        entry = seen.get(f"{namespace}/{name}")
        if entry is not None:
            latencies.append(entry[0] - at)
            precise.append(entry[1] - at)
            if name in committed:
                from_commit.append(entry[1] - committed[name])
    writes = int(version_after) - int(version_before)
    print(
        f"created {CREATE_PODS} pods in {elapsed:.2f} s ({CREATE_PODS / elapsed:.0f}/s asked {CREATE_RATE:.0f}/s; "
        f"POST p50 {statistics.median(post_seconds) * 1000:.1f} ms); meanwhile {pod_events} pod watch events "
        f"({pod_events / elapsed:.0f}/s: the creates plus the simulated scheduler/kubelet's updates) and {writes} "
        f"writes of every kind ({writes / elapsed:.0f}/s)"
    )
    if latencies:
        print(
            f"POST done → row in DOM: {len(latencies)}/{CREATE_PODS} pods seen on page 1; "
            f"p50 {_percentile(latencies, 0.5):.0f} ms, p95 {_percentile(latencies, 0.95):.0f} ms, "
            f"max {max(latencies):.0f} ms (performance.now clock: p50 {_percentile(precise, 0.5):.0f} ms, "
            f"p95 {_percentile(precise, 0.95):.0f} ms)"
        )
        print(
            f"store commit → row in DOM (same pods): p50 {_percentile(from_commit, 0.5):.0f} ms, "
            f"p95 {_percentile(from_commit, 0.95):.0f} ms; POST answered p50 "
            f"{_percentile([posted[n] - committed[n] for n in posted if n in committed], 0.5):.0f} ms after commit"
        )
    else:
        print(f"POST done → row in DOM: none of the {CREATE_PODS} pods appeared")
    return latencies, len(latencies), elapsed + 4


def measure_churn_frames(page: Page, world: SandboxWorld, frames: Frames) -> float:
    """Unfiltered first page of pods while the sandbox's background churn runs."""
    page.get_by_test_id("filter-input").fill("")
    page.wait_for_function(f"document.querySelectorAll('{ROW}').length === 50", timeout=15_000)
    page.wait_for_timeout(1000)
    churn = world.cluster.simulation.churn  # type: ignore[union-attr]
    changes_before = world.cluster.call(lambda: churn.changes)
    frames.phase = "churn"
    world.cluster.call(churn.set_rate, CHURN_RATE)
    started = time.perf_counter()
    page.wait_for_timeout(CHURN_SECONDS * 1000)
    world.cluster.call(churn.set_rate, 0.0)
    elapsed = time.perf_counter() - started
    page.wait_for_timeout(1000)
    frames.phase = None
    changes = world.cluster.call(lambda: churn.changes) - changes_before
    print(f"background churn: {changes} changes in {elapsed:.1f} s ({changes / elapsed:.0f}/s) on the unfiltered list")
    return elapsed + 1


def measure_memory(
    browser: Browser, first: Page, url: str, backend: psutil.Process, world: SandboxWorld
) -> tuple[float, float]:
    first.wait_for_timeout(3000)
    one_rss, one_pss, each = _tree_memory(backend)
    print("backend process tree: " + ", ".join(f"{name}[{pid}] {rss:.0f} MiB" for pid, name, rss in each))
    print(f"backend memory, 1 session on the pods list: RSS sum {one_rss:.0f} MiB (PSS sum {one_pss:.0f} MiB)")
    events = _pod_event_count(world)
    cpu = _tree_cpu(backend, 5)
    events = _pod_event_count(world) - events
    print(
        f"backend CPU, 1 session, no churn: {cpu:.0f}% of a core over 5 s "
        f"(the simulation made {events / 5:.0f} pod events/s meanwhile)"
    )
    contexts: list[BrowserContext] = []
    started = time.perf_counter()
    try:
        for _ in range(SESSIONS - 1):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            contexts.append(context)
            page = context.new_page()
            _sign_in(page, url, "sre")
            _wait_live(page)
        opened = time.perf_counter() - started
        first.wait_for_timeout(3000)
        live = sum(
            1
            for context in contexts
            if context.pages[0].locator('[data-testid="live-status"]').inner_text(timeout=5000) == "live"
        )
        many_rss, many_pss, each = _tree_memory(backend)
        events = _pod_event_count(world)
        everything = world.cluster.call(lambda: Counter(_changes))
        cpu = _tree_cpu(backend, 5)
        events = _pod_event_count(world) - events
        print(
            f"opened {SESSIONS - 1} more sessions (each signed in through the IdP form) in {opened:.1f} s; "
            f"{live + 1}/{SESSIONS} show live"
        )
        print("backend process tree: " + ", ".join(f"{name}[{pid}] {rss:.0f} MiB" for pid, name, rss in each))
        print(
            f"backend memory, {SESSIONS} sessions: RSS sum {many_rss:.0f} MiB (PSS sum {many_pss:.0f} MiB); "
            f"×{many_rss / one_rss:.2f} of one session, ≈{(many_rss - one_rss) / (SESSIONS - 1):.1f} MiB a session"
        )
        print(
            f"backend CPU, {SESSIONS} sessions, no churn: {cpu:.0f}% of a core over 5 s "
            f"(the simulation made {events / 5:.0f} pod events/s meanwhile; busiest: {_busiest(world, everything, 5)})"
        )
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()
    return one_rss, many_rss


def main() -> None:
    if NODELAY:
        _nodelay_sandbox()
        print("--nodelay: the sandbox and IdP sockets set TCP_NODELAY (diagnostic; not the product as shipped)")
    summary: list[tuple[str, str, str, str]] = []
    port = _free_port()
    with contextlib.ExitStack() as stack:
        world, scratch = scanned_world(stack, PODS, port, "bench-lists-")
        _count_changes(world)
        started = time.perf_counter()
        state = scratch / "console"
        state.mkdir()
        url, backend = stack.enter_context(_console(world, port, state))
        print(f"console serving at {url} after {time.perf_counter() - started:.1f} s")
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        frames = Frames(page)
        _sign_in(page, url, "sre", path=NAMESPACES_PATH)
        _wait_live(page)

        first = measure_first_visit(page, url, LIST_PATH, f"pods, first visit ({PODS:,}-pod world, prewarmed)")
        summary.append(("first visit → first pod row", f"{first:.3f} s", "< 0.85 s", verdict(first < 0.85)))
        cold = measure_first_visit(page, url, COLD_PATH, "replicasets, first visit (cold watch)")
        summary.append(("cold kind → first row", f"{cold:.3f} s", "—", ""))
        timings = measure_navigation(page, url)
        median = statistics.median(timings)
        summary.append(("warm navigation → first row, median", f"{median:.3f} s", "< 0.85 s", verdict(median < 0.85)))

        latencies, seen, create_seconds = measure_live_latency(page, world, frames)
        if latencies:
            p95 = _percentile(latencies, 0.95)
            summary.append(("watch event → DOM, p50", f"{_percentile(latencies, 0.5):.0f} ms", "—", ""))
            summary.append(("watch event → DOM, p95", f"{p95:.0f} ms", "< 1000 ms", verdict(p95 < 1000)))
        # No target: a pod is missed only when > 50 newer pods arrived before the next push reached the page.
        summary.append(("created pods seen on page 1", f"{seen}/{CREATE_PODS}", "—", ""))
        count, mean, p95_size = frames.report("create", "filtered list, ~100 pod creates/s", create_seconds)
        summary.append(("delta frames, pod burst: count", str(count), "—", ""))
        summary.append(("delta frames, pod burst: mean / p95", f"{mean:.1f} / {p95_size:.1f} KiB", "—", ""))

        churn_seconds = measure_churn_frames(page, world, frames)
        count, mean, p95_size = frames.report("churn", f"unfiltered list, {CHURN_RATE:.0f} churn/s", churn_seconds)
        summary.append(("delta frames, churn: count", str(count), "≤ 4/s", verdict(count <= 4 * churn_seconds)))
        summary.append(("delta frames, churn: mean / p95", f"{mean:.1f} / {p95_size:.1f} KiB", "—", ""))

        one, many = measure_memory(browser, page, url, backend, world)
        summary.append(("backend RSS, 1 session", f"{one:.0f} MiB", "—", ""))
        summary.append((f"backend RSS, {SESSIONS} sessions", f"{many:.0f} MiB", "—", ""))
        summary.append((f"backend RSS ratio {SESSIONS}:1", f"×{many / one:.2f}", "< ×1.5", verdict(many / one < 1.5)))

    print_summary(summary)


if __name__ == "__main__":
    main()
