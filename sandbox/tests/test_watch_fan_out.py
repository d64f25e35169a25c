"""Watch fan-out under a burst of every kind of change: each watcher gets exactly what the store committed.

Watchers are real HTTP watches, each started from its own list's resourceVersion. The store's own record
(an observer on every commit) is the reference: a watcher must receive the same events for its type,
namespace and selector, in the same order, with no resourceVersion of the record missing.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.storage.watch import Change

BURST_LABEL = ("burst", "yes")
# (path of the collection, storage key) of the watched types; the simulation writes pods and sets too.
TYPES = {
    "pods": ("/api/v1/{namespace}pods", "/pods"),
    "configmaps": ("/api/v1/{namespace}configmaps", "/configmaps"),
    "namespaces": ("/api/v1/namespaces", "/namespaces"),
    "replicasets": ("/apis/apps/v1/{namespace}replicasets", "apps/replicasets"),
    "deployments": ("/apis/apps/v1/{namespace}deployments", "apps/deployments"),
}


@dataclass(frozen=True)
class Event:
    type: str
    resource_version: int
    namespace: str
    name: str


@dataclass(frozen=True)
class Committed:
    """One change as the store recorded it, with what a selector needs to decide who sees it."""

    change_type: str
    resource_version: int
    storage_key: str
    namespace: str
    name: str
    labels: dict[str, str]
    labels_before: dict[str, str] | None


@dataclass
class WatchStream:
    """One HTTP watch and everything it received; `namespace` / `label` narrow it like the query does."""

    plural: str
    namespace: str = ""
    label: tuple[str, str] | None = None
    events: list[Event] = field(default_factory=list)
    started_at: int = 0

    def wants(self, record: Committed) -> str | None:
        """The event type this watch must send for `record` (None: it must not see it), as a watch cache does."""
        if record.storage_key != TYPES[self.plural][1] or (self.namespace and record.namespace != self.namespace):
            return None
        if self.label is None:
            return record.change_type

        def matches(labels: dict[str, str] | None) -> bool:
            return labels is not None and labels.get(self.label[0]) == self.label[1]  # type: ignore[index]

        if record.change_type != "MODIFIED":
            return record.change_type if matches(record.labels) else None
        before, now = matches(record.labels_before), matches(record.labels)
        return "MODIFIED" if before and now else "ADDED" if now else "DELETED" if before else None


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # Its own sandbox: the simulation's writes (kubelet, ReplicaSets) are part of the burst.
    with Sandbox(kube_port=0, seed=3) as running:
        yield running


@pytest.fixture
def record(sandbox: Sandbox) -> Iterator[list[Committed]]:
    """Every change the store commits from now on, in commit order."""
    committed: list[Committed] = []
    recording = True

    def observe(change: Change) -> None:
        if recording:
            metadata, before = change.obj["metadata"], (change.old or {}).get("metadata")
            committed.append(
                Committed(
                    change.type,
                    change.resource_version,
                    change.storage_key,
                    metadata.get("namespace", ""),
                    metadata["name"],
                    dict(metadata.get("labels") or {}),
                    None if before is None else dict(before.get("labels") or {}),
                )
            )

    sandbox.call(sandbox.cluster.store.observe, observe)
    yield committed
    recording = False  # the store keeps its observers; this one just stops writing down


async def _follow(http: httpx.AsyncClient, stream: WatchStream, arrived: asyncio.Condition) -> None:
    path = TYPES[stream.plural][0].format(namespace=f"namespaces/{stream.namespace}/" if stream.namespace else "")
    params = {"labelSelector": f"{stream.label[0]}={stream.label[1]}"} if stream.label else {}
    listed = (await http.get(path, params={**params, "limit": "1"})).json()
    stream.started_at = int(listed["metadata"]["resourceVersion"])
    watch = {**params, "watch": "1", "resourceVersion": str(stream.started_at), "timeoutSeconds": "120"}
    async with http.stream("GET", path, params=watch) as response:
        async for line in response.aiter_lines():
            event = json.loads(line)
            metadata = event["object"]["metadata"]
            received = Event(
                event["type"], int(metadata["resourceVersion"]), metadata.get("namespace", ""), metadata["name"]
            )
            async with arrived:
                stream.events.append(received)
                arrived.notify_all()


@dataclass
class Burst:
    """The writes of the burst, all over HTTP, and waits on what the watchers have seen."""

    http: httpx.AsyncClient
    arrived: asyncio.Condition
    all_pods: WatchStream
    all_namespaces: WatchStream

    async def send(self, method: str, path: str, body: Any = None, **headers: str) -> dict[str, Any]:
        response = await self.http.request(method, path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response.json()

    async def until(self, condition: Callable[[], bool], timeout: float = 30) -> None:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(condition), timeout)

    def live_pods(self, namespace: str) -> set[str]:
        live: set[str] = set()
        for event in self.all_pods.events:
            if event.namespace == namespace:
                (live.discard if event.type == "DELETED" else live.add)(event.name)
        return live

    def namespace_gone(self, name: str) -> bool:
        return any(event.type == "DELETED" and event.name == name for event in self.all_namespaces.events)


def _configmap(name: str, *, labelled: bool = False, owner: dict[str, Any] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": dict([BURST_LABEL]) if labelled else {}}
    if owner is not None:
        reference = {"apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"]}
        metadata["ownerReferences"] = [{**reference, "uid": owner["metadata"]["uid"]}]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"n": name}}


def _pod(name: str, node: str) -> dict[str, Any]:
    """A pod already bound to a node, so deleting it is graceful (1 s)."""
    spec = {"nodeName": node, "terminationGracePeriodSeconds": 1, "containers": [{"name": "c", "image": "busybox"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def _deployment(name: str) -> dict[str, Any]:
    labels = {"app": name}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    spec = {"replicas": 2, "selector": {"matchLabels": labels}, "template": template}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


async def _configmap_churn(burst: Burst, namespace: str) -> None:
    """Creates, label changes in and out of the selector, replaces and deletes, all at once."""
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    merge = {"Content-Type": "application/merge-patch+json"}
    names = [f"cm-{index}" for index in range(30)]
    await asyncio.gather(
        *(burst.send("POST", base, _configmap(name, labelled=i % 2 == 0)) for i, name in enumerate(names))
    )
    await asyncio.gather(
        *(
            burst.send(
                "PATCH", f"{base}/{name}", {"metadata": {"labels": {"burst": "no" if i % 2 == 0 else "yes"}}}, **merge
            )
            for i, name in enumerate(names)
        )
    )
    replaced = [await burst.send("GET", f"{base}/{name}") for name in names[:10]]
    await asyncio.gather(
        *(
            burst.send("PUT", f"{base}/{obj['metadata']['name']}", {**obj, "data": {"n": "replaced"}})
            for obj in replaced
        )
    )
    await asyncio.gather(*(burst.send("DELETE", f"{base}/{name}") for name in names[::3]))


async def _garbage_collection(burst: Burst, namespace: str) -> None:
    """Owners deleted with each propagation policy: dependents collected, collected first, or orphaned."""
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for policy in ("Background", "Foreground", "Orphan"):
        owner = await burst.send("POST", base, _configmap(f"owner-{policy.lower()}", labelled=True))
        await asyncio.gather(
            *(
                burst.send(
                    "POST",
                    base,
                    _configmap(f"{policy.lower()}-dependent-{index}", labelled=index % 2 == 0, owner=owner),
                )
                for index in range(8)
            )
        )
        await burst.send("DELETE", f"{base}/{owner['metadata']['name']}", {"propagationPolicy": policy})


async def _graceful_pods(burst: Burst, namespace: str, node: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    names = [f"graceful-{index}" for index in range(8)]
    await asyncio.gather(*(burst.send("POST", base, _pod(name, node)) for name in names))
    await asyncio.gather(*(burst.send("DELETE", f"{base}/{name}") for name in names))


async def _deployment_cascade(burst: Burst, namespace: str) -> None:
    """A Deployment the simulation rolls out (ReplicaSet, pods), then deleted: GC takes the set and its pods."""
    base = f"/apis/apps/v1/namespaces/{namespace}/deployments"
    await burst.send("POST", base, _deployment("web"))
    await burst.until(lambda: len({name for name in burst.live_pods(namespace) if name.startswith("web-")}) == 2)
    await burst.send("DELETE", f"{base}/web", {"propagationPolicy": "Background"})


async def _drive(burst: Burst, first: str, second: str) -> None:
    """The whole burst, ending once both namespaces are gone (waits go through the watchers)."""
    node = (await burst.send("GET", "/api/v1/nodes"))["items"][0]["metadata"]["name"]
    await asyncio.gather(
        *(burst.send("POST", "/api/v1/namespaces", {"metadata": {"name": n}}) for n in (first, second))
    )
    await asyncio.gather(
        *(_configmap_churn(burst, namespace) for namespace in (first, second)),
        *(_garbage_collection(burst, namespace) for namespace in (first, second)),
        *(_graceful_pods(burst, namespace, node) for namespace in (first, second)),
        _deployment_cascade(burst, first),
    )
    # Graceful deletions and the cascade end on timers: the first namespace runs out of pods by itself.
    await burst.until(lambda: not burst.live_pods(first))
    # Deleting the namespaces sweeps what is left, including a pod whose grace the sweep cuts short.
    await burst.send("POST", f"/api/v1/namespaces/{second}/pods", _pod("swept", node))
    await asyncio.gather(*(burst.send("DELETE", f"/api/v1/namespaces/{n}") for n in (first, second)))
    await burst.until(lambda: burst.namespace_gone(first) and burst.namespace_gone(second))


async def test_every_watcher_receives_exactly_what_the_store_committed(
    sandbox: Sandbox, record: list[Committed]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    first, second = f"burst-a-{suffix}", f"burst-b-{suffix}"
    streams = [WatchStream(plural) for plural in TYPES for _ in range(2)]
    streams += [WatchStream("pods", first), WatchStream("configmaps", second)]
    streams += [WatchStream("configmaps", label=BURST_LABEL), WatchStream("configmaps", first, BURST_LABEL)]
    everything = {stream.plural: stream for stream in streams if not stream.namespace and not stream.label}
    arrived = asyncio.Condition()
    async with httpx.AsyncClient(base_url=sandbox.http_url, timeout=60) as http:
        watching = [asyncio.create_task(_follow(http, stream, arrived)) for stream in streams]
        burst = Burst(http, arrived, everything["pods"], everything["namespaces"])
        try:
            await _drive(burst, first, second)
            finished = True
        except TimeoutError:
            finished = False  # a lost event leaves a wait hanging; the comparison below names it

        end = sandbox.call(lambda: sandbox.cluster.store.resource_version)
        committed = [item for item in sandbox.call(list, record) if item.resource_version <= end]
        expected = {
            id(stream): [
                Event(event_type, item.resource_version, item.namespace, item.name)
                for item in committed
                if item.resource_version > stream.started_at and (event_type := stream.wants(item))
            ]
            for stream in streams
        }
        # Events arrive in commit order: a watcher that has its last expected event has all it will get.
        last = {id(stream): max((e.resource_version for e in expected[id(stream)]), default=0) for stream in streams}
        try:
            await burst.until(
                lambda: all(any(e.resource_version >= last[id(s)] for e in s.events) for s in streams if last[id(s)])
            )
        except TimeoutError:
            pass
        for task in watching:
            task.cancel()

    for stream in streams:
        received = [event for event in stream.events if event.resource_version <= end]
        missing = [event for event in expected[id(stream)] if event not in received]
        unexpected = [event for event in received if event not in expected[id(stream)]]
        watch = f"{stream.plural} namespace={stream.namespace or '*'} selector={stream.label}"
        assert (missing, unexpected) == ([], []), f"{watch}: missing {missing[:5]}, unexpected {unexpected[:5]}"
        assert received == expected[id(stream)], f"{watch}: out of order"
    assert finished, "the burst did not finish"
    assert {item.change_type for item in committed} == {"ADDED", "MODIFIED", "DELETED"}
    assert {item.storage_key for item in committed} >= {storage_key for _, storage_key in TYPES.values()}
