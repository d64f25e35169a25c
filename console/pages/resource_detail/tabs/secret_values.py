"""A Secret's "Reveal values": offered only to people allowed to `get` it; values shown in place, on request."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.event import EventType


@dataclass(frozen=True, slots=True)
class SecretValuesView:
    """The Vars and event handlers the section is drawn from."""

    revealed: rx.Var  # list[{"key", "value", "binary"}], empty until revealed
    can_reveal: rx.Var[bool]  # the person may `get` the Secret
    message: rx.Var[str]  # why nothing is shown ("" when all is well)
    reveal: EventType
    hide: EventType


def secret_values(view: SecretValuesView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Values", size="3"),
            rx.cond(
                view.revealed.length() > 0,  # type: ignore[attr-defined]
                rx.button(
                    rx.icon("eye-off", size=14),
                    "Hide values",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=view.hide,
                    data_testid="secret-hide",
                ),
                rx.cond(
                    view.can_reveal,
                    rx.button(
                        rx.icon("eye", size=14),
                        "Reveal values",
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        on_click=view.reveal,
                        data_testid="secret-reveal",
                    ),
                    rx.text(
                        "Values hidden: you may not read this Secret.",
                        size="2",
                        color_scheme="gray",
                        data_testid="secret-reveal-unavailable",
                    ),
                ),
            ),
            align="center",
            gap="3",
        ),
        rx.cond(
            view.message != "",
            rx.text(view.message, size="2", color_scheme="amber", data_testid="secret-reveal-message"),
        ),
        rx.cond(
            view.revealed.length() > 0,  # type: ignore[attr-defined]
            rx.data_list.root(
                rx.foreach(
                    view.revealed,
                    lambda item: rx.data_list.item(
                        rx.data_list.label(item["key"]),
                        rx.data_list.value(
                            rx.code(
                                item["value"],
                                white_space="pre-wrap",
                                word_break="break-all",
                                color_scheme=rx.cond(item["binary"] != "", "gray", "accent"),
                            ),
                            data_testid="secret-value",
                        ),
                        data_testid="secret-value-row",
                        data_key=item["key"],
                    ),
                ),
                size="2",
            ),
        ),
        width="100%",
        gap="2",
        data_testid="secret-values",
    )
