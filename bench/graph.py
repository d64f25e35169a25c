"""Speed figures for the architecture graph:

1. backend, in process (bench/graph_core.py), at 10,000 and 50,000 pods: full derivation, one incremental event,
   a person's default view, bytes per delta, memory the graph holds;
2. browser, against a sandbox seeded with N pods and the console as `console run` serves it: navigation →
   first painted graph (the first visit starts the graph's watches; then warm visits), the collapsed graph's
   layout time in the browser (elkjs in its web worker), and the backend's memory with the graph open.

Run: `.venv/bin/python bench/graph.py [pods …]` (default 10000 50000); prints figures, asserts nothing.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time

from graph_core import measure
from harness import Figure, print_summary, scanned_world, verdict
from lists import CHROMIUM_ARGS, _console, _free_port, _sign_in, _tree_memory
from playwright.sync_api import Page, sync_playwright

SIZES = [int(arg) for arg in sys.argv[1:]] or [10_000, 50_000]
PAINTED = '[data-testid="graph-view"][data-painted="1"]'
RUNS = 3
# The component writes each ELK layout's duration (worker round trip, ms) on its root as data-layout-ms; a
# visit that reuses the positions it stored needs no layout (-1).
ROOT = '[data-testid="graph-view"]'


def _core(pods: int, summary: list[Figure]) -> None:
    figures = measure(pods)
    print(
        f"{figures['pods']:,} pods: {figures['nodes']:,} nodes, {figures['edges']:,} edges; default view "
        f"{figures['view_nodes']:,} nodes, snapshot {figures['snapshot_kib']:.0f} KiB"
    )
    label = f"{pods // 1000}k pods"
    derivation, event = figures["derivation_ms"], max(figures["relabel_ms"], figures["add_ms"], figures["selector_ms"])
    summary += [
        (
            f"full derivation, {label}",
            f"{derivation:.0f} ms",
            "< 500 ms" if pods <= 10_000 else "—",
            _under(derivation, 500, pods),
        ),
        (f"one event (relabel/add/selector), {label}", f"{event:.3f} ms", "< 5 ms", verdict(event < 5)),
        (f"default view for a person, {label}", f"{figures['view_ms']:.0f} ms", "—", "—"),
        (
            f"delta: one status change, {label}",
            f"{figures['status_delta_bytes']} B",
            "< 10 KiB",
            verdict(figures["status_delta_bytes"] < 10240),
        ),
        (
            f"delta: a new Deployment, {label}",
            f"{figures['added_delta_bytes']} B",
            "< 10 KiB",
            verdict(figures["added_delta_bytes"] < 10240),
        ),
        (f"graph memory (traced), {label}", f"{figures['graph_mib']:.0f} MiB", "—", "—"),
    ]


def _under(value: float, target: float, pods: int) -> str:
    return verdict(value < target) if pods <= 10_000 else "—"


def _first_paint(page: Page, url: str) -> tuple[float, float]:
    """Navigation → the graph is laid out and painted; (seconds, the browser's layout milliseconds)."""
    started = time.perf_counter()
    page.goto(f"{url}/cloud?view=graph")
    page.locator(PAINTED).wait_for(state="attached", timeout=120_000)
    elapsed = time.perf_counter() - started
    layout = page.locator(ROOT).get_attribute("data-layout-ms")
    return elapsed, float(layout or -1)


def _browser(pods: int, summary: list[Figure]) -> None:
    port = _free_port()
    label = f"{pods // 1000}k pods"
    target = 2.0 if pods <= 10_000 else 4.0
    with contextlib.ExitStack() as stack:
        world, scratch = scanned_world(stack, pods, port, "bench-graph-")
        state = scratch / "console"
        state.mkdir()
        url, process = stack.enter_context(_console(world, port, state))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        _sign_in(page, url, "sre", path="/cloud?view=list&kind=namespaces")
        before, _, _ = _tree_memory(process)
        first, first_layout = _first_paint(page, url)
        nodes = page.locator('[data-testid="graph-view"]').get_attribute("data-nodes")
        print(f"{label}: first visit {first:.2f} s ({nodes} nodes drawn, layout {first_layout:.0f} ms)")
        warm = [_first_paint(page, url) for _ in range(RUNS)]
        median = statistics.median(seconds for seconds, _ in warm)
        laid_out = [ms for ms in (first_layout, *(ms for _, ms in warm)) if ms >= 0]  # stored positions: none
        layout = statistics.median(laid_out) if laid_out else -1.0
        after, _, _ = _tree_memory(process)
        print(f"{label}: warm visits " + ", ".join(f"{seconds:.2f}" for seconds, _ in warm) + " s")
        summary += [
            (
                f"graph → first paint, {label}, first visit (console just started)",
                f"{first:.2f} s",
                f"< {target:g} s",
                verdict(first < target),
            ),
            (
                f"graph → first paint, {label}, warm median",
                f"{median:.2f} s",
                f"< {target:g} s",
                verdict(median < target),
            ),
            (f"collapsed-graph layout (browser), {label}", f"{layout:.0f} ms", "—", "—"),
            (f"backend RSS with the graph open, {label}", f"{after:.0f} MiB (+{after - before:.0f})", "—", "—"),
        ]


def main() -> None:
    summary: list[Figure] = []
    for pods in SIZES:
        _core(pods, summary)
    for pods in SIZES:
        _browser(pods, summary)
    print_summary(summary)


if __name__ == "__main__":
    main()
