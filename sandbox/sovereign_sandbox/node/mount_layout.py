"""The mounts of one sandbox, as bwrap's arguments and as a map that finds the sandbox's files from outside.

The map answers what the runtime must know before it starts anything: whether the exec'd program exists in
the container, following symlinks as a process inside would (a symlink in the container's root points into
the container, never to this machine's files).
"""

from __future__ import annotations

import os
import posixpath
import stat

from sovereign_sandbox.node.userlands import Mount

__all__ = ["ExecutableNotFound", "Layout"]


class ExecutableNotFound(Exception):
    """The exec'd program does not exist in the container: the runtime's answer, as runc words it."""

    exit_code = 126  # what kubectl reports through cri-dockerd ("command terminated with exit code 126")

    def __init__(self, program: str, reason: str):
        self.program = program
        self.message = (
            f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{program}": {reason}: '
            "unknown"
        )
        super().__init__(self.message)


class Layout:
    """The mount steps of one sandbox, as bwrap arguments and as a map to find its files from the host."""

    def __init__(self) -> None:
        self.steps: list[Mount] = []

    def add(self, mount: Mount) -> None:
        self.steps.append(mount)

    def arguments(self, features: frozenset[str]) -> list[str]:
        arguments: list[str] = []
        for step in self.steps:
            if step.kind == "tmpfs":
                if step.perms and "--perms" in features:
                    arguments += ["--perms", step.perms]
                if step.size and "--size" in features:
                    arguments += ["--size", str(step.size)]
                arguments += ["--tmpfs", step.dest]
            elif step.kind in ("bind", "ro-bind", "symlink"):
                arguments += [f"--{step.kind}", step.source, step.dest]
            else:
                arguments += [f"--{step.kind}", step.dest]
        return arguments

    def covering(self, path: str) -> Mount | None:
        """The last step that decides what is at `path` (a later mount over a parent hides earlier ones)."""
        found = None
        for step in self.steps:
            if step.kind != "remount-ro" and (
                step.dest == "/" or path == step.dest or path.startswith(step.dest + "/")
            ):
                found = step
        return found

    def host_path(self, path: str) -> str | None:
        step = self.covering(path)
        if step is None or step.kind not in ("bind", "ro-bind"):
            return None  # tmpfs, /proc, /dev: made fresh by each session
        rest = path[len(step.dest) :].lstrip("/")
        return os.path.join(step.source, rest) if rest else step.source

    def _link(self, path: str) -> str | None:
        step = self.covering(path)
        if step is not None and step.kind == "symlink":
            return step.source if step.dest == path else None
        host = self.host_path(path)
        return os.readlink(host) if host is not None and os.path.islink(host) else None

    def resolve(self, path: str) -> str | None:
        """The host path of what a process inside finds at `path`, symlinks followed inside; None if nothing."""
        pending = [part for part in path.split("/") if part]
        current, hops = "", 0
        while pending:
            name = pending.pop(0)
            if name == ".":
                continue
            if name == "..":
                current = posixpath.dirname(current) if current else ""
                current = "" if current == "/" else current
                continue
            candidate = f"{current}/{name}"
            target = self._link(candidate)
            if target is None:
                current = candidate
                continue
            hops += 1
            if hops > 40:  # ELOOP
                return None
            pending = [part for part in target.split("/") if part] + pending
            current = "" if target.startswith("/") else current
        host = self.host_path(current or "/")
        return host if host is not None and os.path.exists(host) else None

    def find_executable(self, program: str, search_path: str, workdir: str) -> None:
        """Check that `program` would start, as runc's lookup does (in $PATH unless it has a slash).

        Raises:
            ExecutableNotFound: with runc's wording.
        """
        if "/" in program:
            host = self.resolve(posixpath.join(workdir, program))
            if host is None:
                raise ExecutableNotFound(program, f"stat {program}: no such file or directory")
            if not _is_executable(host):
                raise ExecutableNotFound(program, "permission denied")
            return
        for folder in search_path.split(":") if program else ():
            host = self.resolve(posixpath.join(workdir, folder, program))
            if host is not None and _is_executable(host):
                return
        raise ExecutableNotFound(program, "executable file not found in $PATH")


def _is_executable(host_path: str) -> bool:
    try:
        mode = os.stat(host_path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and bool(mode & 0o111)
