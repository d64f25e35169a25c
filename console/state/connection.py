"""Whether a browser tab is still connected, so background loops serving it can end."""

from __future__ import annotations

from reflex.utils import prerequisites


def tab_connected(client_token: str) -> bool:
    app = prerequisites.get_and_validate_app().app
    return client_token in app.event_namespace.token_to_sid
