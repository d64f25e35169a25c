"""The sidebar: the console's sections, and the signed-in person's card at its foot."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.layout.identity_card import PersonView, identity_card


@dataclass(frozen=True, slots=True)
class NavEntry:
    id: str  # stable id, also the data-testid suffix
    label: str
    href: str
    icon: str
    section: str = ""  # the heading it is listed under ("" for none)


CLOUD_HREF = "/cloud"  # bare: reopens the last view (graph or list), graph the first time
# An entry appears here only once its page exists.
NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("cloud", "Cloud", CLOUD_HREF, "cloud"),
    NavEntry("compliance-sre", "SRE Lead", "/sre/compliance", "activity", section="Compliance"),
    NavEntry("compliance-sec", "Security Lead", "/sec/compliance", "shield-alert", section="Compliance"),
    NavEntry("access-users", "Users", "/users", "users", section="Users & Access"),
    NavEntry("access-groups", "Groups", "/rbac/groups", "folder-tree", section="Users & Access"),
    NavEntry("access-roles", "Roles", "/rbac/roles", "key-round", section="Users & Access"),
    NavEntry("access-matrix", "Access matrix", "/rbac/matrix", "grid-3x3", section="Users & Access"),
    NavEntry("access-who-can", "Who can?", "/rbac/who-can", "user-search", section="Users & Access"),
    NavEntry("access-audit", "Audit", "/rbac/audit", "scroll-text", section="Users & Access"),
    NavEntry("settings", "Settings", "/settings", "settings"),
)


def _entries(active: str) -> list[rx.Component]:
    """The links in order, each section's heading before its first entry."""
    items: list[rx.Component] = []
    section = ""
    for entry in NAV_ENTRIES:
        if entry.section and entry.section != section:
            items.append(
                rx.text(entry.section, size="1", weight="medium", color_scheme="gray", padding="10px 10px 2px 10px")
            )
        section = entry.section
        items.append(_nav_link(entry, entry.id == active))
    return items


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


def _sidebar_content(active: str, person: PersonView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("shield-check", size=20, color=rx.color("accent", 9)),
            rx.text("OpenOva", weight="bold", size="3"),
            align="center",
            padding_x="10px",
            padding_bottom="12px",
        ),
        *_entries(active),
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


def sidebar(active: str, person: PersonView) -> rx.Component:
    """`active`: the id of the section the page belongs to ("" for none)."""
    return rx.box(
        _sidebar_content(active, person),
        width="200px",
        min_width="200px",
        align_self="stretch",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        data_testid="sidebar",
    )
