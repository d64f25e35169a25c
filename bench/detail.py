"""Speed figures for the resource detail page's Logs, Shell and YAML tabs as a browser sees them:

1. log throughput into the viewer: a kube-system DaemonSet's Logs tab (all its pods) and one pod's, switched to
   `tail=all` with Follow off, lines the server sent (the `line`/`lines` frames the page's WebSocket received)
   against the lines the viewer holds plus those it dropped on purpose (its 10,000-line buffer), over the time
   from the first frame to the render that shows the last line;
2. shell keystroke echo: 50 keystrokes typed into an open shell (signed in as `sre`), each timed from the
   keydown to the echoed character in xterm's rows (and, on the wire, from the keystroke's frame sent to the
   next output frame received), p50/p95;
3. YAML tab open time for a ~400 KiB ConfigMap (2,000 keys): navigation to `…/yaml` until the editor's document
   holds the last key (and, after scrolling the editor to the end, until that key's line is drawn), median of 3.

The console runs as `console run` serves it (`reflex run --env prod`, one port), signed in through the sandbox
IdP; the sandbox world is the default seed. Run: `.venv/bin/python bench/detail.py`; prints figures, asserts
nothing.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import statistics
import string
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
from harness import print_summary, verdict
from playwright.sync_api import Page, sync_playwright
from sovereign_sandbox.node.containers import image_traits
from sovereign_sandbox.servers import SandboxWorld

from console.cli import console_against

KEYSTROKES = 50
KEYS_PER_COMMAND = 10
YAML_RUNS = 3
YAML_KEYS = 2_000
YAML_VALUE_BYTES = 190  # ~200 bytes a key: ~400 KiB of data
MAX_LINES = 10_000  # the viewer's buffer (assets/log_viewer.jsx)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

# Installed before the app's scripts: every WebSocket the page opens is watched. Log sockets: lines received in
# `line`/`lines` frames, times of the first and last frame. Shell sockets: time of each keystroke frame sent and
# of the first output frame after it.
WATCH_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__logs = [];
  window.__exec = {sent: null, received: null, text: ''};
  class Watched extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const href = String(url);
      if (href.includes('/ws/logs/')) {
        const record = {url: href, frames: 0, lines: 0, first: null, last: null, closed: null};
        window.__logs.push(record);
        this.addEventListener('message', (event) => {
          const now = performance.now();
          let frame;
          try { frame = JSON.parse(event.data); } catch { return; }
          let count = 0;
          if (frame.type === 'line') count = 1;
          else if (frame.type === 'lines') count = (frame.lines || []).length;
          if (!count) return;
          if (record.first === null) record.first = now;
          record.last = now;
          record.frames += 1;
          record.lines += count;
        });
        this.addEventListener('close', (event) => { record.closed = event.code; });
      } else if (href.includes('/ws/exec/')) {
        window.__execSocket = this;
        this.addEventListener('message', (event) => {
          const probe = window.__exec;
          if (typeof event.data === 'string' || probe.sent === null || probe.received !== null) return;
          probe.received = performance.now();
          probe.text = new TextDecoder().decode(event.data);
        });
      }
    }
    send(data) {
      if (this === window.__execSocket && typeof data !== 'string' && window.__exec.sent === null) {
        window.__exec.sent = performance.now();
      }
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
})();
"""

# Samples the viewer's count and dropped marker each time the viewer's DOM changes: [[t, count, dropped], …].
WATCH_VIEWER = """
() => {
  const root = document.querySelector('[data-testid="log-viewer"]');
  const number = (selector) => {
    const element = root.querySelector(selector);
    const digits = element ? (element.textContent.match(/[0-9][0-9,.\u00a0 ]*/) || ['0'])[0] : '0';
    return parseInt(digits.replace(/[^0-9]/g, ''), 10) || 0;
  };
  window.__samples = [];
  let last = '';
  const sample = () => {
    const count = number('[data-testid="log-count"]');
    const dropped = number('[data-testid="log-dropped"]');
    const key = count + '/' + dropped;
    if (key !== last) { last = key; window.__samples.push([performance.now(), count, dropped]); }
  };
  if (window.__viewerObserver) window.__viewerObserver.disconnect();
  window.__viewerObserver = new MutationObserver(sample);
  window.__viewerObserver.observe(root, {childList: true, subtree: true, characterData: true});
}
"""

# Keystroke probe: the keydown time, then (on xterm's DOM mutations) the time the prompt row ends with `typed`.
WATCH_TERMINAL = """
() => {
  window.__key = {expect: null, down: null, shown: null};
  window.addEventListener('keydown', () => {
    if (window.__key.down === null) window.__key.down = performance.now();
  }, true);
  const rows = document.querySelector('.xterm-rows');
  const check = () => {
    const probe = window.__key;
    if (probe.expect === null || probe.shown !== null) return;
    const texts = Array.from(rows.children, (row) => row.textContent.replace(/\\u00a0/g, ' ').trimEnd());
    const prompt = texts.filter(Boolean).pop() || '';
    if (prompt.endsWith(probe.expect)) probe.shown = performance.now();
  };
  new MutationObserver(check).observe(rows, {childList: true, subtree: true, characterData: true});
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@contextlib.contextmanager
def _console(world: SandboxWorld, port: int, state: Path) -> Iterator[str]:
    """The console as `console run` starts it (the same helper the browser tests use)."""
    with console_against(world, port, public_url=f"http://127.0.0.1:{port}", state_dir=state, host="127.0.0.1") as (
        url,
        _,
    ):
        yield url


def _sign_in(page: Page, url: str, username: str, path: str) -> None:
    page.goto(f"{url}{path}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(f"demo-{username}")
    page.locator("#kc-login").click()
    page.wait_for_url(f"{url}/**")


def _running(pod: dict) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return (
        (pod.get("status") or {}).get("phase") == "Running"
        and bool(statuses)
        and all("running" in (status.get("state") or {}) for status in statuses)
    )


def _pick_targets(http: httpx.Client) -> tuple[tuple[str, int], tuple[str, str], tuple[str, str]]:
    """(kube-system DaemonSet with the most pods, its pod count), a running pod of it, a running shell pod."""
    daemonsets = http.get("/apis/apps/v1/namespaces/kube-system/daemonsets").json()["items"]
    if not daemonsets:
        raise SystemExit("the sandbox has no DaemonSet in kube-system")
    best = max(daemonsets, key=lambda ds: ((ds.get("status") or {}).get("numberReady") or 0, ds["metadata"]["name"]))
    pods = http.get("/api/v1/pods").json()["items"]
    pods.sort(key=lambda pod: (pod["metadata"]["namespace"], pod["metadata"]["name"]))
    selector = (best["spec"].get("selector") or {}).get("matchLabels") or {}
    own = [
        pod
        for pod in pods
        if pod["metadata"]["namespace"] == "kube-system"
        and all((pod["metadata"].get("labels") or {}).get(key) == value for key, value in selector.items())
        and _running(pod)
    ]
    if not own:
        raise SystemExit(f"DaemonSet kube-system/{best['metadata']['name']} has no running pod")
    log_pod = ("kube-system", own[0]["metadata"]["name"])
    shell_pod = next(
        (
            (pod["metadata"]["namespace"], pod["metadata"]["name"])
            for pod in pods
            if _running(pod)
            and len(pod["spec"]["containers"]) == 1
            and image_traits(pod["spec"]["containers"][0]["image"]).shells
        ),
        None,
    )
    if shell_pod is None:
        raise SystemExit("the sandbox has no running single-container pod with a shell")
    return (best["metadata"]["name"], len(own)), log_pod, shell_pod


def _choose(page: Page, test_id: str, option: str) -> None:
    """Pick `option` in the select wrapped by `test_id`."""
    page.locator(f'[data-testid="{test_id}"] button').first.click()
    page.get_by_role("option", name=option, exact=True).click()


def measure_logs(page: Page, url: str, kind: str, namespace: str, name: str) -> dict[str, float]:
    """Open the Logs tab (Follow off), then switch Tail to `all`; figures for the `tail=all` socket."""
    page.goto(f"{url}/cloud/resource/{kind}/{namespace}/{name}/logs")
    page.get_by_test_id("log-viewer").wait_for(timeout=30_000)
    page.get_by_test_id("log-line").first.wait_for(timeout=30_000)
    follow = page.get_by_test_id("log-follow")
    if follow.get_attribute("data-state") == "checked":  # the options live in the session: maybe off already
        follow.click()
    tail = page.locator('[data-testid="log-tail"] button').first
    if tail.inner_text().strip() != "100":
        _choose(page, "log-tail", "100")
    # settle on a finished tail=100 read without follow, then start afresh
    page.wait_for_function(
        "() => window.__logs.some("
        "(r) => !r.url.includes('follow=1') && r.url.includes('tail=100') && r.closed !== null)",
        timeout=15_000,
    )
    page.wait_for_timeout(500)
    page.evaluate("() => { window.__logs = []; }")
    page.evaluate(WATCH_VIEWER)
    _choose(page, "log-tail", "all")
    page.wait_for_function(
        "() => window.__logs.some((r) => r.url.includes('tail=all') && r.closed !== null)", timeout=60_000
    )
    # the socket closed (1000: the logs ended); wait until the viewer has shown what it received and is still
    page.wait_for_function(
        """() => {
          const r = window.__logs.filter((r) => r.url.includes('tail=all')).pop();
          const s = window.__samples[window.__samples.length - 1];
          return s && s[1] + s[2] >= r.lines && performance.now() - s[0] > 300;
        }""",
        timeout=30_000,
    )
    page.wait_for_timeout(700)
    record, samples = page.evaluate(
        "() => [window.__logs.filter((r) => r.url.includes('tail=all')).pop(), window.__samples]"
    )
    in_dom = page.get_by_test_id("log-line").count()
    sent = record["lines"]
    count, dropped = samples[-1][1], samples[-1][2]
    done = next((t for t, c, d in samples if c + d >= sent), samples[-1][0])
    seconds = max(1e-6, (done - record["first"]) / 1000)
    wire = max(1e-6, (record["last"] - record["first"]) / 1000)
    lost = sent - (count + dropped)
    expected_dropped = max(0, sent - MAX_LINES)
    print(
        f"logs {kind}/{namespace}/{name} tail=all: server sent {sent:,} lines in {record['frames']} frames over "
        f"{wire:.2f} s ({sent / wire:,.0f} lines/s on the wire; close code {record['closed']}); viewer shows "
        f"{count:,} (DOM {in_dom:,} log-line) + {dropped:,} dropped (expected {expected_dropped:,}) → lost {lost:,}; "
        f"first frame → last line rendered {seconds:.2f} s = {sent / seconds:,.0f} lines/s "
        f"({len(samples)} render samples)"
    )
    return {
        "sent": sent,
        "rate": sent / seconds,
        "lost": lost,
        "dropped": dropped,
        "expected_dropped": expected_dropped,
        "dom_ok": float(in_dom == count),
    }


def measure_exec(page: Page, url: str, namespace: str, pod: str) -> tuple[list[float], list[float], int]:
    page.goto(f"{url}/cloud/resource/pods/{namespace}/{pod}/exec")
    page.get_by_test_id("exec-open").click()
    page.locator(".xterm-rows").wait_for(timeout=15_000)
    page.get_by_test_id("exec-state").filter(has_text="open").wait_for(timeout=15_000)
    page.wait_for_function(
        "() => /[$#] *$/.test(Array.from(document.querySelectorAll('.xterm-rows > div'), (r) => "
        "r.textContent.replace(/\\u00a0/g, ' ').trimEnd()).filter(Boolean).pop() || '')",
        timeout=15_000,
    )
    page.evaluate(WATCH_TERMINAL)
    page.locator(".xterm-helper-textarea").focus()
    to_dom: list[float] = []
    on_wire: list[float] = []
    missed = 0
    alphabet = string.ascii_lowercase + string.digits
    for command in range(KEYSTROKES // KEYS_PER_COMMAND):
        page.keyboard.type("echo ")
        word = "".join(alphabet[(command * 7 + index * 5) % len(alphabet)] for index in range(KEYS_PER_COMMAND))
        for index, char in enumerate(word):
            expect = "echo " + word[: index + 1]
            page.evaluate(
                "expect => { window.__key = {expect, down: null, shown: null};"
                " window.__exec = {sent: null, received: null, text: ''}; }",
                expect,
            )
            page.keyboard.type(char)
            try:
                page.wait_for_function("() => window.__key.shown !== null", timeout=5_000)
            except Exception:  # noqa: BLE001 - counted, the run goes on
                missed += 1
                continue
            key, wire = page.evaluate("() => [window.__key, window.__exec]")
            to_dom.append(key["shown"] - key["down"])
            if wire["sent"] is not None and wire["received"] is not None and char in wire["text"]:
                on_wire.append(wire["received"] - wire["sent"])
        page.evaluate("() => { window.__key.expect = null; }")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "word => Array.from(document.querySelectorAll('.xterm-rows > div'), (r) => r.textContent.trim())"
            ".includes(word)",
            arg=word,
            timeout=5_000,
        )
    page.keyboard.type("exit")
    page.keyboard.press("Enter")
    if to_dom:
        print(
            f"shell {namespace}/{pod}: {len(to_dom)}/{KEYSTROKES} keystrokes echoed; keydown → echo in xterm rows "
            f"p50 {_percentile(to_dom, 0.5):.1f} ms, p95 {_percentile(to_dom, 0.95):.1f} ms, max {max(to_dom):.1f} ms; "
            f"frame sent → echo frame received ({len(on_wire)}) "
            f"p50 {_percentile(on_wire, 0.5) if on_wire else 0:.1f} ms, "
            f"p95 {_percentile(on_wire, 0.95) if on_wire else 0:.1f} ms"
        )
    return to_dom, on_wire, missed


def _create_config_map(http: httpx.Client) -> tuple[str, str, int]:
    name = f"bench-yaml-{uuid.uuid4().hex[:6]}"
    data = {f"key-{index:05d}": f"{index:05d}-" + "v" * (YAML_VALUE_BYTES - 6) for index in range(YAML_KEYS)}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data}
    response = http.post("/api/v1/namespaces/default/configmaps", json=body)
    response.raise_for_status()
    return name, f"key-{YAML_KEYS - 1:05d}", len(response.content)


DOC_HAS = """
key => {
  const content = document.querySelector('[data-testid="yaml-editor"] .cm-content');
  const view = content && content.cmView && content.cmView.view;
  if (!view || !content.querySelector('.cm-line')) return false;
  return view.state.doc.length > 1000 && view.state.doc.toString().includes(key + ':') && performance.now();
}
"""

LINE_SHOWN = """
key => {
  const editor = document.querySelector('[data-testid="yaml-editor"]');
  if (!editor || !editor.querySelector('.cm-scroller')) return false;
  const scroller = editor.querySelector('.cm-scroller');
  scroller.scrollTop = scroller.scrollHeight;
  const lines = editor.querySelectorAll('.cm-content .cm-line');
  for (const line of lines) if (line.textContent.includes(key + ':')) return performance.now();
  return false;
}
"""


def measure_yaml(page: Page, url: str, name: str, last_key: str) -> list[float]:
    """Navigation → the editor (scrolled to its end on every poll) draws the last key's line."""
    drawn: list[float] = []
    for _ in range(YAML_RUNS):
        page.goto("about:blank")
        started = time.perf_counter()
        page.goto(f"{url}/cloud/resource/configmaps/default/{name}/yaml")
        page.wait_for_function(LINE_SHOWN, arg=last_key, timeout=30_000, polling=10)
        drawn.append(time.perf_counter() - started)
    print(
        f"YAML tab, ConfigMap default/{name} ({YAML_KEYS:,} keys): navigation → last key drawn (editor scrolled to "
        f"the end) [{', '.join(f'{t:.2f}' for t in drawn)}] s"
    )
    return drawn


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    summary: list[tuple[str, str, str, str]] = []
    port = _free_port()
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-detail-")))
        world = stack.enter_context(
            SandboxWorld(
                seed=1,
                kubeconfig_path=scratch / "sandbox-kubeconfig",
                console_redirect_uris=[f"http://127.0.0.1:{port}/auth/callback"],
            )
        )
        http = stack.enter_context(httpx.Client(base_url=world.cluster.http_url, timeout=60))
        (daemonset, ds_pods), log_pod, shell_pod = _pick_targets(http)
        print(
            f"sandbox world up in {time.perf_counter() - started:.1f} s; logs: daemonset kube-system/{daemonset} "
            f"({ds_pods} running pods) and pod {'/'.join(log_pod)}; shell: pod {'/'.join(shell_pod)}"
        )
        cm_name, last_key, cm_bytes = _create_config_map(http)
        stack.callback(lambda: http.delete(f"/api/v1/namespaces/default/configmaps/{cm_name}"))
        started = time.perf_counter()
        state = scratch / "console"
        state.mkdir()
        url = stack.enter_context(_console(world, port, state))
        print(f"console serving at {url} after {time.perf_counter() - started:.1f} s")
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(WATCH_SOCKETS)
        page = context.new_page()
        _sign_in(page, url, "sre", f"/cloud/resource/pods/{log_pod[0]}/{log_pod[1]}/logs")

        for kind, (namespace, name) in (("daemonsets", ("kube-system", daemonset)), ("pods", log_pod)):
            logs = measure_logs(page, url, kind, namespace, name)
            label = "DaemonSet" if kind == "daemonsets" else "pod"
            summary.append(
                (
                    f"logs tail=all, {label}: lines/s rendered",
                    f"{logs['rate']:,.0f}",
                    "≥ 5,000",
                    verdict(logs["rate"] >= 5000),
                )
            )
            summary.append(
                (
                    f"logs tail=all, {label}: sent / lost",
                    f"{logs['sent']:,} / {logs['lost']:,}",
                    "0 lost",
                    verdict(logs["lost"] == 0 and logs["dropped"] == logs["expected_dropped"]),
                )
            )

        to_dom, on_wire, missed = measure_exec(page, url, *shell_pod)
        if to_dom:
            p95 = _percentile(to_dom, 0.95)
            summary.append(("shell echo keydown → xterm, p50", f"{_percentile(to_dom, 0.5):.1f} ms", "—", ""))
            summary.append(("shell echo keydown → xterm, p95", f"{p95:.1f} ms", "< 50 ms", verdict(p95 < 50)))
        if on_wire:
            summary.append(
                (
                    "shell echo frame sent → received, p50/p95",
                    f"{_percentile(on_wire, 0.5):.1f} / {_percentile(on_wire, 0.95):.1f} ms",
                    "—",
                    "",
                )
            )
        summary.append(("shell keystrokes echoed", f"{len(to_dom)}/{KEYSTROKES}", "all", verdict(missed == 0)))

        drawn = measure_yaml(page, url, cm_name, last_key)
        summary.append(
            (
                f"YAML open → last key, {cm_bytes / 1024:.0f} KiB CM, median",
                f"{statistics.median(drawn):.2f} s",
                "—",
                "",
            )
        )

    print_summary(summary)


if __name__ == "__main__":
    main()
