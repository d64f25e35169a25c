"""The signed-in person as pages show them; every page's first on_load event checks the session."""

from __future__ import annotations

import reflex as rx

from console.identity.claims import Identity
from console.identity.runtime import SignInNotConfigured, identity_from_cookie_header

# A full navigation (not rx.redirect): /login is a backend route, and the new cookie needs a new socket.
SIGN_IN_SCRIPT = "window.location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search))"


async def current_identity(state: rx.State) -> Identity | None:
    """The person behind the event's browser session (from the WebSocket handshake's Cookie header)."""
    try:
        return await identity_from_cookie_header(state.router.headers.cookie)
    except SignInNotConfigured:
        return None


class SessionState(rx.State):
    """Who is signed in, for the shell; never tokens."""

    checked: bool = False
    display_name: str = ""
    username: str = ""
    email: str = ""
    tier: str = ""
    initials: str = ""

    @rx.var
    def has_access(self) -> bool:
        return self.tier != ""

    @rx.event
    async def check(self):
        """Page load: sign in when there is no live session, else show who this is."""
        identity = await current_identity(self)
        if identity is None:
            self.checked = False
            return rx.call_script(SIGN_IN_SCRIPT)
        self.display_name = identity.display_name
        self.username = identity.username
        self.email = identity.email
        self.tier = identity.tier or ""
        self.initials = "".join(part[:1] for part in identity.display_name.split()[:2]).upper() or "?"
        self.checked = True
        return None
