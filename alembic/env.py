"""Alembic's environment for the console database: the console's own upgrade and the `alembic` command.

The console passes its connection (`config.attributes["connection"]`, inside its transaction); the `alembic`
command connects to CONSOLE_DATABASE_URL. Python logging is left as the process configured it.
"""

from __future__ import annotations

from reflex.model import ModelRegistry

import console.database.models  # noqa: F401  registers the tables in the metadata
from alembic import context
from console.database.engine import configured_url, engine_for

config = context.config
target_metadata = ModelRegistry.get_metadata()


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL for CONSOLE_DATABASE_URL's dialect."""
    context.configure(
        url=configured_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the console's connection, else through a connection of its own."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with engine_for().connect() as own:
        context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        own.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
