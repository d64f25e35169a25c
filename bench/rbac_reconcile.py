"""Speed figures for the grant reconciler (console/rbac/reconciler.py) against an in-process sandbox:

1. convergence of a backlog: `grants` UserAccess grants over `namespaces` labelled namespaces, all written
   before the (leader-elected) reconciler starts; from its start until every grant is reconciled (its first
   full pass done and its queue empty), checked afterwards on the cluster (every grant's status, the bindings);
2. the API calls it made for that, by method (lists, watches, creates, patches, deletes), counted in KubeApi;
3. one more grant: from its creation until a SelfSubjectAccessReview as its user says yes;
4. a namespace relabelled into the scope of the grants of one application: until their bindings are there;
5. a standby taking over a converged cluster: from the leader's stop until the standby has made its first full
   pass, and the writes that pass made (should be none).

Grants: 10 % viewers of the whole cluster (a ClusterRoleBinding each), 30 % developers of one application
(the tier's enforced env-type=dev applies), 60 % operators of one application's prod namespaces.

Each runs twice: as cluster-admin (the sandbox skips RBAC for system:masters: the reconciler's own speed) and as
the console's service account (production; the sandbox's RBAC authorizer re-indexes every binding after each
RBAC write, so thousands of binding creates cost it O(n²)).

Run: `.venv/bin/python bench/rbac_reconcile.py [grants] [namespaces]` (default 1000 500); prints figures, asserts
nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from harness import print_summary, verdict
from sovereign_sandbox.apiserver.server import Sandbox

from console.kube.api import ActingAs, KubeApi
from console.kube.watch_cache import WatchCache
from console.rbac.lease import LeaderElector
from console.rbac.reconciler import Reconciler
from console.settings import get_settings

NAMESPACE = "catalyst-system"
GRANTS = f"/apis/access.openova.io/v1alpha1/namespaces/{NAMESPACE}/useraccesses"
APPLICATIONS = 50
WRITERS = 16  # concurrent writes while the world is set up
CONVERGE_TARGET_SECONDS = 30.0
EFFECTIVE_TARGET_SECONDS = 30.0  # rbac.md; ~1 s is typical


class CountingKubeApi(KubeApi):
    """KubeApi counting every request it makes, by method (a watch counts as `WATCH`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: Counter[str] = Counter()

    async def _request(self, method: str, path: str, query: Any, timeout: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls["WATCH" if (query or {}).get("watch") else method] += 1
        return await super()._request(method, path, query, timeout, *args, **kwargs)


def _namespace(index: int) -> dict[str, Any]:
    labels = {
        "openova.io/application": f"app-{index % APPLICATIONS}",
        "openova.io/env-type": "dev" if index % 3 == 0 else "prod",
        "openova.io/organization": f"org-{index % 10}",
    }
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"bench-{index:04d}", "labels": labels}}


def _grant(index: int) -> dict[str, Any]:
    application = {"key": "openova.io/application", "value": f"app-{index % APPLICATIONS}"}
    if index % 10 == 0:
        tier, scopes = "viewer", []
    elif index % 10 <= 3:
        tier, scopes = "developer", [application]
    else:
        tier, scopes = "operator", [application, {"key": "openova.io/env-type", "value": "prod"}]
    return {
        "apiVersion": "access.openova.io/v1alpha1",
        "kind": "UserAccess",
        "metadata": {"name": f"bench-{index:05d}", "namespace": NAMESPACE},
        "spec": {
            "user": {"keycloakSubject": f"bench-user-{index}"},
            "sovereignRef": "omantel.openova.cloud",
            "tier": tier,
            "scopes": scopes,
        },
    }


async def _write_all(http: httpx.AsyncClient, path: str, bodies: list[dict[str, Any]]) -> None:
    limit = asyncio.Semaphore(WRITERS)

    async def one(body: dict[str, Any]) -> None:
        async with limit:
            response = await http.post(path, json=body)
            response.raise_for_status()

    await asyncio.gather(*(one(body) for body in bodies))


async def _until(probe: Callable[[], Awaitable[bool]], timeout: float = 120.0) -> float:
    """Seconds until `probe` holds (asked every 10 ms)."""
    started = time.perf_counter()
    while not await probe():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the condition did not hold in time")
        await asyncio.sleep(0.01)
    return time.perf_counter() - started


def _campaign(api: KubeApi) -> tuple[Reconciler, LeaderElector, WatchCache]:
    cache = WatchCache(api)
    reconciler = Reconciler(api, cache, NAMESPACE)
    return reconciler, LeaderElector(api, NAMESPACE, retry_seconds=0.2), cache


async def _converged(http: httpx.AsyncClient) -> tuple[int, int, int]:
    """(grants reconciled, grants, managed bindings) as the cluster holds them."""
    grants = (await http.get(GRANTS)).json()["items"]
    done = 0
    for grant in grants:
        status = grant.get("status") or {}
        conditions = {item["type"]: item["status"] for item in status.get("conditions") or []}
        if (
            status.get("observedGeneration") == grant["metadata"]["generation"]
            and conditions.get("BindingsReconciled") == "True"
        ):
            done += 1
    selector = {"labelSelector": "app.kubernetes.io/managed-by=sovereign-console"}
    bindings = 0
    for plural in ("rolebindings", "clusterrolebindings"):
        bindings += len(
            (await http.get(f"/apis/rbac.authorization.k8s.io/v1/{plural}", params=selector)).json()["items"]
        )
    return done, len(grants), bindings


async def _measure(sandbox: Sandbox, kubeconfig: Path, grants: int, namespaces: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"grants": grants, "namespaces": namespaces}
    async with httpx.AsyncClient(base_url=sandbox.http_url, timeout=60) as http:
        started = time.perf_counter()
        await _write_all(http, "/api/v1/namespaces", [_namespace(index) for index in range(namespaces)])
        await _write_all(http, GRANTS, [_grant(index) for index in range(grants)])
        figures["setup_seconds"] = time.perf_counter() - started

        settings = dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context="")
        api = await CountingKubeApi.connect(settings)
        assert isinstance(api, CountingKubeApi)
        reconciler, elector, cache = _campaign(api)
        started, cpu_started = time.perf_counter(), time.thread_time()
        campaign = asyncio.create_task(elector.run(reconciler.run))
        await elector.wait_leading()
        await reconciler.wait_settled()
        figures["converge_seconds"] = time.perf_counter() - started
        # This thread runs the reconciler (and its HTTP client); the sandbox serves from a thread of its own.
        figures["converge_client_cpu_seconds"] = time.thread_time() - cpu_started
        done, total, bindings = await _converged(http)
        figures.update(reconciled=done, total_grants=total, bindings=bindings, api_calls=dict(api.calls))
        figures["writes"] = dataclasses.asdict(reconciler.stats)

        extra = _grant(grants)
        extra["metadata"]["name"], extra["spec"]["scopes"] = "bench-late", []
        person = api.as_person(ActingAs(user=f"oidc:{extra['spec']['user']['keycloakSubject']}"))
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": "list", "resource": "pods", "namespace": "bench-0001"}},
        }

        async def effective() -> bool:
            answer = await person.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
            return bool(answer["status"].get("allowed"))

        (await http.post(GRANTS, json=extra)).raise_for_status()
        figures["new_grant_effective_seconds"] = await _until(effective)

        # bench-0001 is app-1 (prod): move it to app-4, into the scope of app-4's operators (prod).
        moved_into = [index for index in range(grants) if index % APPLICATIONS == 4]

        async def bound() -> bool:
            found = await http.get(
                "/apis/rbac.authorization.k8s.io/v1/namespaces/bench-0001/rolebindings",
                params={"labelSelector": "app.kubernetes.io/managed-by=sovereign-console"},
            )
            names = {item["metadata"]["labels"]["access.openova.io/useraccess"] for item in found.json()["items"]}
            return {f"bench-{index:05d}" for index in moved_into} <= names

        patch = {"metadata": {"labels": {"openova.io/application": "app-4"}}}
        response = await http.patch(
            "/api/v1/namespaces/bench-0001", json=patch, headers={"Content-Type": "application/merge-patch+json"}
        )
        response.raise_for_status()
        figures["relabel_seconds"] = await _until(bound)
        figures["relabel_grants"] = len(moved_into)

        standby_api = await CountingKubeApi.connect(settings)
        assert isinstance(standby_api, CountingKubeApi)
        standby, standby_elector, standby_cache = _campaign(standby_api)
        standby_campaign = asyncio.create_task(standby_elector.run(standby.run))
        stopped = time.perf_counter()
        campaign.cancel()
        await asyncio.gather(campaign, return_exceptions=True)
        await standby_elector.wait_leading()
        await standby.wait_settled()
        figures["takeover_seconds"] = time.perf_counter() - stopped
        figures["takeover_writes"] = standby.stats.writes
        figures["takeover_api_calls"] = dict(standby_api.calls)
        standby_campaign.cancel()
        await asyncio.gather(standby_campaign, return_exceptions=True)
        for closing in (cache, standby_cache):
            await closing.close()
        await api.close()
        await standby_api.close()
    return figures


def measure_reconcile(grants: int = 1000, namespaces: int = 500, *, identity: str = "service-account") -> dict:
    """Run the reconciler over `grants` grants and `namespaces` namespaces in a fresh sandbox; the figures.

    `identity`: "service-account" (the console's, as in production: every request authorized by the sandbox's
    RBAC) or "cluster-admin" (system:masters, which the sandbox never runs through RBAC: the reconciler's own
    speed, without the sandbox's authorizer, which re-indexes every binding after each RBAC write).
    """
    with tempfile.TemporaryDirectory(prefix="bench-rbac-") as scratch:
        with Sandbox(host="127.0.0.1", kube_port=0, seed=1, simulate=False) as sandbox:
            token = sandbox.admin_token if identity == "cluster-admin" else sandbox.console_token
            kubeconfig = sandbox.write_kubeconfig(Path(scratch) / "kubeconfig", token=token)
            figures = asyncio.run(_measure(sandbox, kubeconfig, grants, namespaces))
            return {**figures, "identity": identity}


def _report(figures: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    calls = figures["api_calls"]
    by_method = ", ".join(f"{method} {count:,}" for method, count in sorted(calls.items()))
    writes = figures["writes"]
    print(f"\nas {figures['identity']}:")
    print(
        f"{figures['grants']:,} grants over {figures['namespaces']:,} namespaces (set up in "
        f"{figures['setup_seconds']:.1f} s): {figures['reconciled']:,}/{figures['total_grants']:,} grants reconciled, "
        f"{figures['bindings']:,} managed bindings"
    )
    print(
        f"API calls to converge: {sum(calls.values()):,} ({by_method}); "
        f"writes: {writes['binding_creates']:,} binding creates, {writes['binding_updates']:,} updates, "
        f"{writes['binding_deletes']:,} deletes, {writes['finalizer_writes']:,} finalizers, "
        f"{writes['status_writes']:,} statuses; {writes['passes']:,} grant passes"
    )
    print(
        f"CPU of the reconciler's thread while converging: {figures['converge_client_cpu_seconds']:.1f} s "
        f"(the rest of the wall time is the in-process sandbox API server serving the writes)"
    )
    print(
        f"takeover by a standby: {figures['takeover_writes']} writes, API calls "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(figures['takeover_api_calls'].items()))}"
    )
    who = figures["identity"]
    return [
        (
            f"backlog converged ({who})",
            f"{figures['converge_seconds']:.1f} s",
            f"< {CONVERGE_TARGET_SECONDS:.0f} s",
            verdict(figures["converge_seconds"] < CONVERGE_TARGET_SECONDS),
        ),
        (
            f"new grant effective, SSAR yes ({who})",
            f"{figures['new_grant_effective_seconds'] * 1000:.0f} ms",
            f"< {EFFECTIVE_TARGET_SECONDS:.0f} s",
            verdict(figures["new_grant_effective_seconds"] < EFFECTIVE_TARGET_SECONDS),
        ),
        (
            f"namespace into {figures['relabel_grants']} grants' scope ({who})",
            f"{figures['relabel_seconds'] * 1000:.0f} ms",
            f"< {EFFECTIVE_TARGET_SECONDS:.0f} s",
            verdict(figures["relabel_seconds"] < EFFECTIVE_TARGET_SECONDS),
        ),
        (
            f"standby takeover, first pass ({who})",
            f"{figures['takeover_seconds']:.1f} s",
            f"< {CONVERGE_TARGET_SECONDS:.0f} s",
            verdict(figures["takeover_seconds"] < CONVERGE_TARGET_SECONDS and figures["takeover_writes"] == 0),
        ),
    ]


def main() -> None:
    grants = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    namespaces = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    summary = _report(measure_reconcile(grants, namespaces, identity="cluster-admin"))
    summary += _report(measure_reconcile(grants, namespaces))
    print_summary(summary)


if __name__ == "__main__":
    main()
