"""The seeded Sovereign's grants are what the reconciler would have made: its first pass over a fresh sandbox
writes no binding (the seed and the algorithm agree on names, labels, subjects, roles and namespaces)."""

from __future__ import annotations

import httpx
import pytest
from reconciler_harness import GRANTS, reconciling

from console.kube.api import KubeApi

pytestmark = pytest.mark.sandbox

SELECTOR = {"labelSelector": "app.kubernetes.io/managed-by=sovereign-console"}


async def _managed(http: httpx.AsyncClient) -> dict[tuple[str, str], dict]:
    found = {}
    for plural in ("rolebindings", "clusterrolebindings"):
        for item in (await http.get(f"/apis/rbac.authorization.k8s.io/v1/{plural}", params=SELECTOR)).json()["items"]:
            found[(item["metadata"].get("namespace", ""), item["metadata"]["name"])] = item
    return found


def _differences(before: dict[tuple[str, str], dict], after: dict[tuple[str, str], dict]) -> list[str]:
    """What the reconciler changed, in words (for the failure message)."""
    changes = [f"created {key}" for key in after.keys() - before.keys()]
    changes += [f"deleted {key}" for key in before.keys() - after.keys()]
    for key in before.keys() & after.keys():
        was = {subject["name"] for subject in before[key]["subjects"]}
        now = {subject["name"] for subject in after[key]["subjects"]}
        if was != now:
            changes.append(f"{key}: subjects -{sorted(was - now)} +{sorted(now - was)}")
    return sorted(changes)


async def test_the_first_pass_over_the_seed_writes_no_binding(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    seeded = await _managed(cluster_http)
    async with reconciling(kube_api) as running:
        stats = running.reconciler.stats
        grants = (await cluster_http.get(GRANTS)).json()["items"]
        assert grants and stats.passes >= len(grants)
        changes = _differences(seeded, await _managed(cluster_http))
        assert (stats.binding_creates, stats.binding_updates, stats.binding_deletes) == (0, 0, 0), changes
        assert stats.finalizer_writes == 0 and stats.failures == 0
