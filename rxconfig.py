"""Reflex configuration of the Sovereign Console."""

from pathlib import Path

import reflex as rx

from console.settings import get_settings

# The console database (CONSOLE_DATABASE_URL): `reflex db makemigrations/migrate/status` work on it.
DATABASE_URL = get_settings().database_url
if DATABASE_URL.startswith("sqlite:///"):
    # Reflex checks the schema when it compiles the app, before the console's lifespan migrates: the folder of
    # the SQLite file must exist by then.
    Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

config = rx.Config(
    app_name="console",
    db_url=DATABASE_URL,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(appearance="inherit", accent_color="teal", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    telemetry_enabled=False,
    show_built_with_reflex=False,
)
