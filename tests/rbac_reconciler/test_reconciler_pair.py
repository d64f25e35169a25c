"""Two consoles, one Lease: only the leader writes; the standby takes over and finds nothing to change."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
from reconciler_harness import GRANTS, bindings_of, create, eventually, grant_manifest, reconciling

from console.kube.api import KubeApi

pytestmark = pytest.mark.sandbox


async def test_only_the_leader_acts_and_the_standby_takes_over_converged(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
):
    async with contextlib.AsyncExitStack() as stack:
        first = await stack.enter_async_context(reconciling(kube_api, lease="pair"))  # leads and has settled
        second = await stack.enter_async_context(reconciling(kube_api, lease="pair", settle=False))
        await create(
            cluster_http, GRANTS, grant_manifest("paired", "admin", scopes={"openova.io/organization": "acme"})
        )
        expected = {("RoleBinding", name) for name in ("acme-dev-billing", "acme-dev-wordpress")}
        expected |= {
            ("RoleBinding", name) for name in ("acme-prod-billing", "acme-prod-storefront", "acme-prod-wordpress")
        }
        await eventually(lambda: _equal(bindings_of(cluster_http, "paired"), expected), "the grant is bound")
        assert first.elector.leading and not second.elector.leading
        assert first.reconciler.stats.binding_creates == len(expected)
        assert second.reconciler.stats.passes == 0 and second.reconciler.stats.writes == 0

        writes_before = first.reconciler.stats.writes
        await stack.aclose()  # both stop; start the standby again alone, as after the leader's pod went away
    async with reconciling(kube_api, lease="pair") as third:
        assert third.elector.leading
        assert third.reconciler.stats.passes > 0 and third.reconciler.stats.writes == 0  # converged: no writes
        assert await bindings_of(cluster_http, "paired") == expected
    assert writes_before > 0


async def _equal(found, expected) -> bool:
    return await found == expected


async def test_a_standby_leads_when_the_leader_stops(kube_api: KubeApi, cluster_http: httpx.AsyncClient):
    leader_context = reconciling(kube_api, lease="relay")
    leader = await leader_context.__aenter__()
    try:
        async with reconciling(kube_api, lease="relay", settle=False) as standby:
            assert leader.elector.leading and not standby.elector.leading
            await leader_context.__aexit__(None, None, None)
            leader_context = None
            await asyncio.wait_for(standby.elector.wait_leading(), 3)
            await asyncio.wait_for(standby.reconciler.wait_settled(), 10)
            await create(cluster_http, GRANTS, grant_manifest("relayed", "viewer"))
            await eventually(
                lambda: _equal(bindings_of(cluster_http, "relayed"), {("ClusterRoleBinding", "")}), "bound"
            )
            assert standby.reconciler.stats.binding_creates == 1
    finally:
        if leader_context is not None:
            await leader_context.__aexit__(None, None, None)
