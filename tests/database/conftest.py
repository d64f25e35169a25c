"""Databases for the console database's tests: a SQLite file per test, and a real PostgreSQL server.

The PostgreSQL server (Debian's `postgresql`, `make test-deps`) runs for the session in a temporary folder on
a Unix socket only, as the `postgres` user when the tests run as root; each test gets a database of its own.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sovereign_sandbox.services import PostgresNotInstalled, postgres_server

from console.database.engine import dispose_engine
from console.settings import get_settings

_NAMES = itertools.count()


@pytest.fixture(scope="session")
def postgres_socket() -> Iterator[Path]:
    """A running PostgreSQL server's socket folder (user `postgres`, trust authentication); stopped at the end."""
    try:
        with postgres_server() as socket_dir:
            yield socket_dir
    except PostgresNotInstalled as missing:
        pytest.fail(str(missing))


@pytest.fixture
def postgres_url(postgres_socket: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database of its own; dropped after the test."""
    name = f"console_test_{os.getpid()}_{next(_NAMES)}"
    with psycopg.connect(host=str(postgres_socket), user="postgres", dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@/{name}?host={postgres_socket}"
    yield url
    dispose_engine(url)
    with psycopg.connect(host=str(postgres_socket), user="postgres", dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite file in the test's folder (created by the first connection)."""
    url = f"sqlite:///{tmp_path}/state/console.db"
    yield url
    dispose_engine(url)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test twice: on a SQLite file and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A console state folder of its own, the database URL left to its default there."""
    monkeypatch.setenv("CONSOLE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("CONSOLE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CONSOLE_AUDIT_DB_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "state"
    get_settings.cache_clear()
