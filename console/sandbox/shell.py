"""The simulated shell an exec session runs: sh (dash or busybox ash) and bash flavours, builtins and lists.

No process is ever spawned: every program is a Python coroutine over the container's `ContainerView`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from console.sandbox.container_view import ContainerView
from console.sandbox.shell_commands import IO, UTILITY_COMMANDS, Program
from console.sandbox.shell_syntax import Command, Pipeline, ShellSyntaxError, expand, is_assignment, parse
from console.sandbox.terminal import Interrupted, Terminal

__all__ = ["Shell", "ShellExit", "run_exec"]

_BUILTINS = frozenset("cd exit export unset exec command type : true false echo pwd test [ set".split())
_SHELLS = ("sh", "bash", "ash", "dash")


class ShellExit(Exception):
    """`exit N` (or `exec` finishing): unwinds to the shell that owns the session level."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


@dataclass
class _Flavour:
    name: str  # bash, dash, ash
    argv0: str  # what errors are prefixed with: "sh", "bash"


def _flavour(view: ContainerView, program: str) -> _Flavour:
    if program == "bash":
        return _Flavour("bash", "bash")
    if view.traits.distro in ("debian", "ubuntu", "distroless"):
        return _Flavour("dash", "sh")
    if view.traits.distro == "alpine":
        return _Flavour("ash", "sh")
    return _Flavour("bash", "sh")  # photon and UBI link sh to bash


class Shell:
    """One shell process: its variables, working directory and last status."""

    def __init__(
        self,
        view: ContainerView,
        terminal: Terminal,
        program: str = "sh",
        *,
        env: dict[str, str] | None = None,
        cwd: str = "/",
        depth: int = 1,
    ):
        self.view = view
        self.terminal = terminal
        self.flavour = _flavour(view, program)
        self.env = dict(env if env is not None else view.env)
        self.cwd = cwd
        self.depth = depth
        self.status = 0
        self.line_number = 0

    def lookup(self, name: str) -> str | None:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(20 + self.depth * 7)
        if name == "0":
            return self.flavour.argv0
        if name == "#":
            return "0"
        if name == "PWD":
            return self.cwd
        return self.env.get(name)

    def resolve(self, path: str) -> str:
        if path == "~" or path.startswith("~/"):
            path = self.env.get("HOME", "/") + path[1:]
        return posixpath.normpath(posixpath.join(self.cwd, path)) if path else self.cwd

    def prompt(self) -> str:
        sign = "#" if self.view.uid == 0 else "$"
        home = self.env.get("HOME", "/")
        shown = "~" + self.cwd[len(home) :] if home != "/" and (self.cwd + "/").startswith(home + "/") else self.cwd
        if self.flavour.name == "bash" and self.flavour.argv0 == "bash":
            return f"{self.view.user or 'I have no name!'}@{self.view.hostname}:{shown}{sign} "
        if self.flavour.name == "bash":
            return f"sh-5.2{sign} "
        if self.flavour.name == "ash":
            return f"{shown} {sign} "
        return f"{sign} "

    def error_prefix(self, command: str) -> str:
        if self.flavour.name == "dash":
            return f"{self.flavour.argv0}: {max(self.line_number, 1)}: {command}: "
        return f"{self.flavour.argv0}: {command}: "

    async def interactive(self) -> int:
        """Read and run lines until `exit` or end of input; the shell's exit status."""
        while True:
            try:
                line = await self.terminal.readline(self.prompt() if self.terminal.tty else "")
            except Interrupted:
                self.status = 130
                continue
            if line is None:
                return self.status
            try:
                await self.run_line(line)
            except ShellExit as exit_:
                return exit_.code

    async def run_line(self, line: str, io: IO | None = None) -> int:
        self.line_number += 1
        io = io or IO(None, self.terminal.out, self.terminal.err)
        try:
            pipelines = parse(line)
        except ShellSyntaxError as error:
            await io.err(f"{self.flavour.argv0}: {self.line_number}: Syntax error: {error}\n")
            self.status = 2
            return 2
        for pipeline in pipelines:
            if (pipeline.connector == "&&" and self.status != 0) or (pipeline.connector == "||" and self.status == 0):
                continue
            self.terminal.clear_interrupt()
            try:
                self.status = await self._pipeline(pipeline, io)
            except Interrupted:
                await io.out("\n")
                self.status = 130
                return 130
        return self.status

    async def _pipeline(self, pipeline: Pipeline, io: IO) -> int:
        data: str | None = io.stdin
        status = 0
        for index, command in enumerate(pipeline.commands):
            last = index == len(pipeline.commands) - 1
            captured: list[str] = []

            async def capture(text: str, captured: list[str] = captured) -> None:
                captured.append(text)

            stage = IO(data, io.out if last else capture, io.err, io.interactive and data is None)
            status = await self._command(command, stage)
            data = "".join(captured)
        return status

    async def _command(self, command: Command, io: IO) -> int:
        words = [expand(word, self.lookup) for word in command.words]
        assignments: dict[str, str] = {}
        while words and is_assignment(words[0]):
            name, _, value = words.pop(0).partition("=")
            assignments[name] = value
        io, problem = self._redirect(command, io)
        if problem:
            await io.err(problem)
            return 2 if self.flavour.name == "dash" else 1
        if not words:
            self.env.update(assignments)
            return 0
        status = await self.run_program(words, io, extra_env=assignments)
        if io.flush is not None:
            io.flush()
        return status

    def _redirect(self, command: Command, io: IO) -> tuple[IO, str]:
        out, err, stdin, flush = io.out, io.err, io.stdin, None
        for operator, target in command.redirects:
            path = self.resolve(expand(target, self.lookup)) if target is not None else ""
            if operator == "2>&1":
                err = out
            elif operator == ">&2":
                out = err
            elif operator == "<":
                if path not in self.view.files:
                    return io, f"{self.flavour.argv0}: {self.line_number}: cannot open {path}: No such file\n"
                stdin = self.view.files[path]
            elif path == "/dev/null":
                if operator.startswith("2"):
                    err = _discard
                else:
                    out = _discard
            else:
                if not any(
                    path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in self.view.writable
                ):
                    return (
                        io,
                        f"{self.flavour.argv0}: {self.line_number}: cannot create {path}: Read-only file system\n",
                    )
                appending = operator.endswith(">>")
                chunks = [self.view.files.get(path, "")] if appending else []
                view = self.view

                async def write(text: str, chunks: list[str] = chunks) -> None:
                    chunks.append(text)

                def save(path: str = path, chunks: list[str] = chunks, view: ContainerView = view) -> None:
                    view.add_file(path, "".join(chunks))

                save()
                if operator.startswith("2"):
                    err = write
                else:
                    out = write
                flush = save
        return IO(stdin, out, err, io.interactive and stdin is None, flush), ""

    async def run_program(self, argv: list[str], io: IO, *, extra_env: dict[str, str] | None = None) -> int:
        """Run a builtin, a nested shell or a utility; 127 when the name is not found."""
        name = argv[0]
        if name in _BUILTINS:
            return await self._builtin(argv, io)
        path = self.view.executable_path(name)
        if path is None:
            message = "command not found" if self.flavour.argv0 == "bash" else "not found"
            if "/" in name:
                message = "No such file or directory"
            await io.err(f"{self.error_prefix(name)}{message}\n")
            return 127
        program = posixpath.basename(path)
        if program in _SHELLS:
            return await self._nested_shell(program, argv[1:], io, extra_env or {})
        utility: Program = UTILITY_COMMANDS[program]
        return await utility(self, argv, io)

    async def _nested_shell(self, program: str, args: list[str], io: IO, extra_env: dict[str, str]) -> int:
        child = Shell(
            self.view, self.terminal, program, env={**self.env, **extra_env}, cwd=self.cwd, depth=self.depth + 1
        )
        while args and args[0] in ("-i", "-l", "-s", "--login", "-e", "-x"):
            args = args[1:]
        try:
            if args and args[0] == "-c":
                if len(args) < 2:
                    await io.err(f"{child.flavour.argv0}: -c: option requires an argument\n")
                    return 2
                if len(args) > 2:
                    child.flavour = _Flavour(child.flavour.name, args[2])
                return await child.run_line(args[1], io)
            if args:
                script = self.resolve(args[0])
                if script not in self.view.files:
                    await io.err(f"{child.flavour.argv0}: 0: cannot open {args[0]}: No such file\n")
                    return 2
                for line in self.view.files[script].splitlines():
                    await child.run_line(line, io)
                return child.status
            if io.stdin is not None:
                for line in io.stdin.splitlines():
                    await child.run_line(line, io)
                return child.status
            return await child.interactive()
        except ShellExit as exit_:
            return exit_.code

    async def _builtin(self, argv: list[str], io: IO) -> int:
        name, args = argv[0], argv[1:]
        if name == "exit":
            code = self.status
            if args:
                try:
                    code = int(args[0]) & 0xFF
                except ValueError:
                    await io.err(f"{self.error_prefix('exit')}Illegal number: {args[0]}\n")
                    code = 2
            raise ShellExit(code)
        if name == "cd":
            target = self.resolve(args[0] if args else self.env.get("HOME", "/"))
            if not self.view.is_dir(target):
                if self.flavour.name == "bash":
                    await io.err(f"{self.flavour.argv0}: cd: {args[0]}: No such file or directory\n")
                    return 1
                await io.err(f"{self.error_prefix('cd')}can't cd to {args[0]}\n")
                return 2
            self.cwd = target
            return 0
        if name == "export":
            for item in args:
                key, sign, value = item.partition("=")
                if sign:
                    self.env[key] = value
            return 0
        if name == "unset":
            for item in args:
                self.env.pop(item, None)
            return 0
        if name == "exec":
            if not args:
                return 0
            status = await self.run_program(args, io)
            raise ShellExit(status)
        if name in ("command", "type"):
            verbose = name == "type" or "-V" in args
            found = 1
            for item in [arg for arg in args if not arg.startswith("-")]:
                path = item if item in _BUILTINS else self.view.executable_path(item)
                if path is not None:
                    found = 0
                    shown = f"{item} is a shell builtin" if item in _BUILTINS else f"{item} is {path}"
                    await io.out((shown if verbose else path) + "\n")
                elif verbose:
                    await io.err(f"{item}: not found\n")
            return found
        if name == "set":
            for key, value in sorted(self.env.items()):
                await io.out(f"{key}='{value}'\n")
            return 0
        return await UTILITY_COMMANDS[{":": "true"}.get(name, name)](self, argv, io)


async def _discard(text: str) -> None:
    return None


async def run_exec(view: ContainerView, terminal: Terminal, argv: list[str]) -> int:
    """Run `argv` as the exec'd process (no shell around it): the runtime looks the program up in $PATH.

    Returns:
        The exit status; 126 with the OCI runtime's message when the program does not exist.
    """
    shell = Shell(view, terminal, "sh")
    io = IO(None, terminal.out, terminal.err, True)
    name = argv[0] if argv else ""
    if view.executable_path(name) is None or name in ("exit", "cd", "export", "exec", "command", "type", "set"):
        await terminal.out(
            "OCI runtime exec failed: exec failed: unable to start container process: "
            f'exec: "{name}": executable file not found in $PATH: unknown\n'
        )
        return 126
    try:
        return await shell.run_program(argv, io)
    except ShellExit as exit_:
        return exit_.code
    except Interrupted:
        return 130
