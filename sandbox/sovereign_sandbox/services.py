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
from typing import Protocol, TypeVar

__all__ = [
    "PostgresNotInstalled",
    "PostgresService",
    "RedisNotInstalled",
    "RedisService",
    "postgres_server",
    "redis_server",
    "running_postgres",
    "running_redis",
]


class PostgresNotInstalled(RuntimeError):
    """Debian's `postgresql` is missing (`make test-deps` installs it)."""


class RedisNotInstalled(RuntimeError):
    """Debian's `redis-server` is missing (`make test-deps` installs it)."""


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


class _Service(Protocol):
    def start(self) -> None: ...

    def remove(self) -> None: ...


_S = TypeVar("_S", bound=_Service)


@contextlib.contextmanager
def _started(service: _S) -> Iterator[_S]:
    """`service` started, and stopped and removed on the way out (a failed start included)."""
    try:
        service.start()
        yield service
    finally:
        service.remove()


class PostgresService:
    """One PostgreSQL cluster in a folder of its own, which tests may stop and start again (its data kept)."""

    def __init__(self, max_connections: int = 50) -> None:
        bin_dir = _postgres_bin()
        if bin_dir is None:
            raise PostgresNotInstalled("PostgreSQL is not installed: `make test-deps` installs Debian's postgresql")
        self._bin = bin_dir
        self.socket_dir = Path(tempfile.mkdtemp(prefix="console-pg-"))
        self._as_owner: list[str] = []
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.socket_dir, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._data = self.socket_dir / "data"
        self._options = f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c max_connections={max_connections}"
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")  # fmt: skip

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        command = [*self._as_owner, str(self._bin / tool), *args]
        subprocess.run(command, check=check, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self._data), "-o", self._options, "-l", str(self.socket_dir / "server.log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """As a restart of its pod does: every connection is cut (`-m fast`)."""
        if (self._data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self._data), "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def running_postgres(max_connections: int = 50) -> contextlib.AbstractContextManager[PostgresService]:
    """A running PostgreSQL server (user `postgres`, trust authentication, on a Unix socket only)."""
    return _started(PostgresService(max_connections))


@contextlib.contextmanager
def postgres_server(max_connections: int = 50) -> Iterator[Path]:
    """A running PostgreSQL server; yields its socket folder (user `postgres`, trust authentication)."""
    with running_postgres(max_connections) as service:
        yield service.socket_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisService:
    """One Redis server on a loopback port, nothing persisted; tests may stop it and start it again (empty, on
    the same port), as a Redis pod without persistence restarts."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisNotInstalled("Redis is not installed: `make test-deps` installs Debian's redis-server")
        self._binary = binary
        self._dir = Path(tempfile.mkdtemp(prefix="console-redis-"))
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self._dir), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:  # blocks until the server says it is ready (or exits)
            if "Ready to accept connections" in line:
                break
        else:
            raise RuntimeError(f"redis-server exited with code {process.wait()} before it was ready")
        # Keep reading its log so a full pipe never stalls the server.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        self._process = process

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def running_redis() -> contextlib.AbstractContextManager[RedisService]:
    """A running Redis server on a loopback port, nothing persisted."""
    return _started(RedisService())


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A running Redis server on a loopback port, nothing persisted; yields its `redis://` URL."""
    with running_redis() as service:
        yield service.url
