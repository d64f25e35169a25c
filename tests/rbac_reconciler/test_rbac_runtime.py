"""The backend's users & access runtime on the sandbox: after the Kubernetes lifespan it campaigns for the
reconciler's Lease and leads; Keycloak administration is None (with the reason) without OIDC settings;
CONSOLE_RECONCILER=off leaves the reconciler out; and the settings it reads are checked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reconciler_harness import GRANTS, bindings_of, create, eventually, grant_manifest

from console.kube.runtime import kube_lifespan
from console.rbac import runtime
from console.rbac.runtime import RbacUnavailable, rbac_lifespan
from console.settings import get_settings

pytestmark = pytest.mark.sandbox


@pytest.fixture
def configured(console_kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("CONSOLE_KUBECONFIG", str(console_kubeconfig))
    monkeypatch.setenv("CONSOLE_KUBE_CONTEXT", "")
    monkeypatch.setenv("CONSOLE_PREWARM_KINDS", "v1/namespaces")
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_SECRET", "CONSOLE_RECONCILER", "CONSOLE_NAMESPACE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


async def test_the_backend_leads_and_reconciles(configured: pytest.MonkeyPatch, cluster_http: httpx.AsyncClient):
    with pytest.raises(RbacUnavailable):  # before the lifespan ("starting", or "shutting down" after an earlier one)
        runtime.current()
    async with kube_lifespan(), rbac_lifespan():
        rbac = runtime.current()
        assert rbac.keycloak is None and rbac.elector is not None
        assert "Keycloak administration is not configured" in rbac.problem
        await asyncio.wait_for(rbac.elector.wait_leading(), 10)
        assert rbac.reconciler_leading()
        await create(cluster_http, GRANTS, grant_manifest("backend", "viewer"))
        await eventually(lambda: bindings_of(cluster_http, "backend"), "the backend binds the grant")
    with pytest.raises(RbacUnavailable, match="shutting down"):
        runtime.current()
    lease = await cluster_http.get(
        "/apis/coordination.k8s.io/v1/namespaces/catalyst-system/leases/sovereign-console-reconciler"
    )
    assert lease.json()["spec"]["holderIdentity"] == ""  # released on shutdown


async def test_the_reconciler_can_be_switched_off(configured: pytest.MonkeyPatch):
    configured.setenv("CONSOLE_RECONCILER", "off")
    get_settings.cache_clear()
    async with kube_lifespan(), rbac_lifespan():
        rbac = runtime.current()
        assert rbac.reconciler is None and not rbac.reconciler_leading()
        assert "CONSOLE_RECONCILER=off" in rbac.problem


async def test_without_the_cluster_connection_it_says_why(configured: pytest.MonkeyPatch):
    configured.setenv("CONSOLE_KUBECONFIG", "/nowhere/kubeconfig")
    get_settings.cache_clear()
    async with kube_lifespan(), rbac_lifespan():
        with pytest.raises(RbacUnavailable, match="users & access need the cluster connection: .*does not exist"):
            runtime.current()


def test_settings_default_and_validate(configured: pytest.MonkeyPatch):
    settings = get_settings()
    assert (settings.console_namespace, settings.reconciler) == ("catalyst-system", True)
    configured.setenv("CONSOLE_NAMESPACE", "console")
    configured.setenv("CONSOLE_RECONCILER", "OFF")
    get_settings.cache_clear()
    assert (get_settings().console_namespace, get_settings().reconciler) == ("console", False)
    configured.setenv("CONSOLE_RECONCILER", "maybe")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="CONSOLE_RECONCILER must be 'on' or 'off', got 'maybe'"):
        get_settings()
    configured.setenv("CONSOLE_RECONCILER", "on")
    configured.setenv("CONSOLE_NAMESPACE", "-" * 64)
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="CONSOLE_NAMESPACE must be a namespace name"):
        get_settings()
