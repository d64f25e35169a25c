"""The console shell: sidebar, header with the Sovereign pill, and the page body."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx


@dataclass(frozen=True, slots=True)
class NavEntry:
    id: str  # stable id, also the data-testid suffix
    label: str
    href: str
    icon: str


# An entry appears here only once its page exists (Compliance, Users & Access, Settings come later).
NAV_ENTRIES: tuple[NavEntry, ...] = (NavEntry("cloud", "Cloud", "/cloud?view=list&kind=namespaces", "cloud"),)


def _nav_link(entry: NavEntry, active: bool) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(entry.icon, size=16), rx.text(entry.label, size="2"), align="center", gap="2"),
        href=entry.href,
        underline="none",
        color_scheme="gray",
        high_contrast=active,
        weight="bold" if active else "regular",
        padding="6px 10px",
        border_radius="6px",
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        data_testid=f"nav-{entry.id}",
        aria_current="page" if active else None,
    )


# A POST by a real form: a full navigation to the backend route (never React Router), and not a GET that
# any page on the web could trigger with an <img>.
SIGN_OUT_SCRIPT = (
    "const form = document.createElement('form'); form.method = 'post'; form.action = '/auth/logout';"
    " document.body.appendChild(form); form.submit();"
)


@dataclass(frozen=True)
class PersonView:
    """The signed-in person as the shell shows them (Vars from the session state)."""

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
                    on_click=rx.call_script(SIGN_OUT_SCRIPT),
                    data_testid="sign-out",
                ),
                gap="2",
            ),
            side="top",
            align="start",
        ),
    )


def sidebar(active: str, person: PersonView) -> rx.Component:
    return rx.box(
        _sidebar_content(active, person),
        width="200px",
        min_width="200px",
        align_self="stretch",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        data_testid="sidebar",
    )


def _sidebar_content(active: str, person: PersonView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("shield-check", size=20, color=rx.color("accent", 9)),
            rx.text("OpenOva", weight="bold", size="3"),
            align="center",
            padding_x="10px",
            padding_bottom="12px",
        ),
        *[_nav_link(entry, entry.id == active) for entry in NAV_ENTRIES],
        rx.spacer(),
        identity_card(person),
        # The column runs the page's full height; its content stays in view while the page scrolls.
        height="100vh",
        position="sticky",
        top="0",
        padding="16px 8px",
        gap="1",
        width="100%",
    )


def header(sovereign_name: rx.Var[str], sovereign_fqdn: rx.Var[str], *tools: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.text(sovereign_name, weight="bold", size="3", data_testid="sovereign-name"),
        rx.badge(
            rx.icon("globe", size=12),
            sovereign_fqdn,
            variant="outline",
            radius="full",
            color_scheme="gray",
            data_testid="sovereign-fqdn",
        ),
        rx.spacer(),
        *tools,
        rx.color_mode.button(size="1", variant="ghost", data_testid="theme-toggle", aria_label="Toggle theme"),
        align="center",
        width="100%",
        padding="10px 20px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        data_testid="header",
    )


def no_access_notice() -> rx.Component:
    return rx.callout(
        "You have no access yet; ask an owner of this Sovereign to grant you a tier.",
        icon="lock",
        color_scheme="amber",
        data_testid="no-access",
    )


def popup_sign_in(script: str) -> rx.Component:
    return rx.vstack(
        rx.text("Sign in to see this part of the Sovereign Console.", color_scheme="gray"),
        rx.button(rx.icon("log-in", size=14), "Sign in", on_click=rx.call_script(script), data_testid="popup-sign-in"),
        align="start",
        gap="3",
    )


@dataclass(frozen=True)
class SessionView:
    """What the shell needs to know about the session (Vars from the session state)."""

    checked: rx.Var[bool]
    has_access: rx.Var[bool]
    embedded: rx.Var[bool]
    popup_sign_in: rx.Var[bool]
    popup_script: str


def shell(
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
    body = rx.cond(
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
    return rx.cond(
        session.embedded,
        rx.box(body, width="100%", padding="12px", data_testid="main", data_embedded="true"),
        _framed(body, active, sovereign_name, sovereign_fqdn, person, header_tools),
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
