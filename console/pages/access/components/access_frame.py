"""The frame every Users & Access page is drawn in: its header, the notices above its body, the body behind the
tier gate, and the bordered panel the directory pages lay out in.

Stateless: each piece takes the Vars (and test ids) of its page, so every page says the same things the same way.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

SECTION = "Users & Access"  # the label above a grant page's heading
CHECKING_TIER = "Checking your tier…"
NEEDS_ADMIN_TITLE = "Needs tier-admin to see grants"  # the gate of the pages that show grants


def access_header(
    title: str | rx.Var[str],
    *,
    crumb: str | None = None,
    crumb_href: str | None = None,
    beside: tuple[rx.Component, ...] = (),
    end: rx.Component | None = None,
    description: str | None = None,
    title_test_id: str | None = None,
) -> rx.Component:
    """A page's heading, with what each page puts around it.

    `crumb`: a small label above the heading (a link back when `crumb_href` is given); `beside`: badges next to
    the heading; `end`: one badge at the far end of the row (the live state of a grant list); `description`: a
    line of text below. Each wrapper is added only when asked for, so a page without it keeps its plain heading.
    """
    header = rx.heading(title, size="6", data_testid=title_test_id)
    if beside:
        header = rx.hstack(header, *beside, align="center", gap="3")
    if crumb is not None:
        label = rx.text(crumb, size="1", color_scheme="gray")
        header = rx.vstack(rx.link(label, href=crumb_href) if crumb_href else label, header, gap="1")
    if end is not None:
        header = rx.hstack(header, rx.spacer(), end, width="100%", align="center")
    if description is None:
        return header
    # A fragment: the description stands in the page's own column, spaced like the rest of its body.
    return rx.fragment(header, rx.text(description, color_scheme="gray", size="2"))


def live_badge(status: rx.Var[str], test_id: str, **props: Any) -> rx.Component:
    """How the page's live feed is doing: green while "live", amber otherwise (connecting, reconnecting, idle)."""
    return rx.badge(
        status,
        variant="soft",
        color_scheme=rx.cond(status == "live", "green", "amber"),
        data_testid=test_id,
        **props,
    )


def loading_line(text: str, test_id: str | None = None) -> rx.Component:
    return rx.hstack(rx.spinner(), rx.text(text, color_scheme="gray"), data_testid=test_id)


def problem_callout(message: rx.Var[str], test_id: str | None = None) -> rx.Component:
    """Why something cannot be shown or done now, in red."""
    return rx.callout(message, icon="triangle-alert", color_scheme="red", data_testid=test_id)


def problem_notice(message: rx.Var[str], test_id: str | None = None) -> rx.Component:
    """`problem_callout` while there is a problem ("" when there is none)."""
    return rx.cond(message != "", problem_callout(message, test_id))


def result_notice(
    message: rx.Var[str], tone: rx.Var[str], test_id: str, *, failed_icon: str = "circle-alert", **props: Any
) -> rx.Component:
    """What the person's last change did: green when `tone` is "ok", red otherwise; nothing before a change."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon=rx.cond(tone == "ok", "circle-check", failed_icon),
            color_scheme=rx.cond(tone == "ok", "green", "red"),
            data_testid=test_id,
            **props,
        ),
    )


def gate_notice(title: str, message: rx.Var[str], test_id: str) -> rx.Component:
    """Why this person cannot do what the page offers, in one callout."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("lock")),
        rx.callout.text(rx.text(title, weight="bold"), rx.text(message, size="2")),
        color_scheme="amber",
        data_testid=test_id,
    )


def needs_tier_notice(message: rx.Var[str]) -> rx.Component:
    """What a person below a directory page's tier sees instead of it."""
    return rx.callout(message, icon="lock", color_scheme="amber", data_testid="needs-tier")


def gated_body(
    content: rx.Component,
    *,
    gate: rx.Var[str],
    gate_title: str = NEEDS_ADMIN_TITLE,
    waiting: rx.Var[bool],
    problem: rx.Var[str],
    loading_text: str,
    test_id: str,
) -> rx.Component:
    """A grant page's body: the gate's notice for a person who may not use the page (`gate`: why, "" when they
    may), a loading line while `waiting`, then `content`. While there is a problem it shows nothing: the page's
    `problem_notice` above says why. Test ids: `<test_id>-gate`, `<test_id>-loading`."""
    return rx.cond(
        gate != "",
        gate_notice(gate_title, gate, f"{test_id}-gate"),
        rx.cond(
            waiting | (problem != ""),
            rx.cond(problem == "", loading_line(loading_text, f"{test_id}-loading")),
            content,
        ),
    )


def tier_gated(
    content: rx.Component, *, checked: rx.Var[bool], allowed: rx.Var[bool], refusal: rx.Var[str]
) -> rx.Component:
    """A directory page's body: "Checking your tier…" until the session is read, then `content` for admins and
    owners, and why not (`refusal`) for anyone else."""
    return rx.cond(checked, rx.cond(allowed, content, needs_tier_notice(refusal)), loading_line(CHECKING_TIER))


def panel(*children: rx.Component, **props: Any) -> rx.Component:
    """A bordered column the directory pages lay their parts out in."""
    return rx.vstack(
        *children,
        padding="14px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        gap="3",
        align="start",
        **props,
    )
