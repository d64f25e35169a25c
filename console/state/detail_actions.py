"""The detail page's action toolbar: scale, restart, delete, Flux reconcile/suspend/resume, as the person."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import reflex as rx

from console.audit.log import AuditLog
from console.kube import actions, runtime
from console.kube.actions import ActionRefused
from console.kube.api import KubeApi
from console.kube.edits import EditRefused, WriteFailed
from console.kube.kinds import Kind, KindNotFound
from console.settings import get_settings
from console.state.resource_detail import ResourceDetailState
from console.state.session import current_person


@lru_cache(maxsize=1)
def audit_log() -> AuditLog:
    """Every action's record, in `<state_dir>/audit.db`."""
    return AuditLog(Path(get_settings().state_dir) / "audit.db")


class DetailActionsState(rx.State):
    """Which actions the person may take on the open object, and the last one's outcome in plain words."""

    allowed: list[str] = []
    replicas: str = ""
    result: str = ""
    result_tone: str = "ok"  # ok | err
    delete_open: bool = False
    delete_text: str = ""
    busy: bool = False
    checked: bool = False  # the access reviews for this object have answered

    @rx.var
    def can_scale(self) -> bool:
        return "scale" in self.allowed

    @rx.var
    def can_restart(self) -> bool:
        return "restart" in self.allowed

    @rx.var
    def can_delete(self) -> bool:
        return "delete" in self.allowed

    @rx.var
    def can_reconcile(self) -> bool:
        return "reconcile" in self.allowed

    async def _target(self) -> tuple[KubeApi, str, Kind, str, str] | None:
        """(api as the person, their Kubernetes user, kind, namespace, name) of the open object."""
        detail = await self.get_state(ResourceDetailState)
        person = await current_person(self.router.headers.cookie)
        if person is None or not detail.kind_id:
            return None
        identity, acting_as = person
        try:
            kube = runtime.current()
            kind = await kube.catalog.find(detail.kind_id)
        except (runtime.KubeUnavailable, KindNotFound):
            return None
        return kube.api.as_person(acting_as), identity.kube_user, kind, detail.namespace, detail.object_name

    @rx.event
    async def load_actions(self):
        """Page load: ask the API server (SelfSubjectAccessReviews as the person) which actions to offer."""
        self.allowed, self.result, self.delete_open, self.delete_text, self.busy = [], "", False, "", False
        self.checked = False
        detail = await self.get_state(ResourceDetailState)
        self.replicas = detail.desired_replicas
        target = await self._target()
        if target is None:
            self.checked = True
            return
        api, user, kind, namespace, name = target
        offered = await actions.allowed_actions(api, runtime.current().reviews, user, kind, namespace, name)
        self.allowed, self.checked = sorted(offered), True

    @rx.event
    def set_replicas(self, value: str):
        self.replicas = value

    @rx.event
    def set_delete_text(self, value: str):
        self.delete_text = value

    @rx.event
    def set_delete_open(self, value: bool):
        self.delete_open, self.delete_text = value, ""

    def _say(self, text: str, tone: str) -> None:
        self.result, self.result_tone, self.busy = text, tone, False

    async def _run(self, action: str):
        target = await self._target()
        if target is None:
            self._say("Sign in again to act on this object.", "err")
            return
        api, user, kind, namespace, name = target
        audit = audit_log()
        self.busy = True
        try:
            if action == "scale":
                replicas = await actions.scale(api, kind, namespace, name, self.replicas, audit=audit, actor=user)
                self._say(f"Scaled {name} to {replicas}.", "ok")
            elif action == "restart":
                requested_at = await actions.restart(api, kind, namespace, name, audit=audit, actor=user)
                self._say(f"Restart requested at {requested_at}.", "ok")
            elif action == "delete":
                deleted = await actions.delete(api, kind, namespace, name, self.delete_text, audit=audit, actor=user)
                self.delete_open, self.delete_text = False, ""
                if deleted.finalizing:
                    self._say(f"Deleting {name}: waiting for its finalizers.", "ok")
                else:
                    self._say(f"Deleted {name}.", "ok")
            elif action == "reconcile":
                requested_at = await actions.reconcile_now(api, kind, namespace, name, audit=audit, actor=user)
                self._say(f"Reconcile requested at {requested_at}.", "ok")
            elif action == "suspend":
                await actions.suspend(api, kind, namespace, name, audit=audit, actor=user)
                self._say(f"Suspended {name}.", "ok")
            elif action == "resume":
                await actions.resume(api, kind, namespace, name, audit=audit, actor=user)
                self._say(f"Resumed {name}.", "ok")
        except (ActionRefused, EditRefused, WriteFailed) as failure:
            self._say(failure.message, "err")

    @rx.event
    async def scale(self):
        await self._run("scale")

    @rx.event
    async def restart(self):
        await self._run("restart")

    @rx.event
    async def delete(self):
        await self._run("delete")

    @rx.event
    async def reconcile(self):
        await self._run("reconcile")

    @rx.event
    async def suspend(self):
        await self._run("suspend")

    @rx.event
    async def resume(self):
        await self._run("resume")
