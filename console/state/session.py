"""The signed-in person as pages show them; every page's first on_load event checks the session."""

from __future__ import annotations

import asyncio

import reflex as rx

from console.identity.runtime import current_person, current_person_or_outage
from console.kube.list_service import Person
from console.kube.runtime import KubeRuntime
from console.state.connection import tab_connected
from console.state.timing import timed_event

# While the IdP cannot renew a session, each open page asks again this often.
SIGN_IN_RETRY_SECONDS = 5.0

# A full navigation (not rx.redirect): /login is a backend route, and the new cookie needs a new socket.
# Framed (embedded) consoles cannot send the frame to Keycloak, which refuses to be framed: a popup signs in,
# then hands a one-time code back; the frame trades it for a cookie in its own (partitioned) cookie jar.
POPUP_SIGN_IN_SCRIPT = """
window.addEventListener("message", (event) => {
  if (event.origin !== window.location.origin || !event.data || event.data.type !== "console-signed-in") return;
  fetch("/auth/exchange", {method: "POST", credentials: "include", headers: {"Content-Type": "application/json"},
                           body: JSON.stringify({code: event.data.code})})
    .then((response) => { if (response.ok) window.location.reload(); });
});
window.open("/login?popup=1", "console-sign-in", "popup,width=480,height=680");
"""


async def person_for(cookie_header: str, kube: KubeRuntime) -> Person | None:
    """The person behind a browser session as the domain services take them (acting as them), else None."""
    person = await current_person(cookie_header)
    if person is None:
        return None
    identity, acting_as = person
    return Person(identity.kube_user, kube.api.as_person(acting_as), kube.reviews)


class SessionState(rx.State):
    """Who is signed in, for the shell; never tokens."""

    checked: bool = False
    embedded: bool = False  # ?embed=1: no sidebar or header
    popup_sign_in: bool = False  # framed and signed out: offer a popup sign-in
    signed_out: bool = False  # no live session: the page's SessionGate navigates to sign in
    display_name: str = ""
    username: str = ""
    email: str = ""
    tier: str = ""
    initials: str = ""
    sign_in_outage: str = ""  # the session cannot be checked (IdP or session store down): why, for the banner
    waiting_for_sign_in: bool = False

    @rx.var
    def has_access(self) -> bool:
        return self.tier != ""

    @timed_event
    async def check(self):
        """Page load: sign in when there is no live session, else show who this is."""
        self.embedded = self.router.url.query_parameters.get("embed") == "1"
        person, outage = await current_person_or_outage(self.router.headers.cookie)
        if outage:  # the session is kept: say so and ask again, rather than send them to a sign-in that fails
            self.sign_in_outage, self.signed_out = _outage_text(outage), False
            return None if self.waiting_for_sign_in else SessionState.wait_for_sign_in
        self.sign_in_outage = ""
        if person is None:
            self.checked = False
            self.signed_out = True
            return None
        identity = person[0]
        self.signed_out = False
        self.popup_sign_in = False
        self.display_name = identity.display_name
        self.username = identity.username
        self.email = identity.email
        self.tier = identity.tier or ""
        self.initials = "".join(part[:1] for part in identity.display_name.split()[:2]).upper() or "?"
        self.checked = True
        return None

    @rx.event(background=True)
    async def wait_for_sign_in(self):
        """Ask for the session again until the IdP answers, then reload the page (its data came in without a
        session): the person is back where they were, or sent to sign in if the IdP has ended the session."""
        async with self:
            if self.waiting_for_sign_in:
                return
            self.waiting_for_sign_in = True
            cookie, client_token = self.router.headers.cookie, self.router.session.client_token
        try:
            while tab_connected(client_token):
                await asyncio.sleep(SIGN_IN_RETRY_SECONDS)
                _, outage = await current_person_or_outage(cookie)
                if not outage:
                    break
                async with self:
                    self.sign_in_outage = _outage_text(outage)
            else:
                return
        finally:
            async with self:
                self.waiting_for_sign_in = False
        async with self:
            self.sign_in_outage = ""
        # Bundled like components.browser_script.run_in_browser (states may not import components): no eval.
        yield rx.call_function(rx.Var("() => { window.location.reload(); }"))

    @timed_event
    def offer_popup_sign_in(self):
        """Signed out inside a frame (the SessionGate says so): the popup sign-in instead of a navigation."""
        self.popup_sign_in = True


def _outage_text(reason: str) -> str:
    return (
        f"Your sign-in cannot be checked right now: {reason}. "
        "Your session is kept; this page reloads by itself once that is fixed."
    )
