"""Acting on one object as the signed-in person: shared by the detail page's toolbar and the list's row menus.

`action_target` resolves who acts on what, `offered_actions` asks the API server (SelfSubjectAccessReviews as
the person) which actions to offer, and `run_action` makes the call as the person, audited, and says what
happened in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.audit import AuditNotWritable, audit_log
from console.kube import actions, runtime
from console.kube.actions import ActionRefused
from console.kube.api import KubeApi
from console.kube.edits import EditRefused, WriteFailed
from console.kube.kinds import Kind, KindNotFound
from console.state.session import current_person
from console.state.timing import timed_event

# What the action toolbar and the row menus offer (the detail page's other tabs handle edit, exec, …).
OBJECT_ACTIONS = ("scale", "restart", "reconcile", "suspend", "resume", "delete")
SIGN_IN_AGAIN = "Sign in again to act on this object."


@dataclass(frozen=True, slots=True)
class Target:
    api: KubeApi  # acting as the person
    user: str  # their Kubernetes user: the actor in the audit log, the key of the review cache
    kind: Kind
    namespace: str
    name: str


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    tone: str  # ok | err
    deleted: bool = False


async def action_target(cookie: str, kind_id: str, namespace: str, name: str) -> Target | None:
    """The person behind the cookie acting on one object; None when signed out or the kind is unknown."""
    person = await current_person(cookie)
    if person is None or not kind_id or not name:
        return None
    identity, acting_as = person
    try:
        kube = runtime.current()
        kind = await kube.catalog.find(kind_id)
    except (runtime.KubeUnavailable, KindNotFound):
        return None
    return Target(kube.api.as_person(acting_as), identity.kube_user, kind, namespace, name)


async def offered_actions(target: Target) -> list[str]:
    """Every action the person may take on the object (sorted), by SelfSubjectAccessReviews as the person."""
    offered = await actions.allowed_actions(
        target.api, runtime.current().reviews, target.user, target.kind, target.namespace, target.name
    )
    return sorted(offered)


async def run_action(target: Target, action: str, *, replicas: object = "", confirmation: str = "") -> Outcome:
    """Make one action's call as the person, audited; the result or the API server's message in plain words."""
    api, kind, namespace, name = target.api, target.kind, target.namespace, target.name
    audit, actor = audit_log(), target.user
    try:
        if action == "scale":
            scaled = await actions.scale(api, kind, namespace, name, replicas, audit=audit, actor=actor)
            return Outcome(f"Scaled {name} to {scaled}.", "ok")
        if action == "restart":
            requested_at = await actions.restart(api, kind, namespace, name, audit=audit, actor=actor)
            return Outcome(f"Restart requested at {requested_at}.", "ok")
        if action == "delete":
            deleted = await actions.delete(api, kind, namespace, name, confirmation, audit=audit, actor=actor)
            if deleted.finalizing:
                return Outcome(f"Deleting {name}: waiting for its finalizers.", "ok", deleted=True)
            return Outcome(f"Deleted {name}.", "ok", deleted=True)
        if action == "reconcile":
            requested_at = await actions.reconcile_now(api, kind, namespace, name, audit=audit, actor=actor)
            return Outcome(f"Reconcile requested at {requested_at}.", "ok")
        if action == "suspend":
            await actions.suspend(api, kind, namespace, name, audit=audit, actor=actor)
            return Outcome(f"Suspended {name}.", "ok")
        if action == "resume":
            await actions.resume(api, kind, namespace, name, audit=audit, actor=actor)
            return Outcome(f"Resumed {name}.", "ok")
    except (ActionRefused, EditRefused, WriteFailed, AuditNotWritable) as failure:
        return Outcome(failure.message, "err")
    return Outcome(f"Unknown action “{action}”.", "err")


class ActionEvents(rx.State, mixin=True):
    """The action events both the detail toolbar and the row menus offer; each state implements `_run`."""

    async def _run(self, action: str) -> None:
        raise NotImplementedError

    @timed_event
    async def scale(self):
        await self._run("scale")

    @timed_event
    async def restart(self):
        await self._run("restart")

    @timed_event
    async def delete(self):
        await self._run("delete")

    @timed_event
    async def reconcile(self):
        await self._run("reconcile")

    @timed_event
    async def suspend(self):
        await self._run("suspend")

    @timed_event
    async def resume(self):
        await self._run("resume")
