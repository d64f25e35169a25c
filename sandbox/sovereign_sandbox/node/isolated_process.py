"""A process in the isolation (`isolation.py`), driven from asyncio: a pty or pipes, resize, exit status.

    async with IsolatedProcess.start(spec) as process:
        await process.write(b"echo hi\\r")
        process.resize(120, 40)
        async for stream, data in process.output():  # stream 1 (stdout, or the tty) or 2 (stderr)
            ...
        code = await process.wait()

Leaving the block kills what is left of the sandbox (bwrap's PID 1 inside, so that the kernel ends every
process of its PID namespace) and returns once nothing of it is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import termios
from collections.abc import AsyncIterator
from pathlib import Path

from sovereign_sandbox.node.bwrap_plan import bwrap_command
from sovereign_sandbox.node.isolation import ContainerRoot, IsolationSpec, IsolationUnavailable, Limits, find_bwrap

__all__ = ["IsolatedProcess"]

_HIGH_WATER = 64  # output chunks queued before the process's output is left unread (its writes then block)
_CHUNK = 65536
_KILL_GRACE = 5.0  # seconds for bwrap to reap its PID 1 once that is killed


class IsolatedProcess:
    """One exec'd process in its sandbox; made by `start()`."""

    def __init__(self, process: asyncio.subprocess.Process, terminal: int | None, info: int):
        self._process = process
        self._terminal = terminal  # the pty's controller side, or None with pipes
        self._loop = asyncio.get_running_loop()
        self._output: asyncio.Queue[tuple[int, bytes] | None] = asyncio.Queue()
        self._room = asyncio.Event()
        self._room.set()
        self._paused = False
        self._open_streams = 1 if terminal is not None else 2
        self._stdin_closed = False
        self._info_fd, self._info = info, b""
        self._sandbox: int | None = None  # a pidfd of bwrap's PID 1 inside
        self.sandbox_pid: int | None = None  # bwrap's PID 1 inside, as this machine numbers it
        self.pid_namespace: int | None = None  # the sandbox's PID namespace (inode of /proc/PID/ns/pid)
        os.set_blocking(info, False)
        self._loop.add_reader(info, self._read_info)
        self._pumps: list[asyncio.Task[None]] = []
        if terminal is not None:
            os.set_blocking(terminal, False)
            self._loop.add_reader(terminal, self._read_terminal)
        else:
            assert process.stdout is not None and process.stderr is not None
            self._pumps = [
                asyncio.create_task(self._pump(1, process.stdout)),
                asyncio.create_task(self._pump(2, process.stderr)),
            ]

    @property
    def pid(self) -> int:
        """bwrap's process on this machine (the leader of the session's process group)."""
        return self._process.pid

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, spec: IsolationSpec) -> AsyncIterator[IsolatedProcess]:
        """Spawn `spec`; on leaving, kill what is left of it and remove the session's files.

        Raises:
            IsolationUnavailable: bwrap cannot run here (the message says why).
            ExecutableNotFound: the program is not in the container; nothing was spawned.
        """
        bwrap = await asyncio.to_thread(find_bwrap)
        try:
            session = spec.root.new_session()
        except OSError as error:  # the root is gone: the container restarted or the sandbox is stopping
            raise IsolationUnavailable(f"cannot start an isolated shell: {error}") from error
        process: IsolatedProcess | None = None
        try:
            process = await cls._spawn(spec, bwrap, session)
            yield process
        finally:
            if process is not None:
                await process._end()
            await asyncio.to_thread(shutil.rmtree, session, True)

    @classmethod
    async def _spawn(cls, spec: IsolationSpec, bwrap: str, session: Path) -> IsolatedProcess:
        info_read, info_write = os.pipe()
        terminal = tty = options = -1
        try:
            command = await asyncio.to_thread(bwrap_command, spec, session, bwrap, info_write)
            command, options = _options_in_a_file(command, session)
            limits = _rlimits(spec.limits, await asyncio.to_thread(_tasks_of, spec.root))
            if spec.tty:
                terminal, tty = os.openpty()
                _set_size(tty, *spec.size)
            pipe, switch_user = asyncio.subprocess.PIPE, not spec.root.owner.is_current
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=tty if spec.tty else pipe if spec.stdin else asyncio.subprocess.DEVNULL,
                stdout=tty if spec.tty else pipe,
                stderr=tty if spec.tty else pipe,
                preexec_fn=functools.partial(_in_child, limits, spec.tty),
                pass_fds=(info_write, options),
                start_new_session=True,
                user=spec.root.owner.uid if switch_user else None,
                group=spec.root.owner.gid if switch_user else None,
                extra_groups=[] if switch_user else None,
            )
        except BaseException as error:
            for fd in (terminal, info_read):
                if fd >= 0:
                    os.close(fd)
            if isinstance(error, OSError | subprocess.SubprocessError):
                raise IsolationUnavailable(f"cannot start an isolated shell: {error}") from error
            raise
        finally:
            for fd in (info_write, options, tty):  # the child has its copies; our tty would hide the end of output
                if fd >= 0:
                    os.close(fd)
        return cls(process, terminal if spec.tty else None, info_read)

    async def write(self, data: bytes) -> None:
        """Input for the process; dropped once its stdin is closed or it has gone."""
        if self._terminal is not None:
            await self._write_terminal(data)
            return
        stdin = self._process.stdin
        if stdin is None or self._stdin_closed or not data:
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            stdin.write(data)
            await stdin.drain()

    async def close_stdin(self) -> None:
        """End of input: EOF on a pipe; on a tty, ^D as a person would type (the terminal itself stays)."""
        if self._terminal is not None:
            await self._write_terminal(b"\x04")
        elif self._process.stdin is not None and not self._stdin_closed:
            self._stdin_closed = True
            self._process.stdin.close()

    def resize(self, columns: int, rows: int) -> None:
        """The terminal's new size (the kernel signals SIGWINCH to its foreground processes); no-op on pipes."""
        if self._terminal is not None:
            with contextlib.suppress(OSError):
                _set_size(self._terminal, columns, rows)

    async def output(self) -> AsyncIterator[tuple[int, bytes]]:
        """(1, data) from stdout, or from the tty, and (2, data) from stderr, until every stream has ended."""
        while self._open_streams:
            item = await self._output.get()
            if self._output.qsize() < _HIGH_WATER:
                self._room.set()
                if self._paused and self._terminal is not None:
                    self._paused = False
                    self._loop.add_reader(self._terminal, self._read_terminal)
            if item is None:
                self._open_streams -= 1
            else:
                yield item

    async def wait(self) -> int:
        """The exit status: the program's, or 128 + the signal that ended it (as a shell reports it)."""
        code = await self._process.wait()
        return 128 - code if code < 0 else code

    def _queue(self, item: tuple[int, bytes] | None) -> None:
        self._output.put_nowait(item)
        if self._output.qsize() >= _HIGH_WATER:
            self._room.clear()
            if self._terminal is not None and item is not None:
                self._paused = True
                self._loop.remove_reader(self._terminal)

    def _read_terminal(self) -> None:
        assert self._terminal is not None
        try:
            data = os.read(self._terminal, _CHUNK)
        except BlockingIOError:
            return
        except OSError:  # EIO: no process holds the terminal any more
            data = b""
        if data:
            self._queue((1, data))
        else:
            self._loop.remove_reader(self._terminal)
            self._queue(None)

    async def _pump(self, stream: int, reader: asyncio.StreamReader) -> None:
        try:
            while data := await reader.read(_CHUNK):
                self._queue((stream, data))
                await self._room.wait()
        finally:
            self._queue(None)

    async def _write_terminal(self, data: bytes) -> None:
        assert self._terminal is not None
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self._terminal, view) :]
            except BlockingIOError:
                writable = self._loop.create_future()
                self._loop.add_writer(self._terminal, _settle, writable)
                try:
                    await writable
                finally:
                    self._loop.remove_writer(self._terminal)
            except OSError:  # the terminal is gone
                return

    def _read_info(self) -> None:
        """bwrap's --info-fd document: the PID 1 it started and the namespaces it made."""
        try:
            data = os.read(self._info_fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._info += data
        try:
            info = json.loads(self._info)
        except ValueError:
            if data:
                return  # more to come
            info = {}
        self._loop.remove_reader(self._info_fd)
        self.sandbox_pid, self.pid_namespace = info.get("child-pid"), info.get("pid-namespace")
        if self.sandbox_pid:
            self._sandbox = _pidfd_of(self.sandbox_pid, self.pid_namespace)

    async def _end(self) -> None:
        if self._sandbox is None and self._info_fd >= 0:
            self._read_info()  # a process that ended at once may not have let the loop read it
        if self._process.returncode is None:
            self._kill_sandbox()
        try:
            await asyncio.wait_for(self._process.wait(), _KILL_GRACE)
        except TimeoutError:
            # Not reaped yet, so the group's number still names bwrap's process group and nothing else.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            await self._process.wait()
        await self._sandbox_gone()
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        self._loop.remove_reader(self._info_fd)
        os.close(self._info_fd)
        self._info_fd = -1
        if self._terminal is not None:
            self._loop.remove_reader(self._terminal)
            os.close(self._terminal)
            self._terminal = None
        if self._process.stdin is not None:
            self._process.stdin.close()

    def _kill_sandbox(self) -> None:
        """SIGKILL bwrap's PID 1 inside: as it dies, the kernel kills every other process of its namespace."""
        if self._sandbox is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._sandbox, signal.SIGKILL)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)

    async def _sandbox_gone(self) -> None:
        """Wait for PID 1 inside to have exited, which it does only once the rest of its namespace has.

        bwrap outside exits as soon as the program does, while PID 1 may still be tearing the namespace down.
        """
        if self._sandbox is None:
            return
        try:
            for attempt in range(2):
                exited = self._loop.create_future()
                self._loop.add_reader(self._sandbox, _settle, exited)
                try:
                    await asyncio.wait_for(exited, _KILL_GRACE)
                    return
                except TimeoutError:
                    if attempt == 0:
                        self._kill_sandbox()
                finally:
                    self._loop.remove_reader(self._sandbox)
        finally:
            os.close(self._sandbox)
            self._sandbox = None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _pidfd_of(pid: int, namespace: int | None) -> int | None:
    """A pidfd of bwrap's PID 1 (it names that process even once its number is reused), checked by namespace."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return None
    try:
        same = os.stat(f"/proc/{pid}/ns/pid").st_ino == namespace
    except OSError:
        same = False
    if not same:
        os.close(pidfd)
        return None
    return pidfd


def _options_in_a_file(command: list[str], session: Path) -> tuple[list[str], int]:
    """bwrap's options moved to a file it reads (`--args FD`), and that file's descriptor.

    On its command line, which its PID 1 inside keeps, `ps` would show this machine's paths to everyone in the
    sandbox. The program and its arguments must stay on it.
    """
    program = command.index("--")
    options = session / "bwrap-options"
    options.write_bytes(b"".join(option.encode() + b"\0" for option in command[1:program]))
    fd = os.open(options, os.O_RDONLY)
    return [command[0], "--args", str(fd), *command[program:]], fd


def _set_size(fd: int, columns: int, rows: int) -> None:
    size = struct.pack("HHHH", max(1, min(rows, 0xFFFF)), max(1, min(columns, 0xFFFF)), 0, 0)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, size)


def _tasks_of(root: ContainerRoot) -> int:
    """Processes and threads the host user runs now: RLIMIT_NPROC counts all of them, in a sandbox or not."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == root.owner.uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
    return count


def _rlimits(limits: Limits, running: int) -> tuple[tuple[int, int, int], ...]:
    """(resource, soft, hard) for the child; the process count on top of the `running` ones."""
    return (
        (resource.RLIMIT_AS, limits.memory, limits.memory),
        (resource.RLIMIT_NPROC, running + limits.processes, running + limits.processes),
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),
        (resource.RLIMIT_FSIZE, limits.file_size, limits.file_size),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
    )


def _in_child(limits: tuple[tuple[int, int, int], ...], take_terminal: bool) -> None:
    """Runs between fork and exec, so it only makes system calls: no imports, no locks, no logging."""
    if take_terminal:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty becomes the session's terminal: job control works
    for which, soft, hard in limits:
        resource.setrlimit(which, (soft, hard))
