"""The graph WebSocket end to end: real sessions (sandbox IdP), the sandbox cluster, uvicorn, a websockets client."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from socket_server import serving, session_cookie
from sovereign_sandbox.servers import SandboxWorld
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.api import guard
from console.kube import runtime as kube_runtime
from console.kube.registry import KINDS
from console.streams.graph import graph_routes
from console.topology import runtime as topology_runtime

pytestmark = pytest.mark.sandbox

WORDPRESS = "deployments:acme-prod-wordpress/wordpress"
DEFAULT_VIEW = {"type": "view", "lens": "all", "types": None, "group": "namespace", "expanded": [], "focus": ""}


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    async with kube_runtime.kube_lifespan():
        cache = kube_runtime.current().cache
        async with topology_runtime.topology_lifespan(cache, KINDS, "sovereign-omantel.openova.cloud"):
            yield


@contextlib.asynccontextmanager
async def _no_lifespan(app: Starlette) -> AsyncIterator[None]:
    yield


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld(seed=1) as running:
        yield running


@pytest.fixture(scope="module")
def console_url(world: SandboxWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(world, tmp_path_factory.mktemp("state"), graph_routes, _lifespan) as url:
        yield url


@pytest.fixture(scope="module")
def guarded_url(world: SandboxWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same routes behind the console's guard, as `console run` serves them (the guard refuses before any
    route runs, so this server opens no cluster connection of its own)."""
    state = tmp_path_factory.mktemp("guarded")
    with serving(world, state, graph_routes, _no_lifespan, wrap=guard) as url:
        yield url


class _View:
    """The browser's side: the nodes and edges of the snapshot with every delta applied, as the component keeps them."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[str, dict[str, Any]] = {}
        self.types: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []

    async def ask(self, **options: Any) -> None:
        await self.socket.send(json.dumps({**DEFAULT_VIEW, **options}))

    async def until(self, done, timeout: float = 10.0) -> None:
        """Apply frames until `done(self)` holds (the snapshot for the latest ask, then deltas)."""
        async with asyncio.timeout(timeout):
            while not done(self):
                self._apply(json.loads(await self.socket.recv()))

    def _apply(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "snapshot":
            self.nodes = {node["id"]: node for node in frame["nodes"]}
            self.edges = {edge["id"]: edge for edge in frame["edges"]}
            self.types = {entry["type"]: entry for entry in frame["types"]}
        elif frame["type"] == "delta":
            for node in (*frame["nodes"]["added"], *frame["nodes"]["changed"]):
                self.nodes[node["id"]] = node
            for node_id in frame["nodes"]["removed"]:
                self.nodes.pop(node_id, None)
            for edge in frame["edges"]["added"]:
                self.edges[edge["id"]] = edge
            for edge_id in frame["edges"]["removed"]:
                self.edges.pop(edge_id, None)
            for entry in frame.get("types") or ():
                self.types[entry["type"]] = entry
        elif frame["type"] == "error":
            self.errors.append(frame["message"])


@contextlib.asynccontextmanager
async def _opened(console_url: str, cookie: str) -> AsyncIterator[_View]:
    async with connect(f"{console_url}/ws/graph", additional_headers={"Cookie": cookie}, max_size=None) as socket:
        yield _View(socket)


async def test_no_session_is_closed_with_4401(console_url: str) -> None:
    async with connect(f"{console_url}/ws/graph") as socket:
        frames = [json.loads(message) async for message in _until_closed(socket)]
    assert socket.close_code == 4401 and socket.close_reason == "Sign in to see the graph."
    assert frames == [{"type": "status", "state": "error", "message": "Sign in to see the graph."}]


async def test_a_socket_from_a_foreign_origin_is_refused(guarded_url: str, world: SandboxWorld) -> None:
    cookie = await session_cookie(world, "owner")
    headers = {"Cookie": cookie, "Origin": "https://evil.example"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{guarded_url}/ws/graph", additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403  # closed before the handshake completes: no frame at all


async def _until_closed(socket: ClientConnection) -> AsyncIterator[str]:
    with contextlib.suppress(ConnectionClosed):
        async for message in socket:
            yield str(message)


async def test_a_viewer_gets_the_graph_and_a_bad_message_changes_nothing(console_url: str, world: SandboxWorld) -> None:
    async with _opened(console_url, await session_cookie(world, "viewer")) as view:
        await view.ask()
        await view.until(lambda v: WORDPRESS in v.nodes)
        assert view.nodes[WORDPRESS]["href"] == "/cloud/resource/deployments/acme-prod-wordpress/wordpress/overview"
        assert view.types["pods"]["shown"] is False and view.types["pods"]["count"] > 100
        assert not any(node["type"] == "pods" for node in view.nodes.values())  # Pods start off
        before = dict(view.nodes)

        await view.socket.send("not json")
        await view.ask(group="galaxy")
        await view.until(lambda v: len(v.errors) == 2)
        assert view.errors[0] == "a message must be a JSON object"
        assert "group" in view.errors[1]
        assert view.nodes == before


async def test_a_deployment_appears_and_vanishes_live(console_url: str, world: SandboxWorld) -> None:
    node = "deployments:acme-dev-wordpress/graph-probe"
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "graph-probe", "namespace": "acme-dev-wordpress"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "graph-probe"}},
            "template": {
                "metadata": {"labels": {"app": "graph-probe"}},
                "spec": {"containers": [{"name": "probe", "image": "busybox:1.36"}]},
            },
        },
    }
    collection = "/apis/apps/v1/namespaces/acme-dev-wordpress/deployments"
    async with _opened(console_url, await session_cookie(world, "viewer")) as view:
        await view.ask()
        await view.until(lambda v: WORDPRESS in v.nodes)
        async with httpx.AsyncClient(base_url=world.cluster.http_url, timeout=10) as cluster:
            (await cluster.post(collection, json=manifest)).raise_for_status()
            await view.until(lambda v: node in v.nodes, timeout=2.0)
            assert view.nodes[node]["group"] == "group:namespace:acme-dev-wordpress"
            (await cluster.delete(f"{collection}/graph-probe")).raise_for_status()
            await view.until(lambda v: node not in v.nodes, timeout=2.0)


async def test_a_configmaps_dependents_are_the_pods_that_mount_it(console_url: str, world: SandboxWorld) -> None:
    origin = "configmaps:acme-prod-wordpress/wordpress-config"
    async with _opened(console_url, await session_cookie(world, "viewer")) as view:
        await view.ask(focus=origin, direction="dependents", hops=3)
        await view.until(lambda v: origin in v.nodes)
        pods = {node["name"] for node in view.nodes.values() if node["type"] == "pods"}
        assert pods and all(name.startswith("wordpress") for name in pods)
        assert WORDPRESS in view.nodes and view.nodes[WORDPRESS]["focus"] == "dependents"
        assert view.nodes[origin]["focus"] == "origin"

        await view.ask(focus="configmaps:acme-prod-wordpress/no-such-map")
        await view.until(lambda v: v.errors)
        assert "no-such-map" in view.errors[0]


async def test_a_developer_sees_no_node_from_a_namespace_they_may_not_list(
    console_url: str, world: SandboxWorld
) -> None:
    token = await _access_token(world, "developer")
    async with _opened(console_url, await session_cookie(world, "developer")) as view:
        await view.ask(types=["deployments", "services", "pods", "configmaps", "namespaces"])
        await view.until(lambda v: any(node["type"] == "deployments" for node in v.nodes.values()))
        # The API server's own answer, asked with the developer's token: where may they list pods, and how many?
        readable, pods = await _pods_readable_with(world, token)
        await view.until(lambda v: v.types["pods"]["count"] == pods)  # what their Pods list would count
        shown = {node["namespace"] for node in view.nodes.values() if node["namespace"]}
    assert readable and shown and shown <= readable
    assert "acme-prod-wordpress" not in shown


async def _pods_readable_with(world: SandboxWorld, token: str) -> tuple[set[str], int]:
    async with httpx.AsyncClient(base_url=world.cluster.http_url, timeout=10) as cluster:
        namespaces = (await cluster.get("/api/v1/namespaces")).json()["items"]
        readable, pods = set(), 0
        for namespace in (item["metadata"]["name"] for item in namespaces):
            answer = await cluster.get(
                f"/api/v1/namespaces/{namespace}/pods", headers={"Authorization": f"Bearer {token}"}
            )
            if answer.status_code == 200:
                readable.add(namespace)
                pods += len(answer.json()["items"])
    return readable, pods


async def _access_token(world: SandboxWorld, username: str) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{world.idp.issuer}/protocol/openid-connect/token",
            data={"grant_type": "password", "username": username, "password": world.idp.passwords[username]},
            auth=(world.idp.console_client_id, world.idp.console_client_secret),
        )
    return str(response.raise_for_status().json()["access_token"])
