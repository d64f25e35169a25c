"""Databases for the console database's tests: a SQLite file per test, and a real PostgreSQL server.

The PostgreSQL server (Debian's `postgresql`, `make test-deps`) runs for the session in a temporary folder on
a Unix socket only, as the `postgres` user when the tests run as root; each test gets a database of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from console.database.engine import dispose_engine
from console.settings import get_settings

_NAMES = itertools.count()


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


@pytest.fixture(scope="session")
def postgres_socket() -> Iterator[Path]:
    """A running PostgreSQL server's socket folder (user `postgres`, trust authentication); stopped at the end."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is not installed: `make test-deps` installs Debian's postgresql")
    base = Path(tempfile.mkdtemp(prefix="console-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(base, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    options = f"-k {base} -c listen_addresses='' -c fsync=off -c max_connections=50"
    try:
        subprocess.run(
            [*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "server.log"),
             "-w", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield base
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False, capture_output=True, timeout=120,
            )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


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
