"""A status shown as text on a tone colour (never colour alone)."""

from __future__ import annotations

import reflex as rx

_COLOR_BY_TONE = {"ok": "green", "warn": "amber", "err": "red", "info": "blue", "muted": "gray"}


def tone_color(tone: rx.Var[str]) -> rx.Var[str]:
    return rx.match(tone, *_COLOR_BY_TONE.items(), "gray")


def tone_badge(text: rx.Var[str], tone: rx.Var[str], **props) -> rx.Component:
    return rx.badge(
        text,
        color_scheme=tone_color(tone),
        variant="soft",
        radius="full",
        data_tone=tone,
        **props,
    )
