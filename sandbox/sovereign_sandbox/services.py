"""Real backing services a console can scale out on: Debian's PostgreSQL and Redis, each in a folder of its own.

Not emulated (the real servers exist and install with apt); started on demand by tests and stopped on the way
out. Both listen on a Unix socket or a loopback port only, with no password: they live as long as the test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresNotInstalled", "RedisNotInstalled", "postgres_server", "redis_server"]


class PostgresNotInstalled(RuntimeError):
    """Debian's `postgresql` is missing (`make test-deps` installs it)."""


class RedisNotInstalled(RuntimeError):
    """Debian's `redis-server` is missing (`make test-deps` installs it)."""


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


@contextlib.contextmanager
def postgres_server(max_connections: int = 50) -> Iterator[Path]:
    """A running PostgreSQL server; yields its socket folder (user `postgres`, trust authentication).

    Runs as `postgres` when started by root (the server refuses root), on a Unix socket only.
    """
    bin_dir = _postgres_bin()
    if bin_dir is None:
        raise PostgresNotInstalled("PostgreSQL is not installed: `make test-deps` installs Debian's postgresql")
    base = Path(tempfile.mkdtemp(prefix="console-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data = base / "data"
    options = f"-k {base} -c listen_addresses='' -c fsync=off -c max_connections={max_connections}"
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A running Redis server on a loopback port, nothing persisted; yields its `redis://` URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisNotInstalled("Redis is not installed: `make test-deps` installs Debian's redis-server")
    base = Path(tempfile.mkdtemp(prefix="console-redis-"))
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(base), "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the server says it is ready (or exits)
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server exited with code {process.wait()} before it was ready")
        # Keep reading its log so a full pipe never stalls the server.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)
