"""Speed figures for compliance: the scorecard over 100,000 results in 2,000 reports, one report change applied
incrementally (bench/compliance_core.py), and the dashboard's first paint in headless Chromium against a
sandbox seeded with 10,000 pods (each pod has its PolicyReport, as Kyverno writes them).

Run: `.venv/bin/python bench/compliance.py [pods]`; prints figures, asserts nothing.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time

from compliance_core import measure_core
from harness import print_summary, scanned_world, verdict
from lists import CHROMIUM_ARGS, _console, _free_port, _sign_in
from playwright.sync_api import sync_playwright

PODS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SCORE = '[data-testid="compliance-score"]'
RUNS = 5


def _first_paint(page, url: str) -> float:
    """Navigation → the sovereign score (a number, not the loading spinner) is on screen."""
    started = time.perf_counter()
    page.goto(f"{url}/sre/compliance")
    page.locator(SCORE).filter(has_text="%").wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - started


def main() -> None:
    summary: list[tuple[str, str, str, str]] = []
    full, incremental = measure_core()
    summary.append(
        ("100,000 results / 2,000 reports → scorecard", f"{full * 1000:.0f} ms", "< 1000 ms", verdict(full < 1))
    )
    summary.append(
        (
            "one report change → incremental update",
            f"{incremental * 1000:.2f} ms",
            "< 10 ms",
            verdict(incremental < 0.01),
        )
    )
    port = _free_port()
    with contextlib.ExitStack() as stack:
        world, scratch = scanned_world(stack, PODS, port, "bench-compliance-")
        state = scratch / "console"
        state.mkdir()
        url, _ = stack.enter_context(_console(world, port, state))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        _sign_in(page, url, "sre", path="/sre/compliance")
        first = _first_paint(page, url)
        print(f"dashboard, first visit: {first:.3f} s")
        warm = [_first_paint(page, url) for _ in range(RUNS)]
        median = statistics.median(warm)
        print("dashboard, warm visits: " + ", ".join(f"{seconds:.3f}" for seconds in warm) + " s")
        summary.append(
            (f"dashboard → first paint, {PODS:,} pods, first", f"{first:.3f} s", "< 2 s", verdict(first < 2))
        )
        summary.append(
            (f"dashboard → first paint, {PODS:,} pods, median", f"{median:.3f} s", "< 2 s", verdict(median < 2))
        )
    print_summary(summary)


if __name__ == "__main__":
    main()
