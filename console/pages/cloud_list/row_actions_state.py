"""The list's row menus: the detail page's actions on one row's object, asked for only when its menu opens."""

from __future__ import annotations

import reflex as rx

from console.pages.cloud_list.state import CloudListState
from console.state.object_actions import (
    OBJECT_ACTIONS,
    SIGN_IN_AGAIN,
    ActionEvents,
    Target,
    action_target,
    offered_actions,
    run_action,
)
from console.state.timing import timed_event


class RowActionsState(ActionEvents, rx.State):
    """The object whose menu is open, the actions offered on it, the dialogs, and the last outcome."""

    menu_key: str = ""  # the row whose menu was opened last
    name: str = ""  # its object's name (the delete dialog asks for it)
    allowed: list[str] = []
    checked: bool = False  # the access reviews for `menu_key` have answered
    replicas: str = ""
    scale_open: bool = False
    delete_open: bool = False
    delete_text: str = ""
    busy: bool = False
    result: str = ""
    result_tone: str = "ok"  # ok | err
    _namespace: str = ""
    _kind_id: str = ""

    @timed_event
    async def open_menu(self, key: str, namespace: str, name: str, replicas: str, is_open: bool):
        """A row's ⋯ menu opened: ask the API server, as the person, which actions to offer on that object."""
        if not is_open:
            return
        if self.scale_open or self.delete_open or self.busy:
            return  # a dialog is still acting on the previous row's object
        cloud = await self.get_state(CloudListState)
        self.menu_key, self.name, self._namespace, self._kind_id = key, name, namespace, cloud.kind_id
        self.replicas, self.allowed, self.checked = replicas or "", [], False
        yield
        target = await self._target()
        offered = [] if target is None else await offered_actions(target)
        if self.menu_key == key:
            self.allowed, self.checked = [action for action in offered if action in OBJECT_ACTIONS], True

    async def _target(self) -> Target | None:
        return await action_target(self.router.headers.cookie, self._kind_id, self._namespace, self.name)

    @timed_event
    def set_replicas(self, value: str):
        self.replicas = value

    @timed_event
    def set_scale_open(self, value: bool):
        self.scale_open = value
        if value:
            self.result = ""

    @timed_event
    def set_delete_text(self, value: str):
        self.delete_text = value

    @timed_event
    def set_delete_open(self, value: bool):
        self.delete_open, self.delete_text = value, ""

    @timed_event
    def dismiss_result(self):
        self.result = ""

    async def _run(self, action: str):
        self.busy = True
        target = await self._target()
        if target is None:
            self.result, self.result_tone, self.busy = SIGN_IN_AGAIN, "err", False
            return
        outcome = await run_action(target, action, replicas=self.replicas, confirmation=self.delete_text)
        self.result, self.result_tone, self.busy = outcome.text, outcome.tone, False
        if outcome.deleted:
            self.delete_open, self.delete_text = False, ""
        if action == "scale" and outcome.tone == "ok":
            self.scale_open = False
