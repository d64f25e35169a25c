"""Reflex configuration of the Sovereign Console."""

import reflex as rx

config = rx.Config(
    app_name="console",
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="inherit", accent_color="teal", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    telemetry_enabled=False,
    show_built_with_reflex=False,
)
