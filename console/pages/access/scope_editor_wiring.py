"""The scope editor wired to a page's state: the multi-grant form's and a grant's edit form's are the same
editor over different chips."""

from __future__ import annotations

import reflex as rx

from console.pages.access.components.grant_parts import ScopeEditorView
from console.pages.access.scope_input_state import ScopeInputState


def scope_editor_view(state: type[ScopeInputState], chips: rx.Var) -> ScopeEditorView:
    """The editor over `chips`, with `state`'s scope inputs and its `add_scope` and `remove_scope` events (each
    page's own: what else an added or removed scope changes differs)."""
    return ScopeEditorView(
        chips=chips,
        key=state.scope_key,  # type: ignore[arg-type]
        value=state.scope_value,  # type: ignore[arg-type]
        error=state.scope_error,  # type: ignore[arg-type]
        set_key=state.set_scope_key,
        set_value=state.set_scope_value,
        add=state.add_scope,  # type: ignore[attr-defined]
        remove=state.remove_scope,  # type: ignore[attr-defined]
    )
