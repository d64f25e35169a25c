"""Soak: many signed-in sessions on the console for a long time against a churning sandbox.

Each session signs in through the IdP's login form (as a browser does, over HTTP), keeps a live list open on
Reflex's event socket (hydrate + the page's load events, then the deltas the cluster's churn causes), and in
a loop loads pages (list, graph, dashboards, settings), asks `/api/whoami`, takes a graph snapshot on
`/ws/graph` and a few log lines on `/ws/logs`. Prints the console process's memory growth and p99 latency
per operation (both after a warm-up of up to a minute, in which the 50 sign-ins happen at once), the slowest
page, the server's event-handler p99 (`console_event_handler_seconds`), every error a client saw, and what
the console's own log holds: error lines, and any token or session id (there must be none).
Keep the front end's export alone while it runs (re-exporting under a running console answers 404s).

Targets (issue 16): memory growth < 10 %, 0 errors. Run: `.venv/bin/python bench/soak.py [--sessions 50]
[--minutes 30] [--churn 20]`; prints figures, asserts nothing. `make bench` runs a short soak (`--minutes 3`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import socket
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from html import unescape
from pathlib import Path

import httpx
import psutil
import socketio
from harness import print_summary, verdict
from sovereign_sandbox.servers import SandboxWorld
from websockets.asyncio.client import connect

from console.cli import console_against

PEOPLE = ("owner", "admin", "sre", "secops", "developer", "viewer")
PAGES = ("/cloud?view=list&kind=pods", "/cloud?view=graph", "/sre/compliance", "/settings")
LIVE_PATH = "/cloud"
LIVE_QUERY = {"view": "list", "kind": "pods"}
GRAPH_VIEW = {"type": "view", "lens": "all", "types": None, "group": "namespace", "expanded": [], "focus": ""}
LOG_POD = "acme-dev-billing/billing-db-1"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Results:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.warm_from = float("inf")  # perf_counter() once the warm-up is over: latencies count from then
        self.slowest_page = (0.0, "")  # the slowest page after warm-up, and which
        self.errors: list[str] = []
        self.frames = 0
        self.session_ids: set[str] = set()

    def timed(self, operation: str, started: float) -> float:
        """Record one operation's latency (only once warm: 50 sign-ins at once are not the steady state)."""
        took = time.perf_counter() - started
        if started >= self.warm_from:
            self.latency[operation].append(took)
        return took

    def error(self, text: str) -> None:
        self.errors.append(text)


async def _sign_in(http: httpx.AsyncClient, console_url: str, username: str, password: str) -> str:
    to_idp = await http.get(f"{console_url}/login")
    form_page = await http.get(to_idp.headers["location"])
    action = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', form_page.text)
    assert action, "no login form"
    answer = await http.post(unescape(action.group(1)), data={"username": username, "password": password})
    callback = await http.get(answer.headers["location"])
    session_id = callback.cookies.get("console_session") or http.cookies.get("console_session")
    assert session_id, f"{username} did not get a session"
    return session_id


async def _live_list(console_url: str, cookie: str, results: Results, stop: asyncio.Event) -> None:
    """Reflex's event socket on the pods list, as the browser keeps it: hydrate + on_load, then deltas."""
    client = socketio.AsyncClient(reconnection=True)

    def received(event: str, data: object = None) -> None:
        results.frames += 1

    client.on("*", received, namespace="/_event")
    await client.connect(
        f"{console_url}?token={uuid.uuid4()}",
        headers={"Cookie": cookie, "Origin": console_url},
        transports=["websocket"],
        socketio_path="/_event",
        namespaces=["/_event"],
        # As long as a browser's socket.io client waits (20 s): python-socketio's 1 s default failed 31 of 50
        # connects made while the other sessions were signing in.
        wait_timeout=20,
    )
    router_data = {"pathname": LIVE_PATH, "asPath": f"{LIVE_PATH}?view=list&kind=pods", "query": LIVE_QUERY}
    await client.emit(
        "event",
        {"name": "reflex___state____state.hydrate_and_load", "payload": {}, "router_data": router_data},
        namespace="/_event",
    )
    await stop.wait()
    await client.disconnect()


async def _round(http: httpx.AsyncClient, console_url: str, cookie: str, round_no: int, results: Results) -> None:
    page = PAGES[round_no % len(PAGES)]
    started = time.perf_counter()
    response = await http.get(f"{console_url}{page}", headers={"accept": "text/html"}, follow_redirects=True)
    took = results.timed("page", started)
    if started >= results.warm_from and took > results.slowest_page[0]:
        results.slowest_page = (took, page)
    if response.status_code != 200:
        results.error(f"GET {page}: {response.status_code}")
    started = time.perf_counter()
    whoami = await http.get(f"{console_url}/api/whoami")
    results.timed("whoami", started)
    if whoami.status_code != 200:
        results.error(f"whoami: {whoami.status_code}")
    headers = {"Cookie": cookie, "Origin": console_url}
    ws_url = console_url.replace("http", "ws", 1)
    started = time.perf_counter()
    async with connect(f"{ws_url}/ws/graph", additional_headers=headers, max_size=None) as graph:
        await graph.send(json.dumps(GRAPH_VIEW))
        frame: dict = {}
        while frame.get("type") not in ("snapshot", "error"):  # status frames come first
            frame = json.loads(await asyncio.wait_for(graph.recv(), 30))
        if frame["type"] == "error":
            results.error(f"graph: {str(frame)[:120]}")
    results.timed("graph snapshot", started)
    started = time.perf_counter()
    async with connect(f"{ws_url}/ws/logs/{LOG_POD}?tail=20", additional_headers=headers) as logs:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(logs.recv(), 10)
    results.timed("log lines", started)


async def _session(
    console_url: str, world: SandboxWorld, index: int, deadline: float, stop: asyncio.Event, results: Results
) -> None:
    username = PEOPLE[index % len(PEOPLE)]
    async with httpx.AsyncClient(timeout=60) as http:
        try:
            started = time.perf_counter()
            session_id = await _sign_in(http, console_url, username, world.idp.passwords[username])
            results.session_ids.add(session_id)
            results.latency["sign-in (during warm-up)"].append(time.perf_counter() - started)
        except Exception as error:  # a bench reports, it does not stop
            results.error(f"sign-in {username}: {error!r}")
            return
        cookie = f"console_session={session_id}"
        live = asyncio.create_task(_live_list(console_url, cookie, results, stop))
        round_no = index
        while time.monotonic() < deadline:
            try:
                await _round(http, console_url, cookie, round_no, results)
            except Exception as error:
                results.error(f"{username} round {round_no}: {error!r}")
            round_no += 1
            await asyncio.sleep(5)
        stop.set()
        try:
            await live
        except Exception as error:
            results.error(f"{username} live list: {error!r}")


def _handler_p99(metrics: str) -> float | None:
    """The p99 of every console event handler together, from the histogram's buckets."""
    buckets: dict[float, float] = defaultdict(float)
    for bound, value in re.findall(r'console_event_handler_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)', metrics):
        buckets[float("inf") if bound == "+Inf" else float(bound)] += float(value)
    total = buckets.get(float("inf"), 0.0)
    if not total:
        return None
    for bound in sorted(buckets):
        if buckets[bound] >= 0.99 * total:
            return bound
    return None


def _log_findings(log: Path, session_ids: set[str]) -> tuple[list[str], list[str]]:
    """The console log's error lines, and its lines holding a JWT or one of the soak's session ids."""
    errors, leaks = [], []
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line or line.startswith("Traceback"):
            errors.append(line[:200])
        if JWT.search(line) or any(session_id in line for session_id in session_ids):
            leaks.append(line[:200])
    return errors, leaks


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else (values[0] if values else 0.0)


async def _soak(console_url: str, world: SandboxWorld, sessions: int, minutes: float, rss) -> Results:
    results = Results()
    stop = asyncio.Event()
    deadline = time.monotonic() + minutes * 60
    tasks = [asyncio.create_task(_session(console_url, world, i, deadline, stop, results)) for i in range(sessions)]
    await asyncio.sleep(min(60.0, minutes * 60 / 4))  # warm-up: every session signed in, caches filled
    rss["after warm-up"] = rss["sample"]()
    results.warm_from = time.perf_counter()
    await asyncio.gather(*tasks)
    rss["end"] = rss["sample"]()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--churn", type=float, default=20.0, help="sandbox changes per second")
    args = parser.parse_args()
    port = _free_port()
    console_url = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="soak-") as scratch,
        SandboxWorld(seed=1, churn=args.churn, console_redirect_uris=[f"{console_url}/auth/callback"]) as world,
        console_against(
            world,
            port,
            public_url=console_url,
            state_dir=Path(scratch) / "console",
            host="127.0.0.1",
            log_path=Path(scratch) / "console.log",
        ) as (_, process),
    ):
        console = psutil.Process(process.pid)

        def sample() -> int:
            return sum(p.memory_info().rss for p in [console, *console.children(recursive=True)])

        rss = {"start": sample(), "sample": sample}
        print(f"soak: {args.sessions} sessions for {args.minutes:g} min, churn {args.churn:g}/s", flush=True)
        results = asyncio.run(_soak(console_url, world, args.sessions, args.minutes, rss))
        metrics = httpx.get(f"{console_url}/metrics").text
        log_errors, log_leaks = _log_findings(Path(scratch) / "console.log", results.session_ids)
    growth = (rss["end"] - rss["after warm-up"]) / rss["after warm-up"] * 100
    summary = [
        ("backend RSS after warm-up", f"{rss['after warm-up'] / 2**20:.0f} MiB", "", ""),
        ("backend RSS at the end", f"{rss['end'] / 2**20:.0f} MiB", "", ""),
        ("memory growth", f"{growth:.1f} %", "< 10 %", verdict(growth < 10)),
        ("errors", str(len(results.errors)), "0", verdict(not results.errors)),
        ("error lines in the console's log", str(len(log_errors)), "0", verdict(not log_errors)),
        ("tokens or session ids in the console's log", str(len(log_leaks)), "0", verdict(not log_leaks)),
        ("event socket frames received", str(results.frames), "", ""),
    ]
    for operation, values in sorted(results.latency.items()):
        summary.append((f"{operation} p99 ({len(values)}×)", f"{_p99(values) * 1000:.0f} ms", "", ""))
    slowest, slowest_path = results.slowest_page
    summary.append(("slowest page after warm-up", f"{slowest * 1000:.0f} ms", "", slowest_path))
    handler = _handler_p99(metrics)
    summary.append(("event handler p99 (server)", "—" if handler is None else f"≤ {handler * 1000:.0f} ms", "", ""))
    for error in results.errors[:20]:
        print(f"error: {error}")
    for line in [*log_errors, *log_leaks][:20]:
        print(f"console log: {line}")
    print_summary(summary)


if __name__ == "__main__":
    main()
