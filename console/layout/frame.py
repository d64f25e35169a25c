"""The console's page frame: sidebar, header and the page body, shown once the session is confirmed.

`frame` is drawn from Vars only; `page_shell` binds it to the session, scope and Sovereign states, and is
what every page wraps its content in.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.components.browser_script import run_in_browser
from console.components.wrapped.session_gate import session_gate
from console.layout.header import header, scope_picker
from console.layout.identity_card import PersonView
from console.layout.sidebar import sidebar
from console.layout.state import SovereignState
from console.state.scope import ScopeState
from console.state.session import POPUP_SIGN_IN_SCRIPT, SessionState


@dataclass(frozen=True)
class SessionView:
    """What the frame needs to know about the session (Vars from the session state)."""

    checked: rx.Var[bool]
    has_access: rx.Var[bool]
    embedded: rx.Var[bool]
    popup_sign_in: rx.Var[bool]
    popup_script: str
    signed_out: rx.Var[bool]
    sign_in_outage: rx.Var[str]  # the IdP cannot renew the session: why ("" when it can)
    on_framed: rx.EventHandler  # the gate found the page framed: offer the popup sign-in


def no_access_notice() -> rx.Component:
    return rx.callout(
        "You have no access yet; ask an owner of this Sovereign to grant you a tier.",
        icon="lock",
        color_scheme="amber",
        data_testid="no-access",
    )


def sign_in_outage_banner(reason: rx.Var[str]) -> rx.Component:
    return rx.cond(
        reason != "",
        rx.callout(
            reason,
            icon="cloud-off",
            color_scheme="amber",
            role="alert",
            margin_bottom="12px",
            data_testid="sign-in-outage",
        ),
    )


def popup_sign_in(script: str) -> rx.Component:
    return rx.vstack(
        rx.text("Sign in to see this part of the Sovereign Console.", color_scheme="gray"),
        rx.button(rx.icon("log-in", size=14), "Sign in", on_click=run_in_browser(script), data_testid="popup-sign-in"),
        align="start",
        gap="3",
    )


def _framed(
    body: rx.Component,
    active: str,
    sovereign_name: rx.Var[str],
    sovereign_fqdn: rx.Var[str],
    person: PersonView,
    header_tools: tuple[rx.Component, ...],
) -> rx.Component:
    return rx.hstack(
        sidebar(active, person),
        rx.vstack(
            header(sovereign_name, sovereign_fqdn, *header_tools),
            rx.box(body, width="100%", padding="20px", data_testid="main"),
            width="100%",
            gap="0",
            min_width="0",
        ),
        gap="0",
        width="100%",
        min_height="100vh",
        align="start",
    )


def frame(
    *children: rx.Component,
    active: str,
    sovereign_name: rx.Var[str],
    sovereign_fqdn: rx.Var[str],
    person: PersonView,
    session: SessionView,
    header_tools: tuple[rx.Component, ...] = (),
) -> rx.Component:
    """The page frame. Content shows only once the session is confirmed, and only to people with a tier.

    With `?embed=1` (framed in the marketplace) the frame is chrome-less: the content alone.
    """
    body = rx.fragment(
        session_gate(signed_out=session.signed_out, on_framed=session.on_framed),
        sign_in_outage_banner(session.sign_in_outage),
        _body(children, session),
    )
    return rx.cond(
        session.embedded,
        rx.box(body, width="100%", padding="12px", data_testid="main", data_embedded="true"),
        _framed(body, active, sovereign_name, sovereign_fqdn, person, header_tools),
    )


def _body(children: tuple[rx.Component, ...], session: SessionView) -> rx.Component:
    return rx.cond(
        session.checked,
        rx.cond(session.has_access, rx.fragment(*children), no_access_notice()),
        rx.cond(
            session.popup_sign_in,
            popup_sign_in(session.popup_script),
            rx.hstack(
                rx.spinner(), rx.text("Checking your session…", color_scheme="gray"), data_testid="session-check"
            ),
        ),
    )


PERSON = PersonView(
    display_name=SessionState.display_name,
    email=SessionState.email,
    tier=SessionState.tier,
    initials=SessionState.initials,
)
SESSION = SessionView(
    checked=SessionState.checked,
    has_access=SessionState.has_access,
    embedded=SessionState.embedded,
    popup_sign_in=SessionState.popup_sign_in,
    popup_script=POPUP_SIGN_IN_SCRIPT,
    signed_out=SessionState.signed_out,
    sign_in_outage=SessionState.sign_in_outage,
    on_framed=SessionState.offer_popup_sign_in,
)


def page_shell(*children: rx.Component, active: str) -> rx.Component:
    """Every console page's frame: sidebar, signed-in person, and the shared scope picker in the header.

    `active`: the sidebar section the page belongs to ("" for none).
    """
    return frame(
        *children,
        active=active,
        sovereign_name=SovereignState.sovereign_name,
        sovereign_fqdn=SovereignState.sovereign_fqdn,
        person=PERSON,
        session=SESSION,
        header_tools=(scope_picker(ScopeState.scope, ScopeState.choices, ScopeState.choose),),
    )
