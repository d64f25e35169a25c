"""The grant reconciler (rbac.md): keeps every UserAccess's RoleBindings / ClusterRoleBinding, finalizer,
Keycloak tier membership and status in line with the grant, the namespaces' labels and the tier ClusterRoles.

It follows five kinds through the shared watch cache (UserAccess, Namespaces, ClusterRoles, RoleBindings,
ClusterRoleBindings; a standalone reconciler gives it a cache of its own) and queues a grant whenever
something that decides its bindings moves: the grant itself, a namespace entering or leaving its scopes, its
tier's ClusterRole, or one of its bindings (drift is put back). Every `resync_seconds` every grant is queued
again and bindings whose grant is gone are removed. Only grants in the console's namespace are reconciled:
the reconciler binds with the console's authority, so a grant elsewhere (where more people may write) is
never honoured. A pass that finds nothing to change writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.kube.api import KubeApi, KubeApiError, ResourcePath
from console.kube.kind_watch import KindWatch
from console.kube.objects import labels_of, metadata_of, name_of
from console.kube.watch_cache import WatchCache, wait_any
from console.rbac.bindings import (
    CLUSTER_ROLE_BINDING,
    ROLE_BINDING,
    TIER_BINDING_LABEL,
    desired_bindings,
    diff_bindings,
    grant_label,
)
from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError
from console.rbac.reconciler_index import BindingIndex, RecentWrites
from console.rbac.reconciler_keycloak import TierMembership
from console.rbac.reconciler_queue import WorkQueue
from console.rbac.reconciler_status import (
    bindings_condition,
    enforced_condition,
    invalid_conditions,
    keycloak_condition,
    status_document,
    tier_missing_conditions,
    tier_resolved_condition,
)
from console.rbac.reconciler_writes import ReconcileStats, Writer
from console.rbac.scopes import Scope, matches
from console.rbac.tiers import TIER_LABEL, UnknownTier, tier_named
from console.rbac.useraccess import GROUP, PLURAL, VERSION, GrantInvalid, UserAccess

__all__ = ["RESOURCES", "ReconcileStats", "Reconciler"]

log = logging.getLogger(__name__)

_RBAC = "rbac.authorization.k8s.io"
USERACCESSES = ResourcePath(GROUP, VERSION, PLURAL)
NAMESPACES = ResourcePath("", "v1", "namespaces")
CLUSTER_ROLES = ResourcePath(_RBAC, "v1", "clusterroles")
ROLE_BINDINGS = ResourcePath(_RBAC, "v1", "rolebindings")
CLUSTER_ROLE_BINDINGS = ResourcePath(_RBAC, "v1", "clusterrolebindings")
RESOURCES = (USERACCESSES, NAMESPACES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS)
_TIER_ROLE_PREFIX = "openova:tier-"


@dataclass(frozen=True, slots=True)
class _Reach:
    """Where a reconciled grant reaches, to tell which namespace changes concern it."""

    label: str
    scopes: tuple[Scope, ...]
    cluster_wide: bool


def _namespace_labels(watch: KindWatch) -> dict[str, dict[str, str]]:
    """Every namespace that can hold bindings (not terminating) and its labels."""
    return {
        name_of(obj): labels_of(obj)
        for obj in watch.objects()
        if not metadata_of(obj).get("deletionTimestamp") and (obj.get("status") or {}).get("phase") != "Terminating"
    }


class Reconciler:
    """Reconciles the UserAccess grants of one namespace; `run()` does it until cancelled."""

    def __init__(
        self,
        api: KubeApi,
        cache: WatchCache,
        namespace: str,
        *,
        keycloak: KeycloakAdmin | None = None,
        resync_seconds: float = 60.0,
        workers: int = 4,
    ) -> None:
        self.namespace = namespace
        self.stats = ReconcileStats()
        self.problem = ""  # why the reconciler cannot work now ("" when it can)
        self._api = api
        self._cache = cache
        self._membership = TierMembership(keycloak) if keycloak is not None else None
        self._resync_seconds = resync_seconds
        self._worker_count = max(1, workers)
        self._index = BindingIndex()
        self._grant_writes = RecentWrites()
        self._writer = Writer(api, self._index, self._grant_writes, self.stats)
        self._queue = WorkQueue()
        self._watches: dict[ResourcePath, KindWatch] = {}
        self._bookmarks: dict[ResourcePath, int] = {}
        self._namespaces: dict[str, dict[str, str]] = {}
        self._reach: dict[str, _Reach] = {}  # by grant key, as last reconciled
        self._keys_by_label: dict[str, str] = {}
        self._settled = asyncio.Event()

    async def run(self) -> None:
        """Follow the cluster and reconcile until cancelled."""
        self._index = BindingIndex()
        self._writer = Writer(self._api, self._index, self._grant_writes, self.stats)
        self._queue, self._bookmarks, self._reach = WorkQueue(), {}, {}
        self._watches = {resource: self._cache.acquire(resource) for resource in RESOURCES}
        workers: list[asyncio.Task[None]] = []
        try:
            await self._wait_synced()
            workers = [asyncio.create_task(self._work(), name=f"grant worker {n}") for n in range(self._worker_count)]
            await self._follow()
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._queue.close()
            self._settled.clear()
            for resource in self._watches:
                self._cache.release(resource)
            self._watches = {}

    async def wait_settled(self) -> None:
        """Return once the first full pass over every grant is done and nothing is queued."""
        await self._settled.wait()
        await self._queue.wait_idle()

    async def _wait_synced(self) -> None:
        while True:
            pending = [watch for watch in self._watches.values() if not watch.synced]
            if not pending:
                self.problem = ""
                return
            failing = [watch for watch in pending if watch.status.state in ("error", "unreachable")]
            problem = "; ".join(self._describe(watch) for watch in failing) or "listing grants, namespaces and roles…"
            if problem != self.problem and failing:
                log.warning("the grant reconciler waits: %s", problem)
            self.problem = problem
            await wait_any(pending, {id(watch): watch.revision for watch in pending}, timeout=5.0)

    @staticmethod
    def _describe(watch: KindWatch) -> str:
        if watch.resource == USERACCESSES and watch.status.not_served:
            return (
                "the cluster does not serve UserAccess (access.openova.io/v1alpha1): apply deploy/crds/useraccess.yaml"
            )
        return f"{watch.resource.collection()}: {watch.status.describe()}"

    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        next_resync = loop.time()
        watches = list(self._watches.values())
        while True:
            seen = {id(watch): watch.revision for watch in watches}
            self._absorb()
            if loop.time() >= next_resync:
                self._resync()
                next_resync = loop.time() + self._resync_seconds
                if not self._settled.is_set():
                    self._settled.set()
            await wait_any(watches, seen, timeout=max(0.0, next_resync - loop.time()))

    def _changed(self, resource: ResourcePath) -> list[str] | None:
        """Cache keys of `resource` changed since the last look; None: unknown (look at everything)."""
        watch = self._watches[resource]
        bookmark = self._bookmarks.get(resource)
        self._bookmarks[resource] = watch.change_count
        return None if bookmark is None else watch.changed_since(bookmark)

    def _grant_keys(self) -> list[str]:
        return [
            f"{self.namespace}/{name_of(obj)}"
            for obj in self._watches[USERACCESSES].objects()
            if metadata_of(obj).get("namespace") == self.namespace
        ]

    def _key_for(self, label: str) -> str:
        return self._keys_by_label.get(label, f"{self.namespace}/{label}")

    def _absorb(self) -> None:
        """Queue the grants that what changed in the cache concerns."""
        grant_keys = self._changed(USERACCESSES)
        for key in self._grant_keys() if grant_keys is None else grant_keys:
            namespace, _, name = key.partition("/")
            if namespace == self.namespace:
                self._keys_by_label[grant_label(name)] = key
                self._queue.add(key)
        touched = self._index.absorb(ROLE_BINDING, self._watches[ROLE_BINDINGS])
        touched |= self._index.absorb(CLUSTER_ROLE_BINDING, self._watches[CLUSTER_ROLE_BINDINGS])
        self._queue.add_all({self._key_for(label) for label in touched})
        namespace_keys = self._changed(NAMESPACES)
        if namespace_keys is None or namespace_keys:
            self._namespaces_moved(None if namespace_keys is None else set(namespace_keys))
        role_keys = self._changed(CLUSTER_ROLES)
        if role_keys is None or any(key.startswith(_TIER_ROLE_PREFIX) for key in role_keys):
            self._queue.add_all(self._grant_keys())

    def _namespaces_moved(self, names: set[str] | None) -> None:
        """Queue the grants a namespace now enters or leaves (created, relabelled, deleted)."""
        self._namespaces = _namespace_labels(self._watches[NAMESPACES])
        for key in self._grant_keys():
            reach = self._reach.get(key)
            if reach is None or names is None:
                self._queue.add(key)
            elif not reach.cluster_wide:
                bound = {ref.namespace for ref in self._index.current(reach.label)}
                for name in names:
                    labels = self._namespaces.get(name)
                    if (labels is not None and matches(labels, reach.scopes)) != (name in bound):
                        self._queue.add(key)
                        break

    def _resync(self) -> None:
        """Queue every grant, and every grant label some binding carries (bindings of a vanished grant go)."""
        self._queue.add_all(self._grant_keys())
        self._queue.add_all({self._key_for(label) for label in self._index.labels()})

    async def _work(self) -> None:
        while True:
            key = await self._queue.get()
            try:
                if await self._reconcile(key):
                    self._queue.forget(key)
                else:
                    self.stats.failures += 1
                    self._queue.retry(key)
            except KubeApiError as error:
                self.stats.failures += 1
                delay = self._queue.retry(key)
                log.warning("reconciling grant %s failed: %s (again in %.1f s)", key, error, delay)
            except Exception:  # noqa: BLE001 - a bug must not stop the other grants; it is retried
                self.stats.failures += 1
                self._queue.retry(key)
                log.exception("reconciling grant %s failed unexpectedly", key)
            finally:
                self._queue.done(key)

    def _grant(self, key: str) -> dict[str, Any] | None:
        cached = self._watches[USERACCESSES].get(key)
        return None if cached is None else self._grant_writes.pick(key, cached)

    async def _reconcile(self, key: str) -> bool:
        """One pass over one grant; True when it is in line (False: queue it again after a backoff)."""
        self.stats.passes += 1
        label = grant_label(key.partition("/")[2])
        obj = self._grant(key)
        if obj is None:  # gone (or never ours): its bindings go too
            self._reach.pop(key, None)
            return not await self._writer.delete_all(label)
        try:
            grant = UserAccess.from_object(obj)
            _check_role_ref(grant, obj)
        except GrantInvalid as invalid:
            if metadata_of(obj).get("deletionTimestamp"):
                return await self._finalize(obj, None, label)
            return await self._invalid(obj, str(invalid), label)
        if grant.deleting:
            return await self._finalize(obj, grant, label)
        obj = await self._writer.set_finalizer(obj, present=True)
        role = self._watches[CLUSTER_ROLES].get(grant.tier.cluster_role)
        existing = self._index.current(label)
        if role is None:
            self._reach.pop(key, None)
            status = status_document(
                obj.get("status") or {}, grant.generation, existing, tier_missing_conditions(grant.tier)
            )
            await self._writer.write_status(obj, status)
            return True  # the ClusterRole's arrival queues the grant again
        desired = desired_bindings(grant, role, self._namespaces)
        self._reach[key] = _Reach(label, desired.scopes, desired.cluster_wide)
        earlier_tiers = {labels_of(binding).get(TIER_BINDING_LABEL) or "" for binding in existing.values()}
        errors = await self._writer.apply(diff_bindings(desired.bindings, existing.values()), label)
        conditions = [
            enforced_condition(desired, grant.tier),
            tier_resolved_condition(grant.tier),
            bindings_condition(desired, "; ".join(errors)),
        ]
        membership_ok = True
        if self._membership is not None and grant.subject:
            membership, membership_ok = await self._keycloak(grant, earlier_tiers - {grant.tier.name, ""})
            conditions.append(membership)
        bound = self._index.current(label) if errors else {ref: {} for ref in desired.refs()}
        await self._writer.write_status(
            obj, status_document(obj.get("status") or {}, grant.generation, bound, conditions)
        )
        return not errors and membership_ok

    async def _invalid(self, obj: dict[str, Any], message: str, label: str) -> bool:
        """A grant that cannot be reconciled holds no bindings; its status says why."""
        obj = await self._writer.set_finalizer(obj, present=True)
        self._reach.pop(f"{self.namespace}/{name_of(obj)}", None)
        errors = await self._writer.delete_all(label)
        spec = obj.get("spec") or {}
        named = bool(spec.get("tier") or spec.get("tierRoleRef") or labels_of(obj).get(TIER_LABEL))
        generation = int(metadata_of(obj).get("generation") or 0)
        remaining = self._index.current(label)
        conditions = invalid_conditions(message, tier_named=named)
        await self._writer.write_status(
            obj, status_document(obj.get("status") or {}, generation, remaining, conditions)
        )
        return not errors

    async def _finalize(self, obj: dict[str, Any], grant: UserAccess | None, label: str) -> bool:
        """A grant being deleted: its bindings go, its user leaves the tier group (unless another grant
        keeps them in it), then the finalizer is removed so the deletion completes."""
        self._reach.pop(f"{self.namespace}/{name_of(obj)}", None)
        errors = await self._writer.delete_all(label)
        if errors:
            log.warning("cannot remove the bindings of grant %s: %s", name_of(obj), "; ".join(errors))
            return False
        if self._membership is not None and grant is not None and grant.subject:
            if not self._tier_held_elsewhere(grant.subject, grant.tier.name, grant.name):
                try:
                    await self._membership.revoke(grant.subject, grant.tier)
                except KeycloakAdminError as error:  # the deletion is not held up by Keycloak
                    log.warning("cannot remove %s from %s: %s", grant.subject, grant.tier.group_path, error)
        await self._writer.set_finalizer(obj, present=False)
        return True

    async def _keycloak(self, grant: UserAccess, earlier_tiers: set[str]) -> tuple[dict[str, str], bool]:
        """The grant's user in its tier group (and out of a tier it had before, unless another grant holds it)."""
        assert self._membership is not None
        try:
            await self._membership.ensure(grant.subject, grant.tier)
            for earlier in sorted(earlier_tiers):
                with contextlib.suppress(UnknownTier):
                    if not self._tier_held_elsewhere(grant.subject, earlier, grant.name):
                        await self._membership.revoke(grant.subject, tier_named(earlier))
        except KeycloakAdminError as error:
            return keycloak_condition(grant.tier.group_path, f"Keycloak: {error}"), False
        return keycloak_condition(grant.tier.group_path), True

    def _tier_held_elsewhere(self, subject: str, tier: str, except_grant: str) -> bool:
        """Whether another live grant in our namespace gives `subject` the tier `tier`."""
        for obj in self._watches[USERACCESSES].objects():
            if metadata_of(obj).get("namespace") != self.namespace or name_of(obj) == except_grant:
                continue
            with contextlib.suppress(GrantInvalid):
                other = UserAccess.from_object(obj)
                if not other.deleting and other.subject == subject and other.tier.name == tier:
                    return True
        return False


def _check_role_ref(grant: UserAccess, obj: Mapping[str, Any]) -> None:
    """`spec.tierRoleRef` may only name the tier's own ClusterRole: a grant never binds an arbitrary role."""
    ref = str((obj.get("spec") or {}).get("tierRoleRef") or "").strip()
    if ref and ref != grant.tier.cluster_role:
        tier = grant.tier
        raise GrantInvalid(f"spec.tierRoleRef {ref} does not match the tier {tier.name} ({tier.cluster_role})")
