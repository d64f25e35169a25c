"""What the grant reconciler's tests share: a leader-elected reconciler on the sandbox, grants and namespaces
written as "someone else" (kubectl-like, over plain HTTP), access reviews as a person, and waiting for real
conditions with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from console.kube.api import ActingAs, KubeApi
from console.kube.watch_cache import WatchCache
from console.rbac.keycloak_admin import KeycloakAdmin
from console.rbac.lease import LeaderElector
from console.rbac.reconciler import Reconciler

T = TypeVar("T")
NAMESPACE = "catalyst-system"
GRANTS = f"/apis/access.openova.io/v1alpha1/namespaces/{NAMESPACE}/useraccesses"
SOVEREIGN = "omantel.openova.cloud"


async def eventually(probe: Callable[[], Awaitable[T]], what: str, timeout: float = 10.0) -> T:
    """Ask `probe` until it answers something truthy (a real condition on the cluster), or fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        answer = await probe()
        if answer:
            return answer
        assert loop.time() < deadline, f"not within {timeout:g} s: {what} (last answer {answer!r})"
        await asyncio.sleep(0.05)


@dataclass
class Running:
    reconciler: Reconciler
    elector: LeaderElector
    cache: WatchCache


@contextlib.asynccontextmanager
async def reconciling(
    api: KubeApi,
    *,
    keycloak: KeycloakAdmin | None = None,
    lease: str = "sovereign-console-reconciler",
    settle: bool = True,
    resync_seconds: float = 60.0,
) -> AsyncIterator[Running]:
    """A reconciler campaigning for `lease` with a watch cache of its own (as another process would)."""
    cache = WatchCache(api)
    reconciler = Reconciler(api, cache, NAMESPACE, keycloak=keycloak, resync_seconds=resync_seconds)
    elector = LeaderElector(api, NAMESPACE, lease, lease_seconds=6, renew_seconds=2, retry_seconds=0.2)
    try:
        async with elector.campaigning(reconciler.run):
            if settle:
                await asyncio.wait_for(elector.wait_leading(), 15)
                await asyncio.wait_for(reconciler.wait_settled(), 20)
            yield Running(reconciler, elector, cache)
    finally:
        await cache.close()


def grant_manifest(name: str, tier: str, *, subject: str = "", scopes: dict[str, str] | None = None) -> dict[str, Any]:
    user = {"keycloakSubject": subject or f"sub-{name}"}
    return {
        "apiVersion": "access.openova.io/v1alpha1",
        "kind": "UserAccess",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "user": user,
            "sovereignRef": SOVEREIGN,
            "tier": tier,
            "scopes": [{"key": key, "value": value} for key, value in (scopes or {}).items()],
        },
    }


async def create(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def namespace(http: httpx.AsyncClient, name: str, labels: dict[str, str]) -> None:
    await create(
        http,
        "/api/v1/namespaces",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}},
    )


async def relabel(http: httpx.AsyncClient, name: str, labels: dict[str, str | None]) -> None:
    response = await http.patch(
        f"/api/v1/namespaces/{name}",
        json={"metadata": {"labels": labels}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text


async def grant_object(http: httpx.AsyncClient, name: str) -> dict[str, Any] | None:
    response = await http.get(f"{GRANTS}/{name}")
    return None if response.status_code == 404 else response.json()


def condition(grant: dict[str, Any] | None, kind: str) -> dict[str, Any]:
    for item in ((grant or {}).get("status") or {}).get("conditions") or []:
        if item.get("type") == kind:
            return item
    return {}


async def bindings_of(http: httpx.AsyncClient, grant: str) -> set[tuple[str, str]]:
    """(kind, namespace) of every binding labelled for `grant` ("" namespace: a ClusterRoleBinding)."""
    found = set()
    for plural in ("rolebindings", "clusterrolebindings"):
        response = await http.get(
            f"/apis/rbac.authorization.k8s.io/v1/{plural}",
            params={"labelSelector": f"access.openova.io/useraccess={grant}"},
        )
        for item in response.json()["items"]:
            found.add((item["kind"], item["metadata"].get("namespace", "")))
    return found


async def allowed(api: KubeApi, user: str, verb: str, resource: str, namespace: str = "") -> bool:
    """A SelfSubjectAccessReview made as `user` (impersonated by the console): may they?"""
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": verb, "resource": resource, "namespace": namespace}},
    }
    person = api.as_person(ActingAs(user=user, groups=("system:authenticated",)))
    answer = await person.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
    return bool(answer["status"].get("allowed"))
