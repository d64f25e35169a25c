"""The log WebSocket end to end: a real session (sandbox IdP), the sandbox cluster, uvicorn and a websockets client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from socket_server import serving, session_cookie
from sovereign_sandbox.servers import SandboxWorld
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from console.kube.logs import instant_of
from console.kube.runtime import kube_lifespan
from console.streams import log_routes

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld(seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def console_url(world: SandboxWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The log routes served by uvicorn, configured from the environment as the console is."""
    with serving(world, tmp_path_factory.mktemp("state"), log_routes, lambda app: kube_lifespan()) as url:
        yield url


async def _frames(url: str, cookie: str = "") -> tuple[list[dict], int | None, str]:
    """Every frame until the server closes, then the close code and reason."""
    frames: list[dict] = []
    headers = {"Cookie": cookie} if cookie else {}
    async with connect(url, additional_headers=headers, max_size=None) as websocket:
        try:
            async for message in websocket:
                frames.append(json.loads(message))
        except ConnectionClosed:
            pass
    return frames, websocket.close_code, websocket.close_reason or ""


def _lines(frames: list[dict]) -> list[dict]:
    lines: list[dict] = []
    for frame in frames:
        if frame["type"] == "line":
            lines.append({key: frame[key] for key in ("pod", "container", "time", "text")})
        elif frame["type"] == "lines":
            lines.extend(frame["lines"])
    return lines


async def test_no_session_is_closed_with_4401(console_url: str) -> None:
    frames, code, reason = await _frames(f"{console_url}/ws/logs/acme-prod-storefront/anything")
    assert code == 4401 and reason == "Sign in to read logs."
    assert frames == [{"type": "status", "state": "error", "attempt": 0, "message": "Sign in to read logs."}]


async def test_a_person_without_pod_logs_is_closed_with_4403(console_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "newcomer")
    frames, code, reason = await _frames(f"{console_url}/ws/logs/acme-prod-storefront/some-pod", cookie)
    assert code == 4403 and reason == "You may not read logs of pod some-pod"


async def test_bad_options_are_closed_with_4400(console_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "viewer")
    _, code, reason = await _frames(f"{console_url}/ws/logs/acme-prod-storefront/x?since=soon", cookie)
    assert code == 4400 and "since must look like" in reason


async def test_a_viewer_reads_a_deployment_and_the_socket_closes_at_the_end(
    console_url: str, world: SandboxWorld
) -> None:
    cookie = await session_cookie(world, "viewer")
    url = f"{console_url}/ws/logs/acme-prod-storefront/storefront?kind=deployment&tail=5"
    frames, code, _ = await _frames(url, cookie)
    assert frames[0]["type"] == "status" and frames[0]["state"] == "streaming" and frames[0]["attempt"] == 0
    assert frames[-1]["type"] == "status" and frames[-1]["state"] == "closed"
    assert code == 1000
    lines = _lines(frames)
    assert len(lines) == 15 and len({line["pod"] for line in lines}) == 3
    assert all(line["time"].endswith("Z") and line["container"] == "storefront" for line in lines)


async def test_an_unknown_container_is_explained(console_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "viewer")
    url = f"{console_url}/ws/logs/acme-prod-storefront/storefront?kind=deployment&container=nope"
    frames, code, reason = await _frames(url, cookie)
    assert code == 4400 and "container nope is not valid for pod storefront-" in reason
    assert frames[-1]["state"] == "error"


async def test_following_sends_new_lines_and_resumes_from_a_client_stamp(console_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "viewer")
    base = f"{console_url}/ws/logs/acme-prod-storefront/storefront?kind=deployment"
    frames, _, _ = await _frames(f"{base}&tail=3", cookie)
    last = _lines(frames)[-1]
    async with connect(f"{base}&follow=1&sinceTime={last['time']}&seen=1", additional_headers={"Cookie": cookie}) as ws:
        followed: list[dict] = []
        while len(followed) < 3:
            frame = json.loads(await ws.recv())
            followed.extend(_lines([frame]))
    assert last not in followed
    assert all(instant_of(line["time"]) >= instant_of(last["time"]) for line in followed)


async def test_throughput(console_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "viewer")
    url = f"{console_url}/ws/logs/kube-system/cilium?kind=daemonset&tail=all"
    started = time.perf_counter()
    frames, code, _ = await _frames(url, cookie)
    elapsed = time.perf_counter() - started
    lines = _lines(frames)
    rate = len(lines) / elapsed
    print(f"\nlog socket: {len(lines)} lines in {len(frames)} frames, {elapsed:.2f} s, {rate:,.0f} lines/s")
    assert code == 1000 and len(lines) > 10_000
    assert rate > 1_000  # a very coarse guard; the figure above is what matters
