"""The process's users & access runtime: its Keycloak Admin client and the leader-elected grant reconciler.

`rbac_lifespan()` runs inside the console backend after the Kubernetes lifespan (it uses that connection and
watch cache); `run_reconciler()` is `console reconcile`: the reconciler alone, with a connection and cache of
its own, until cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from console.kube import runtime as kube_runtime
from console.kube.api import KubeApi, KubeApiError
from console.kube.watch_cache import WatchCache
from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError
from console.rbac.lease import LEASE_NAME, LeaderElector, default_identity
from console.rbac.reconciler import Reconciler
from console.settings import Settings, get_settings

__all__ = ["RbacRuntime", "RbacUnavailable", "current", "keycloak_from", "rbac_lifespan", "run_reconciler"]

log = logging.getLogger(__name__)


class RbacUnavailable(RuntimeError):
    """Users & access cannot work now (the message says why)."""


def keycloak_from(settings: Settings) -> tuple[KeycloakAdmin | None, str]:
    """The console's Keycloak Admin client, or None and why not (OIDC settings missing or malformed)."""
    if not settings.oidc_issuer or not settings.oidc_client_secret:
        return None, "Keycloak administration is not configured: OIDC_ISSUER and OIDC_CLIENT_SECRET are needed"
    try:
        return KeycloakAdmin.from_settings(settings), ""
    except KeycloakAdminError as error:
        return None, str(error)


@dataclass(slots=True)
class RbacRuntime:
    keycloak: KeycloakAdmin | None  # None: Keycloak administration is unavailable (`problem` says why)
    reconciler: Reconciler | None  # None: CONSOLE_RECONCILER=off
    elector: LeaderElector | None
    keycloak_problem: str = ""

    def reconciler_leading(self) -> bool:
        """Whether this process holds the Lease and reconciles grants now."""
        return self.elector is not None and self.elector.leading

    @property
    def problem(self) -> str:
        """What does not work now, in one sentence ("" when everything does)."""
        problems = [self.keycloak_problem] if self.keycloak_problem else []
        if self.reconciler is None:
            problems.append("the grant reconciler is off in this process (CONSOLE_RECONCILER=off)")
        elif self.reconciler_leading() and self.reconciler.problem:
            problems.append(f"the grant reconciler waits: {self.reconciler.problem}")
        elif self.elector is not None and self.elector.problem:
            problems.append(self.elector.problem)
        return "; ".join(problems)


_runtime: RbacRuntime | None = None
_problem = "the console is starting"


def current() -> RbacRuntime:
    """The running runtime; raises `RbacUnavailable` with a readable reason when there is none."""
    if _runtime is None:
        raise RbacUnavailable(_problem)
    return _runtime


def _campaign(
    api: KubeApi,
    cache: WatchCache,
    settings: Settings,
    keycloak: KeycloakAdmin | None,
    *,
    identity: str | None = None,
    on_started: Callable[[], None] | None = None,
    on_stopped: Callable[[], None] | None = None,
) -> RbacRuntime:
    reconciler = Reconciler(api, cache, settings.console_namespace, keycloak=keycloak)
    elector = LeaderElector(
        api, settings.console_namespace, identity=identity, on_started=on_started, on_stopped=on_stopped
    )
    return RbacRuntime(keycloak=keycloak, reconciler=reconciler, elector=elector)


@contextlib.asynccontextmanager
async def rbac_lifespan() -> AsyncIterator[None]:
    """Keycloak administration and, unless CONSOLE_RECONCILER=off, the leader-elected grant reconciler for
    the life of the backend process. Needs the Kubernetes lifespan to be running."""
    global _runtime, _problem
    try:
        kube = kube_runtime.current()
    except kube_runtime.KubeUnavailable as error:
        _problem = f"users & access need the cluster connection: {error}"
        log.error(_problem)
        yield
        return
    settings = get_settings()
    keycloak, keycloak_problem = keycloak_from(settings)
    if settings.reconciler:
        runtime = _campaign(kube.api, kube.cache, settings, keycloak)
    else:
        runtime = RbacRuntime(keycloak=keycloak, reconciler=None, elector=None)
    runtime.keycloak_problem = keycloak_problem
    task = None
    if runtime.elector is not None and runtime.reconciler is not None:
        task = asyncio.create_task(runtime.elector.run(runtime.reconciler.run), name="grant reconciler campaign")
    _runtime = runtime
    try:
        yield
    finally:
        _runtime, _problem = None, "the console is shutting down"
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if keycloak is not None:
            await keycloak.aclose()


async def run_reconciler(settings: Settings, announce: Callable[[str], None]) -> None:
    """`console reconcile`: the leader-elected reconciler alone, until cancelled; `announce` gets one line
    each time this process starts or stops leading.

    Raises:
        RbacUnavailable: the cluster connection cannot be configured (bad kubeconfig, no in-cluster account).
    """
    try:
        api = await KubeApi.connect(settings)
    except KubeApiError as error:
        raise RbacUnavailable(f"cannot configure the cluster connection: {error.message}") from error
    except Exception as error:  # the client library's own configuration errors, worded by it
        hint = "" if settings.kubeconfig else " (no CONSOLE_KUBECONFIG or KUBECONFIG, and not in a pod)"
        raise RbacUnavailable(f"cannot configure the cluster connection{hint}: {error}") from error
    cache = WatchCache(
        api,
        page_size=settings.list_page_size,
        max_backoff_seconds=settings.watch_max_backoff_seconds,
        sync_timeout_seconds=settings.watch_sync_timeout_seconds,
    )
    keycloak, keycloak_problem = keycloak_from(settings)
    if keycloak_problem:
        log.warning("%s; tier group memberships are left alone", keycloak_problem)
    identity, lease = default_identity(), f"{settings.console_namespace}/{LEASE_NAME}"
    runtime = _campaign(
        api,
        cache,
        settings,
        keycloak,
        identity=identity,
        on_started=lambda: announce(
            f"leading (Lease {lease}, identity {identity}): reconciling the UserAccess grants of namespace "
            f"{settings.console_namespace}"
        ),
        on_stopped=lambda: announce(f"stopped leading (Lease {lease})"),
    )
    elector, reconciler = runtime.elector, runtime.reconciler
    assert elector is not None and reconciler is not None
    try:
        await elector.run(reconciler.run)
    finally:
        await cache.close()
        if keycloak is not None:
            await keycloak.aclose()
        await api.close()
