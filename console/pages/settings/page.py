"""`/settings`: Session, Appearance, Cluster connection, Identity provider, Embedding and Build, read-only.

Only the theme can be changed here (it is the browser's own, like the header's toggle); everything else
comes from the deployment's environment.
"""

from __future__ import annotations

import reflex as rx
from reflex.style import color_mode, set_color_mode

from console.components.browser_script import run_in_browser
from console.layout.frame import page_shell
from console.layout.identity_card import SIGN_OUT_SCRIPT
from console.pages.settings.state import SettingsState as State
from console.state.session import SessionState

ROUTE = "/settings"
OWNER_NOTE = "Set through environment variables (see README Configuration)."
READER_NOTE = "Only owners change console settings; these come from the deployment's environment."
# A POST by a real form, as Sign out: a full navigation to the backend route, which ends every session.
SIGN_OUT_EVERYWHERE_SCRIPT = SIGN_OUT_SCRIPT.replace("'/auth/logout'", "'/auth/logout/everywhere'")
_THEMES = (("light", "Light", "sun"), ("dark", "Dark", "moon"), ("system", "System", "monitor"))


def _card(title: str, test_id: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), *children, gap="3", width="100%"),
        width="100%",
        id=test_id,
        data_testid=f"settings-{test_id}",
    )


def _facts(rows: rx.Var[list[dict[str, str]]]) -> rx.Component:
    return rx.data_list.root(
        rx.foreach(
            rows,
            lambda row: rx.data_list.item(
                rx.data_list.label(row["label"], min_width="140px"),
                rx.data_list.value(
                    rx.text(row["value"], size="2", data_testid="settings-value"), data_label=row["label"]
                ),
            ),
        ),
        size="2",
    )


def _fact(label: str, value: rx.Component) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(label, min_width="140px"), rx.data_list.value(value))


def _sign_out_everywhere() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out everywhere",
                color_scheme="red",
                variant="soft",
                data_testid="sign-out-everywhere",
            ),
        ),  # fmt: skip
        rx.alert_dialog.content(
            rx.alert_dialog.title("Sign out everywhere?"),
            rx.alert_dialog.description(
                "Every browser signed in as you, on every replica of the console, is signed out now."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Sign out everywhere",
                        color_scheme="red",
                        on_click=run_in_browser(SIGN_OUT_EVERYWHERE_SCRIPT),
                        data_testid="confirm-sign-out-everywhere",
                    )
                ),
                justify="end",
                gap="3",
                margin_top="12px",
            ),
        ),
    )


def _session() -> rx.Component:
    return _card(
        "Session",
        "session",
        rx.data_list.root(
            _fact("Name", rx.text(SessionState.display_name, data_testid="settings-name")),
            _fact("Email", rx.text(SessionState.email, data_testid="settings-email")),
            _fact("Username", rx.code(SessionState.username, data_testid="settings-username")),
            _fact("Tier", rx.badge(SessionState.tier, variant="soft", data_testid="settings-tier")),
            _fact(
                "Groups",
                rx.flex(
                    rx.foreach(State.groups, lambda group: rx.badge(group, color_scheme="gray", variant="outline")),
                    wrap="wrap",
                    gap="1",
                    data_testid="settings-groups",
                ),
            ),
            size="2",
        ),
        _facts(State.session),
        rx.hstack(
            rx.button(
                rx.icon("log-out", size=14),
                "Sign out",
                variant="soft",
                on_click=run_in_browser(SIGN_OUT_SCRIPT),
                data_testid="settings-sign-out",
            ),
            _sign_out_everywhere(),
            gap="3",
        ),  # fmt: skip
    )


def _appearance() -> rx.Component:
    return _card(
        "Appearance",
        "appearance",
        rx.text("The theme is this browser's own, the same as the header's toggle.", size="2", color_scheme="gray"),
        rx.hstack(
            *(
                rx.button(
                    rx.icon(icon, size=14),
                    label,
                    variant=rx.cond(color_mode == mode, "solid", "outline"),
                    on_click=set_color_mode(mode),
                    aria_pressed=rx.cond(color_mode == mode, "true", "false"),
                    data_testid=f"theme-{mode}",
                )
                for mode, label, icon in _THEMES
            ),
            gap="2",
        ),
    )


def settings_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.heading("Settings", size="6", data_testid="settings-title"),
            rx.callout(
                rx.cond(State.is_owner, OWNER_NOTE, READER_NOTE),
                icon="info",
                color_scheme="gray",
                data_testid="settings-note",
            ),
            rx.cond(
                State.loaded,
                rx.vstack(
                    _session(),
                    _appearance(),
                    _card("Cluster connection", "cluster", _facts(State.cluster)),
                    _card("Identity provider", "identity-provider", _facts(State.identity_provider)),
                    _card("Embedding", "embedding", _facts(State.embedding)),
                    _card("Build", "build", _facts(State.build)),
                    gap="4",
                    width="100%",
                ),
                rx.hstack(rx.spinner(), rx.text("Loading…", color_scheme="gray")),
            ),
            max_width="760px",
            gap="4",
            data_testid="settings",
        ),
        active="settings",
    )
