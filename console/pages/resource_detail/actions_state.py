"""The detail page's action toolbar: scale, restart, delete, Flux reconcile/suspend/resume, as the person."""

from __future__ import annotations

import reflex as rx

from console.pages.resource_detail.state import ResourceDetailState
from console.state.object_actions import SIGN_IN_AGAIN, ActionEvents, Target, action_target, offered_actions, run_action
from console.state.timing import timed_event


class DetailActionsState(ActionEvents, rx.State):
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

    async def _target(self) -> Target | None:
        """The person acting on the open object."""
        detail = await self.get_state(ResourceDetailState)
        return await action_target(self.router.headers.cookie, detail.kind_id, detail.namespace, detail.object_name)

    @timed_event
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
        self.allowed, self.checked = await offered_actions(target), True

    @timed_event
    def set_replicas(self, value: str):
        self.replicas = value

    @timed_event
    def set_delete_text(self, value: str):
        self.delete_text = value

    @timed_event
    def set_delete_open(self, value: bool):
        self.delete_open, self.delete_text = value, ""

    def _say(self, text: str, tone: str) -> None:
        self.result, self.result_tone, self.busy = text, tone, False

    async def _run(self, action: str):
        target = await self._target()
        if target is None:
            self._say(SIGN_IN_AGAIN, "err")
            return
        self.busy = True
        outcome = await run_action(target, action, replicas=self.replicas, confirmation=self.delete_text)
        if outcome.deleted:
            self.delete_open, self.delete_text = False, ""
        self._say(outcome.text, outcome.tone)
