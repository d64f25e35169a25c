"""The scope editor's key and value inputs, as the multi-grant form and a grant's edit form both hold them."""

from __future__ import annotations

import reflex as rx

from console.pages.access.users_views import add_scope
from console.state.timing import timed_event


class ScopeInputState(rx.State, mixin=True):
    """The key select and value input of the scope editor (`scope_editor`), and the refusal of the last add."""

    scope_key: str = "application"
    scope_value: str = ""
    scope_error: str = ""

    @timed_event
    def set_scope_key(self, key: str):
        self.scope_key, self.scope_error = key, ""

    @timed_event
    def set_scope_value(self, value: str):
        self.scope_value, self.scope_error = value[:253], ""

    def _with_typed_scope(self, chips: list[dict[str, str]]) -> list[dict[str, str]]:
        """`chips` with the typed key and value added (the value input cleared), or as they were with the
        refusal shown (the spec's message; the input kept to correct)."""
        chips, self.scope_error = add_scope(chips, self.scope_key, self.scope_value)
        if not self.scope_error:
            self.scope_value = ""
        return chips
