"""The schema comes from the checked-in Alembic revisions (Reflex's integration), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from reflex.model import ModelRegistry

from console.database.engine import engine_for
from console.database.migrations import alembic_ini, current_revision, exclusive, head_revision, upgrade
from console.database.runtime import open_database

TABLES = {"alembic_version", "audit_log", "score_sample", "outcome_change", "legacy_audit_import"}


async def test_a_fresh_database_gets_the_schema_through_the_alembic_migration(database_url: str):
    engine = engine_for(database_url)
    assert current_revision(engine) is None

    database = await open_database(database_url, install=False)
    try:
        assert current_revision(engine) == head_revision()
        inspector = sqlalchemy.inspect(engine)
        assert set(inspector.get_table_names()) == TABLES
        with engine.connect() as connection:
            assert connection.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalars().all() == [
                head_revision()
            ]
        assert {index["name"] for index in inspector.get_indexes("score_sample")} == {
            "score_sample_scope",
            "score_sample_at",
        }
        assert {index["name"] for index in inspector.get_indexes("outcome_change")} == {"outcome_change_at"}
    finally:
        database.close()


def test_the_revisions_match_the_models(database_url: str):
    """What `reflex db makemigrations` would write next is nothing: the revisions describe the models."""
    engine = engine_for(database_url)
    with exclusive(engine):
        upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), ModelRegistry.get_metadata())
    assert differences == []


def test_upgrading_again_changes_nothing(database_url: str):
    engine = engine_for(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_the_migration_files_sit_beside_rxconfig():
    ini = alembic_ini()
    assert ini.name == "alembic.ini" and (ini.parent / "rxconfig.py").is_file()
    assert (ini.parent / "alembic" / "env.py").is_file()


async def test_postgresql_refuses_to_change_or_remove_audit_records(postgres_url: str):
    database = await open_database(postgres_url, install=False)
    try:
        await database.audit_log.record("oidc:alice", "scale", "deployments.apps/shop/web", "ok")
        for statement in ("UPDATE audit_log SET result = 'denied'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"):
                with database.engine.begin() as connection:
                    connection.execute(sqlalchemy.text(statement))
        assert [record.result for record in await database.audit_log.recent()] == ["ok"]
    finally:
        database.close()
