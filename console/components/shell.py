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


def sidebar(active: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("shield-check", size=20, color=rx.color("accent", 9)),
            rx.text("OpenOva", weight="bold", size="3"),
            align="center",
            padding_x="10px",
            padding_bottom="12px",
        ),
        *[_nav_link(entry, entry.id == active) for entry in NAV_ENTRIES],
        width="200px",
        min_width="200px",
        height="100vh",
        position="sticky",
        top="0",
        padding="16px 8px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        gap="1",
        data_testid="sidebar",
    )


def header(sovereign_name: rx.Var[str], sovereign_fqdn: rx.Var[str]) -> rx.Component:
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
        rx.color_mode.button(size="1", variant="ghost", data_testid="theme-toggle", aria_label="Toggle theme"),
        align="center",
        width="100%",
        padding="10px 20px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        data_testid="header",
    )


def shell(
    *children: rx.Component, active: str, sovereign_name: rx.Var[str], sovereign_fqdn: rx.Var[str]
) -> rx.Component:
    return rx.hstack(
        sidebar(active),
        rx.vstack(
            header(sovereign_name, sovereign_fqdn),
            rx.box(*children, width="100%", padding="20px", data_testid="main"),
            width="100%",
            gap="0",
            min_width="0",
        ),
        gap="0",
        width="100%",
        align="start",
    )
