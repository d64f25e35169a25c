"""The sidebar's footer card: who is signed in, their tier, and Sign out."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.components.browser_script import run_in_browser

# A POST by a real form: a full navigation to the backend route (never React Router), and not a GET that
# any page on the web could trigger with an <img>.
SIGN_OUT_SCRIPT = (
    "const form = document.createElement('form'); form.method = 'post'; form.action = '/auth/logout';"
    " document.body.appendChild(form); form.submit();"
)


@dataclass(frozen=True)
class PersonView:
    """The signed-in person as the frame shows them (Vars from the session state)."""

    display_name: rx.Var[str]
    email: rx.Var[str]
    tier: rx.Var[str]
    initials: rx.Var[str]


def identity_card(person: PersonView) -> rx.Component:
    """Footer card: who is signed in, their tier, and Sign out (a full navigation to the backend route)."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.avatar(fallback=person.initials, size="2", radius="full"),
                rx.vstack(
                    rx.text(person.display_name, size="2", weight="medium", trim="both"),
                    rx.cond(
                        person.tier != "",
                        rx.badge(person.tier, size="1", variant="soft", data_testid="identity-tier"),
                        rx.badge("no access", size="1", color_scheme="gray", data_testid="identity-tier"),
                    ),
                    align="start",
                    gap="1",
                ),
                variant="ghost",
                color_scheme="gray",
                height="auto",
                padding="6px",
                width="100%",
                justify="start",
                data_testid="identity-card",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Signed in as ", rx.text.strong(person.display_name), size="2", data_testid="signed-in-as"),
                rx.text(person.email, size="1", color_scheme="gray"),
                rx.button(
                    rx.icon("log-out", size=14),
                    "Sign out",
                    variant="soft",
                    size="1",
                    on_click=run_in_browser(SIGN_OUT_SCRIPT),
                    data_testid="sign-out",
                ),
                gap="2",
            ),
            side="top",
            align="start",
        ),
    )
