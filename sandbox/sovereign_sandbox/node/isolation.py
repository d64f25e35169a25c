"""An unprivileged, throwaway isolation for a process exec'd into a sandbox container, built with bubblewrap.

Each container instance has a private, writable root folder (its "writable layer": kept across exec sessions,
removed when the sandbox stops or the container restarts). A session mounts over it, read-only, the image's
programs (`userlands.py`), a generated /etc and the pod's mounted files; then /proc, a minimal /dev and a tmpfs
/tmp. The process runs in its own user, PID, network (loopback only), IPC and UTS namespaces, as a non-root
user, with rlimits (`bwrap_plan.py` lays it out, `isolated_process.py` spawns it).

When this Python process is root, bwrap runs as `nobody`: the sandbox then maps to no privileged host user, and
RLIMIT_NPROC means something (the kernel never enforces it for root).
"""

from __future__ import annotations

import functools
import grp
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sovereign_sandbox.node.mount_layout import ExecutableNotFound
from sovereign_sandbox.node.userlands import Userland

__all__ = [
    "DEFAULT_PATH",
    "Account",
    "ContainerRoot",
    "ExecutableNotFound",
    "HostUser",
    "IsolationSpec",
    "IsolationUnavailable",
    "Limits",
    "bwrap_features",
    "find_bwrap",
    "host_user",
]

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NOBODY = 65534


class IsolationUnavailable(RuntimeError):
    """The isolation cannot start on this machine (no bwrap, user namespaces refused…); the message says why."""


@dataclass(frozen=True, slots=True)
class Account:
    """The user the process runs as, inside (it owns the container's root and its home)."""

    uid: int = 1000
    gid: int = 1000
    name: str = "app"
    home: str = "/home/app"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of one session. Rlimits hold per process, except the count of processes: memory times processes
    (8 GiB by default) is what one session could take at worst; plenty for a shell, its pipes and tools."""

    memory: int = 256 << 20  # RLIMIT_AS of each process, bytes
    processes: int = 32  # processes and threads beyond those the host user already runs (RLIMIT_NPROC)
    cpu_seconds: int = 120  # RLIMIT_CPU of each process: SIGXCPU, then SIGKILL a second later
    file_size: int = 64 << 20  # RLIMIT_FSIZE: the largest file a process may write, bytes
    open_files: int = 256  # RLIMIT_NOFILE
    tmp_size: int = 64 << 20  # what the /tmp tmpfs may hold, bytes


@dataclass(frozen=True, slots=True)
class HostUser:
    """Who bwrap runs as on this machine; the account inside maps to it."""

    uid: int
    gid: int

    @property
    def is_current(self) -> bool:
        return self.uid == os.geteuid()


def host_user() -> HostUser:
    """This process's user, or `nobody` when that is root."""
    if os.geteuid() != 0:
        return HostUser(os.geteuid(), os.getegid())
    try:
        uid = pwd.getpwnam("nobody").pw_uid
    except KeyError:
        uid = NOBODY
    try:
        gid = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        gid = NOBODY
    return HostUser(uid, gid)


class ContainerRoot:
    """One container instance's private root folder, and scratch folders for its exec sessions."""

    def __init__(self, folder: Path, owner: HostUser):
        self.folder = folder
        self.owner = owner

    @classmethod
    def create(cls, name: str, parent: str | Path | None = None) -> ContainerRoot:
        """A new, empty root for the container `name` (a temp folder under `parent`)."""
        owner = host_user()
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60]
        folder = Path(tempfile.mkdtemp(prefix=f"sovereign-{safe}-", dir=parent))
        root = cls(folder, owner)
        for path in (folder, folder / "root", folder / "sessions"):
            path.mkdir(mode=0o700, exist_ok=True)
            root.own(path)
        return root

    @property
    def rootfs(self) -> Path:
        return self.folder / "root"

    def own(self, path: Path) -> None:
        """Give `path` to the host user bwrap runs as (inside, it then belongs to the account)."""
        if not self.owner.is_current:
            os.lchown(path, self.owner.uid, self.owner.gid)

    def new_session(self) -> Path:
        session = Path(tempfile.mkdtemp(dir=self.folder / "sessions"))
        self.own(session)
        return session

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ContainerRoot:
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()


@dataclass(frozen=True)
class IsolationSpec:
    """Everything one exec needs: where, what, as whom, and how it talks (tty or pipes)."""

    root: ContainerRoot
    argv: Sequence[str]
    hostname: str  # the pod's name
    userland: Userland
    env: Mapping[str, str] = field(default_factory=dict)  # the container's variables, over the defaults
    account: Account = Account()
    files: Mapping[str, str | bytes] = field(default_factory=dict)  # absolute path → content, read-only
    folders: Sequence[str] = ()  # writable folders of the root: the container's volumes (emptyDir, claims)
    read_only_root: bool = False  # securityContext.readOnlyRootFilesystem: only /tmp and `folders` are writable
    workdir: str = "/"
    tty: bool = False
    stdin: bool = True
    size: tuple[int, int] = (80, 24)  # the terminal's columns and rows, until resized
    limits: Limits = Limits()


def find_bwrap() -> str:
    """bwrap's path, once it is known to create its namespaces here as `host_user()`.

    Raises:
        IsolationUnavailable: bwrap missing, or refused its namespaces (the message says what to change).
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise IsolationUnavailable("cannot start an isolated shell: bubblewrap (bwrap) is not installed")
    user = host_user()
    if (bwrap, user) not in _WORKING:
        problem = _probe(bwrap, user)
        if problem:
            raise IsolationUnavailable(f"cannot start an isolated shell: {problem}")
        _WORKING.add((bwrap, user))
    return bwrap


_WORKING: set[tuple[str, HostUser]] = set()


def _probe(bwrap: str, user: HostUser) -> str:
    """Why bwrap cannot start a sandbox like ours ("" when it can)."""
    true = shutil.which("true") or "/bin/true"
    command = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    command += ["--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", true]
    try:
        switch = not user.is_current
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=20,
            user=user.uid if switch else None,
            group=user.gid if switch else None,
            extra_groups=[] if switch else None,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"bubblewrap (bwrap) could not be run: {error}"
    if done.returncode == 0:
        return ""
    said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1].removeprefix("bwrap: ")
    return (
        f"bubblewrap (bwrap) could not create its namespaces ({said}); unprivileged user namespaces may be "
        "disabled (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone or "
        "kernel.apparmor_restrict_unprivileged_userns)"
    )


@functools.cache
def bwrap_features(bwrap: str) -> frozenset[str]:
    """The options this bwrap knows, of those newer than 0.4 that we use when present."""
    usage = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=20).stdout
    return frozenset(option for option in ("--disable-userns", "--perms", "--size") if option in usage)
