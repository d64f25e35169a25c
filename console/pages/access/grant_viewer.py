"""Who looks at a grant page, what they may do there, and the loop that keeps their page live.

Admins and owners see grants; only owners write them. Every mutating handler asks `writer_for` again (from
the session, never from what the browser sent) and records a refused attempt as `denied` in the audit log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from console.audit.log import AuditLog
from console.audit.runtime import AuditLogUnavailable, audit_log
from console.identity.claims import Identity
from console.kube import runtime
from console.kube.access import visible_objects
from console.kube.api import JsonObject, KubeApi
from console.kube.kind_watch import KindWatch
from console.kube.watch_cache import ResourcePath, resource_from_id, wait_any
from console.rbac.grants import record_refused
from console.rbac.matrix import enforced_by_tier
from console.rbac.scopes import Scope
from console.rbac.useraccess import GROUP, PLURAL, VERSION
from console.settings import get_settings
from console.state.connection import tab_connected
from console.state.session import current_person
from console.state.wakeups import forget, wakeup_for

USERACCESSES = ResourcePath(GROUP, VERSION, PLURAL)
NAMESPACES = resource_from_id("v1/namespaces")
CLUSTER_ROLES = ResourcePath("rbac.authorization.k8s.io", "v1", "clusterroles")
MIN_PUSH_INTERVAL = 0.25  # a burst of grant changes is pushed at most four times a second
RECHECK_SECONDS = 30.0  # the session (and the person's tier) is read again at least this often


class AccessProblem(Exception):
    """The page cannot show grants now (no cluster connection, no audit log); the message says why."""


@dataclass(frozen=True, slots=True)
class GrantViewer:
    """The signed-in person on a grant page."""

    identity: Identity
    api: KubeApi  # acts as the person
    kube: runtime.KubeRuntime

    @property
    def actor(self) -> str:
        return self.identity.kube_user

    @property
    def tier_text(self) -> str:
        return f"tier-{self.identity.tier}" if self.identity.tier else "no tier"

    @property
    def may_see(self) -> bool:
        return self.identity.has_tier("admin")

    @property
    def may_write(self) -> bool:
        return self.identity.has_tier("owner")

    def read_gate(self) -> str:
        """Why this person cannot see grants ("" when they can)."""
        if self.may_see:
            return ""
        return f"Grants are shown to tier-admin and tier-owner; you are signed in with {self.tier_text}."

    def write_gate(self) -> str:
        """Why this person cannot grant or revoke ("" when they can)."""
        if self.may_write:
            return ""
        return f"Only a tier-owner grants and revokes access; you are signed in with {self.tier_text}."

    async def visible_grants(self, watch: KindWatch) -> list[JsonObject]:
        """The cached grants this person may list (decided as the person, by the API server)."""
        return await visible_objects(self.kube.reviews, self.api, self.actor, USERACCESSES, True, watch.objects())


def tier_enforced(cluster_roles: KindWatch) -> dict[str, list[Scope]]:
    """The scopes each tier enforces, from the tier ClusterRoles in the shared cache."""
    return enforced_by_tier(
        role for role in cluster_roles.objects() if str(role["metadata"].get("name", "")).startswith("openova:tier-")
    )


def grants_namespace() -> str:
    """Where grants live: the console's namespace."""
    return get_settings().console_namespace


def sovereign_ref() -> str:
    return get_settings().sovereign_fqdn


def audit() -> AuditLog:
    try:
        return audit_log()
    except AuditLogUnavailable as problem:
        raise AccessProblem(str(problem)) from problem


async def viewer_for(cookie_header: str) -> GrantViewer | None:
    """The signed-in person, acting as themselves; None when signed out.

    Raises:
        AccessProblem: the cluster connection is not available.
    """
    person = await current_person(cookie_header)
    if person is None:
        return None
    identity, acting_as = person
    try:
        kube = runtime.current()
    except runtime.KubeUnavailable as problem:
        raise AccessProblem(str(problem)) from problem
    return GrantViewer(identity, kube.api.as_person(acting_as), kube)


async def writer_for(cookie_header: str, action: str, names: Sequence[str]) -> tuple[GrantViewer | None, str]:
    """The person about to write grants, checked again now: (viewer, "") when they may; otherwise (viewer or
    None, why not), the refusal recorded as `denied` for each grant named."""
    viewer = await viewer_for(cookie_header)
    if viewer is None:
        return None, "Your session ended: sign in again."
    refusal = viewer.write_gate()
    if refusal:
        await record_refused(audit(), viewer.actor, action, grants_namespace(), list(names), refusal)
        return viewer, refusal
    return viewer, ""


async def follow_watches(
    client_token: str, cookie_header: str, resources: Sequence[ResourcePath]
) -> AsyncIterator[tuple[GrantViewer, list[KindWatch]] | None]:
    """Yields the viewer and the watches of `resources` at once and after every change of any of them (or a
    wake-up of the tab), until the tab goes; yields None when the session ended (the caller sends the person
    to sign in and stops).

    Raises:
        AccessProblem: the cluster connection is not available.
    """
    viewer = await viewer_for(cookie_header)
    if viewer is None:
        yield None
        return
    loop = asyncio.get_running_loop()
    checked_at = loop.time()
    wakeup = wakeup_for(client_token)
    try:
        async with contextlib.AsyncExitStack() as stack:
            watches = [await stack.enter_async_context(viewer.kube.cache.subscribe(r)) for r in resources]
            seen = {id(watch): -1 for watch in watches}
            while tab_connected(client_token):
                for watch in watches:
                    seen[id(watch)] = watch.revision
                yield viewer, watches
                await asyncio.sleep(MIN_PUSH_INTERVAL)
                await wait_any(watches, seen, RECHECK_SECONDS, wakeup)
                if loop.time() - checked_at > RECHECK_SECONDS:
                    renewed = await viewer_for(cookie_header)  # the tier may have changed; so may the session
                    if renewed is None:
                        yield None
                        return
                    viewer, checked_at = renewed, loop.time()
    finally:
        if not tab_connected(client_token):
            forget(client_token)
