"""The utilities found in $PATH of an image with a shell (coreutils/procps or busybox), as coroutines."""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the shell passes itself in; the type is only for annotations
    from console.sandbox.shell import Shell

__all__ = ["IO", "Program", "UTILITY_COMMANDS"]

Output = Callable[[str], Awaitable[None]]


@dataclass
class IO:
    """A program's standard streams: stdin text (None = the terminal when `interactive`), stdout, stderr."""

    stdin: str | None
    out: Output
    err: Output
    interactive: bool = False
    flush: Callable[[], None] | None = None  # saves a redirected file once the program finished


Program = Callable[["Shell", list[str], IO], Awaitable[int]]
UTILITY_COMMANDS: dict[str, Program] = {}


def _program(*names: str) -> Callable[[Program], Program]:
    def register(function: Program) -> Program:
        for name in names:
            UTILITY_COMMANDS[name] = function
        return function

    return register


def _gnu(shell: Shell) -> bool:
    return shell.view.traits.distro != "alpine"


def _split(argv: list[str]) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    operands: list[str] = []
    for arg in argv[1:]:
        if arg.startswith("-") and len(arg) > 1 and not operands:
            flags.update(arg[1:])
        else:
            operands.append(arg)
    return flags, operands


async def _stdin(shell: Shell, io: IO) -> str:
    if io.stdin is not None:
        return io.stdin
    if not io.interactive:
        return ""
    if not shell.terminal.tty:
        return await shell.terminal.read_all()
    lines = []
    while (line := await shell.terminal.readline("")) is not None:
        lines.append(line + "\n")
    return "".join(lines)


async def _inputs(shell: Shell, io: IO, operands: list[str], program: str) -> tuple[list[tuple[str, str]], int]:
    """(name, text) of each operand file, or of stdin when there are none; status 1 if any was missing."""
    if not operands:
        return [("", await _stdin(shell, io))], 0
    found, status = [], 0
    for operand in operands:
        path = shell.resolve(operand)
        if path in shell.view.files:
            found.append((operand, shell.view.files[path]))
        elif shell.view.is_dir(path):
            await io.err(
                f"{program}: {operand}: Is a directory\n" if _gnu(shell) else f"{program}: read error: Is a directory\n"
            )
            status = 1
        else:
            await io.err(f"{program}: {operand}: No such file or directory\n")
            status = 1
    return found, status


@_program("true")
async def _true(shell: Shell, argv: list[str], io: IO) -> int:
    return 0


@_program("false")
async def _false(shell: Shell, argv: list[str], io: IO) -> int:
    return 1


@_program("echo")
async def _echo(shell: Shell, argv: list[str], io: IO) -> int:
    args, newline, escapes = argv[1:], True, shell.flavour.name == "dash"
    while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = escapes or "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = text.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    await io.out(text + ("\n" if newline else ""))
    return 0


@_program("printf")
async def _printf(shell: Shell, argv: list[str], io: IO) -> int:
    if len(argv) < 2:
        await io.err("printf: usage: printf format [arguments]\n")
        return 2
    template = argv[1].replace("\\n", "\n").replace("\\t", "\t")
    args = argv[2:]
    conversions = len(re.findall(r"%[sdi]", template)) or 1
    output = []
    while True:
        chunk, args = args[:conversions], args[conversions:]
        values = iter(chunk)

        def convert(match: re.Match[str], values=values) -> str:
            return "%" if match.group(1) == "%" else next(values, "")

        output.append(re.sub(r"%([sdi%])", convert, template))
        if not args:
            break
    await io.out("".join(output))
    return 0


@_program("pwd")
async def _pwd(shell: Shell, argv: list[str], io: IO) -> int:
    await io.out(shell.cwd + "\n")
    return 0


@_program("cat")
async def _cat(shell: Shell, argv: list[str], io: IO) -> int:
    _, operands = _split(argv)
    if not operands and io.stdin is None and io.interactive:
        if shell.terminal.tty:
            while (line := await shell.terminal.readline("")) is not None:
                await io.out(line + "\n")
        else:
            while (chunk := await shell.terminal.read_chunk()) is not None:
                await io.out(chunk)
        return 0
    inputs, status = await _inputs(shell, io, operands, "cat")
    for _, text in inputs:
        await io.out(text)
    return status


@_program("ls")
async def _ls(shell: Shell, argv: list[str], io: IO) -> int:
    flags, operands = _split(argv)
    view, status, blocks = shell.view, 0, []
    for operand in operands or ["."]:
        path = shell.resolve(operand)
        if path in view.files:
            blocks.append(("", [(operand, path)]))
        elif view.is_dir(path):
            names = view.children(path)
            if "a" in flags:
                names = [".", "..", *names]
            elif "A" not in flags:
                names = [name for name in names if not name.startswith(".")]
            blocks.append((operand, [(name, posixpath.join(path, name)) for name in names]))
        else:
            message = (
                f"ls: cannot access '{operand}': No such file or directory"
                if _gnu(shell)
                else f"ls: {operand}: No such file or directory"
            )
            await io.err(message + "\n")
            status = 2 if _gnu(shell) else 1
    for number, (header, entries) in enumerate(blocks):
        if len(blocks) > 1 and header:
            await io.out(("\n" if number else "") + f"{header}:\n")
        if "l" in flags:
            if header:
                await io.out(f"total {4 * len(entries)}\n")
            for name, path in entries:
                await io.out(_long_entry(shell, name, path) + "\n")
        elif entries:
            separator = "  " if shell.terminal.tty and "1" not in flags and io.stdin is None else "\n"
            await io.out(separator.join(name for name, _ in entries) + "\n")
    return status


def _long_entry(shell: Shell, name: str, path: str) -> str:
    view = shell.view
    directory = view.is_dir(path) or name in (".", "..")
    owner = "root" if path.startswith(("/etc", "/bin", "/usr", "/var/run/secrets")) else (view.user or str(view.uid))
    if directory:
        mode, size = "drwxr-xr-x", 4096
    else:
        executable = posixpath.basename(path) in view.executables and posixpath.dirname(path).endswith("bin")
        mode, size = ("-rwxr-xr-x" if executable else "-rw-r--r--"), len(view.files.get(path, "").encode())
    stamp = time.strftime("%b %e %H:%M", time.gmtime(view.started))
    return f"{mode} {2 if directory else 1} {owner} {owner} {size:>5} {stamp} {name}"


@_program("env", "printenv")
async def _env(shell: Shell, argv: list[str], io: IO) -> int:
    operands = [arg for arg in argv[1:] if not arg.startswith("-")]
    if argv[0] == "printenv" and operands:
        values = [shell.env[name] for name in operands if name in shell.env]
        for value in values:
            await io.out(value + "\n")
        return 0 if len(values) == len(operands) else 1
    extra = {}
    while operands and "=" in operands[0]:
        key, _, value = operands.pop(0).partition("=")
        extra[key] = value
    if operands:
        saved = dict(shell.env)
        shell.env.update(extra)
        try:
            return await shell.run_program(operands, io)
        finally:
            shell.env = saved
    for key, value in {**shell.env, **extra}.items():
        await io.out(f"{key}={value}\n")
    return 0


@_program("hostname")
async def _hostname(shell: Shell, argv: list[str], io: IO) -> int:
    await io.out(shell.view.hostname + "\n")
    return 0


@_program("whoami")
async def _whoami(shell: Shell, argv: list[str], io: IO) -> int:
    if shell.view.user is None:
        await io.err(f"whoami: cannot find name for user ID {shell.view.uid}\n")
        return 1
    await io.out(shell.view.user + "\n")
    return 0


@_program("id")
async def _id(shell: Shell, argv: list[str], io: IO) -> int:
    view = shell.view
    named = f"{view.uid}({view.user})" if view.user else str(view.uid)
    if "-u" in argv or "-un" in argv or "-nu" in argv:
        await io.out((view.user or str(view.uid) if "n" in "".join(argv[1:]) else str(view.uid)) + "\n")
        return 0
    group = named if view.user and view.uid else "0(root)"
    await io.out(f"uid={named} gid={group} groups={group}\n")
    return 0


@_program("date")
async def _date(shell: Shell, argv: list[str], io: IO) -> int:
    now = time.gmtime()
    formats = [arg[1:] for arg in argv[1:] if arg.startswith("+")]
    if formats:
        text = time.strftime(formats[0].replace("%N", "000000000"), now)
    elif "-I" in argv or "--iso-8601" in argv:
        text = time.strftime("%Y-%m-%d", now)
    elif "-R" in argv:
        text = time.strftime("%a, %d %b %Y %H:%M:%S +0000", now)
    else:
        text = time.strftime("%a %b %e %H:%M:%S UTC %Y", now)
    await io.out(text + "\n")
    return 0


@_program("sleep")
async def _sleep(shell: Shell, argv: list[str], io: IO) -> int:
    try:
        seconds = sum(float(arg.rstrip("s")) for arg in argv[1:]) if len(argv) > 1 else None
    except ValueError:
        seconds = None
    if seconds is None:
        await io.err(
            f"sleep: invalid time interval '{' '.join(argv[1:])}'\n" if len(argv) > 1 else "sleep: missing operand\n"
        )
        return 1
    await shell.terminal.sleep(seconds)
    return 0


@_program("uname")
async def _uname(shell: Shell, argv: list[str], io: IO) -> int:
    flags, _ = _split(argv)
    view = shell.view
    version = "#66-Ubuntu SMP PREEMPT_DYNAMIC Fri Jun 13 19:42:50 UTC 2025"
    fields = {"s": "Linux", "n": view.hostname, "r": view.kernel, "v": version, "m": "x86_64"}
    if "a" in flags:
        tail = "x86_64 x86_64 GNU/Linux" if _gnu(shell) else "Linux"
        await io.out(f"Linux {view.hostname} {view.kernel} {version} x86_64 {tail}\n")
        return 0
    chosen = [fields[flag] for flag in "snrvm" if flag in flags] or ["Linux"]
    await io.out(" ".join(chosen) + "\n")
    return 0


@_program("ps")
async def _ps(shell: Shell, argv: list[str], io: IO) -> int:
    view = shell.view
    user = view.user or str(view.uid)
    tty = "pts/0" if shell.terminal.tty else "?"
    processes = [(1, 0, "?", view.main_process)]
    processes += [
        (20 + 7 * depth, 20 + 7 * (depth - 1) if depth > 1 else 0, tty, "sh") for depth in range(1, shell.depth + 1)
    ]
    processes.append((20 + 7 * shell.depth + 3, 20 + 7 * shell.depth, tty, " ".join(argv)))
    started = time.strftime("%H:%M", time.gmtime(view.started))
    if not _gnu(shell):
        await io.out("PID   USER     TIME  COMMAND\n")
        for pid, _, _, command in processes:
            await io.out(f"{pid:>5} {user:<8} {'0:03' if pid == 1 else '0:00'} {command}\n")
    elif len(argv) == 1:
        await io.out("    PID TTY          TIME CMD\n")
        for pid, _, terminal, command in processes[1:]:
            await io.out(f"{pid:>7} {terminal:<8} 00:00:00 {command.split()[0]}\n")
    else:
        await io.out("UID          PID    PPID  C STIME TTY          TIME CMD\n")
        for pid, parent, terminal, command in processes:
            cpu_time = "00:00:03" if pid == 1 else "00:00:00"
            await io.out(f"{user:<8} {pid:>7} {parent:>7}  0 {started} {terminal:<8} {cpu_time} {command}\n")
    return 0


@_program("head", "tail")
async def _head_tail(shell: Shell, argv: list[str], io: IO) -> int:
    count, operands, args = 10, [], argv[1:]
    while args:
        arg = args.pop(0)
        if arg == "-n" and args:
            count = int(args.pop(0).lstrip("+-") or 10)
        elif arg.startswith("-n"):
            count = int(arg[2:])
        elif arg.startswith("-") and arg[1:].isdigit():
            count = int(arg[1:])
        else:
            operands.append(arg)
    inputs, status = await _inputs(shell, io, operands, argv[0])
    for _, text in inputs:
        lines = text.splitlines(keepends=True)
        await io.out("".join(lines[:count] if argv[0] == "head" else lines[-count:] if count else []))
    return status


@_program("grep")
async def _grep(shell: Shell, argv: list[str], io: IO) -> int:
    flags, operands = _split(argv)
    if not operands:
        await io.err("Usage: grep [OPTION]... PATTERNS [FILE]...\n")
        return 2
    pattern, files = operands[0], operands[1:]
    try:
        matcher = re.compile(pattern, re.IGNORECASE if "i" in flags else 0)
    except re.error:
        matcher = re.compile(re.escape(pattern), re.IGNORECASE if "i" in flags else 0)
    inputs, status = await _inputs(shell, io, files, "grep")
    matched = 0
    for name, text in inputs:
        for number, line in enumerate(text.splitlines(), 1):
            if bool(matcher.search(line)) != ("v" in flags):
                matched += 1
                if "q" not in flags and "c" not in flags:
                    prefix = (f"{name}:" if len(files) > 1 else "") + (f"{number}:" if "n" in flags else "")
                    await io.out(prefix + line + "\n")
    if "c" in flags:
        await io.out(f"{matched}\n")
    return 2 if status else 0 if matched else 1


@_program("wc")
async def _wc(shell: Shell, argv: list[str], io: IO) -> int:
    flags, operands = _split(argv)
    inputs, status = await _inputs(shell, io, operands, "wc")
    for name, text in inputs:
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        chosen = [str(counts[flag]) for flag in "lwc" if flag in flags] or [str(value) for value in counts.values()]
        await io.out(" ".join(chosen) + (f" {name}" if name else "") + "\n")
    return status


@_program("which")
async def _which(shell: Shell, argv: list[str], io: IO) -> int:
    status = 0
    for name in argv[1:]:
        path = shell.view.executable_path(name)
        if path is None:
            status = 1
        else:
            await io.out(path + "\n")
    return status


@_program("stty")
async def _stty(shell: Shell, argv: list[str], io: IO) -> int:
    if not shell.terminal.tty:
        await io.err("stty: 'standard input': Inappropriate ioctl for device\n")
        return 1
    if argv[1:] == ["size"]:
        await io.out(f"{shell.terminal.height} {shell.terminal.width}\n")
    return 0


@_program("clear")
async def _clear(shell: Shell, argv: list[str], io: IO) -> int:
    await io.out("\x1b[H\x1b[2J\x1b[3J")
    return 0


@_program("mkdir", "touch", "rm")
async def _write_files(shell: Shell, argv: list[str], io: IO) -> int:
    _, operands = _split(argv)
    view = shell.view
    for operand in operands:
        path = shell.resolve(operand)
        if not any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in view.writable):
            await io.err(
                f"{argv[0]}: cannot {'create directory' if argv[0] == 'mkdir' else 'touch'} '{operand}': "
                "Read-only file system\n"
            )
            return 1
        if argv[0] == "mkdir":
            view.dirs.add(path)
        elif argv[0] == "touch":
            view.add_file(path, view.files.get(path, ""))
        elif path in view.files:
            del view.files[path]
        else:
            await io.err(f"rm: cannot remove '{operand}': No such file or directory\n")
            return 1
    return 0


@_program("test", "[")
async def _test(shell: Shell, argv: list[str], io: IO) -> int:
    args = argv[1:]
    if argv[0] == "[":
        if not args or args[-1] != "]":
            await io.err(f"{shell.error_prefix('[')}missing ]\n")
            return 2
        args = args[:-1]
    negate = bool(args) and args[0] == "!"
    if negate:
        args = args[1:]
    view = shell.view
    if not args:
        result = False
    elif len(args) == 1:
        result = bool(args[0])
    elif len(args) == 2:
        operator, operand = args
        path = shell.resolve(operand)
        checks = {
            "-e": path in view.files or view.is_dir(path),
            "-f": path in view.files,
            "-d": view.is_dir(path),
            "-x": view.executable_path(path) is not None or view.is_dir(path),
            "-r": path in view.files or view.is_dir(path),
            "-s": bool(view.files.get(path)),
            "-z": operand == "",
            "-n": operand != "",
        }
        result = checks.get(operator, False)
    else:
        left, operator, right = args[:3]
        numeric = {"-eq": "==", "-ne": "!=", "-lt": "<", "-le": "<=", "-gt": ">", "-ge": ">="}
        if operator in numeric:
            try:
                a, b = int(left), int(right)
            except ValueError:
                await io.err(f"{shell.error_prefix('test')}Illegal number: {left}\n")
                return 2
            result = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[numeric[operator]]
        else:
            result = (left == right) if operator in ("=", "==") else (left != right)
    return 0 if result != negate else 1
