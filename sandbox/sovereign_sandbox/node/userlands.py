"""What a container image has to run, made of this machine's own programs, mounted read-only.

An image "with bash" (Debian, Ubuntu, UBI, Photon…) sees the host's `/usr`: bash, dash as `sh`, coreutils.
A busybox-like image (Alpine…) sees busybox's applets where `busybox --list-full` puts them; on a machine
without busybox it sees the host's `/usr` with bash hidden, so its `sh` is dash. A distroless image has no
programs at all.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

__all__ = ["NO_PROGRAMS", "Mount", "Userland", "busybox_userland", "host_userland", "userland_for"]

MountKind = Literal["bind", "ro-bind", "tmpfs", "proc", "dev", "symlink", "remount-ro"]

# Top-level names that are symlinks into /usr on a merged-/usr host (or directories on an older one).
_TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_LIBRARY_DIRS = ("lib", "lib32", "lib64", "libx32")
# What a shell on the host's /usr wants from /etc: the loader's cache, `awk`/`editor` alternatives, bash's
# system-wide rc (its prompt), readline settings, the time zone.
_HOST_ETC: tuple[str, ...] = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "bash.bashrc", "inputrc")
_HOST_ETC += ("profile", "localtime", "timezone", "os-release", "debian_version", "terminfo")
_HIDDEN_FROM_SH = frozenset({"bash", "rbash", "bashbug"})


@dataclass(frozen=True, slots=True)
class Mount:
    """One bubblewrap mount step, applied in order over the container's root."""

    kind: MountKind
    dest: str
    source: str = ""  # the host path of a bind, the target of a symlink
    perms: str = ""  # octal mode of a tmpfs ("1777")
    size: int = 0  # bytes a tmpfs may hold (0: the kernel's default, half the memory)


@dataclass(frozen=True, slots=True)
class Userland:
    """The programs of an image: mounts over the root, symlinks the root itself holds, and /etc pieces."""

    name: str  # "bash" (the host's /usr), "busybox", "dash" (the host's /usr without bash) or "none"
    mounts: tuple[Mount, ...] = ()
    root_links: tuple[tuple[str, str], ...] = ()  # (name in /, target): ("bin", "usr/bin")
    host_etc: tuple[str, ...] = ()  # /etc entries copied from the host

    @property
    def read_only(self) -> tuple[str, ...]:
        """Container paths under which nothing new can appear (a file mount there would fail)."""
        return tuple(mount.dest for mount in self.mounts if mount.kind in ("ro-bind", "remount-ro"))


def userland_for(shells: Collection[str]) -> Userland:
    """The userland of an image whose $PATH has these shells: ("sh", "bash"), ("sh",) or () (distroless)."""
    if "bash" in shells:
        return host_userland(with_bash=True)
    if "sh" in shells:
        busybox = shutil.which("busybox") or next(
            (path for path in ("/usr/bin/busybox", "/bin/busybox") if os.access(path, os.X_OK)), None
        )
        return busybox_userland(busybox) if busybox else host_userland(with_bash=False)
    return NO_PROGRAMS


NO_PROGRAMS = Userland("none")


@functools.cache
def host_userland(*, with_bash: bool) -> Userland:
    """The host's /usr; without bash, its sh (dash) and the rest."""
    mounts, links = _host_usr()
    if with_bash:
        return Userland("bash", mounts, links, _HOST_ETC)
    return Userland("dash", mounts + _usr_bin_without_bash(), links, _HOST_ETC)


def _host_usr() -> tuple[tuple[Mount, ...], tuple[tuple[str, str], ...]]:
    """The host's /usr, and /bin, /lib… as the host has them (symlinks, or directories bound too)."""
    mounts = [Mount("ro-bind", "/usr", "/usr")]
    links = []
    for name in _TOP_LEVEL:
        host = "/" + name
        if os.path.islink(host):
            links.append((name, os.readlink(host)))
        elif os.path.isdir(host):
            mounts.append(Mount("ro-bind", host, host))
    return tuple(mounts), tuple(links)


def _usr_bin_without_bash() -> tuple[Mount, ...]:
    """/usr/bin as a read-only tmpfs of symlinks into the host's /usr/bin (at /usr/bin/.host), bash left out.

    Binding each of ~1000 programs would take a second per exec; one bind and symlinks take milliseconds. The
    `.host` folder is off $PATH, so `command -v bash` fails as in an image without bash.
    """
    mounts = [Mount("tmpfs", "/usr/bin"), Mount("ro-bind", "/usr/bin/.host", "/usr/bin")]
    for entry in sorted(os.scandir("/usr/bin"), key=lambda entry: entry.name):
        if entry.name in _HIDDEN_FROM_SH or entry.name.startswith("."):
            continue
        target = os.readlink(entry.path) if entry.is_symlink() else f".host/{entry.name}"
        mounts.append(Mount("symlink", f"/usr/bin/{entry.name}", target))
    mounts.append(Mount("remount-ro", "/usr/bin"))
    return tuple(mounts)


@functools.cache
def busybox_userland(binary: str) -> Userland:
    """Busybox's applets as symlinks to /bin/busybox, in a folder made once per process and bound read-only."""
    layout = tempfile.mkdtemp(prefix="sovereign-busybox-")
    atexit.register(shutil.rmtree, layout, True)
    os.chmod(layout, 0o755)  # the sandbox may run bwrap as another (unprivileged) user
    applets = subprocess.run([binary, "--list-full"], capture_output=True, text=True, check=True).stdout.split()
    tops = ("bin/", "sbin/", "usr/bin/", "usr/sbin/")
    for folder in ("bin", "sbin", "usr/bin", "usr/sbin", "usr/lib"):
        os.makedirs(os.path.join(layout, folder), mode=0o755, exist_ok=True)
    for applet in applets:
        if applet.startswith(tops) and applet != "bin/busybox":
            os.symlink("/bin/busybox", os.path.join(layout, applet))
    open(os.path.join(layout, "bin/busybox"), "w").close()  # where the host's binary is bound
    mounts = [
        Mount("ro-bind", "/bin", os.path.join(layout, "bin")),
        Mount("ro-bind", "/sbin", os.path.join(layout, "sbin")),
        Mount("ro-bind", "/usr", os.path.join(layout, "usr")),
        Mount("ro-bind", "/bin/busybox", binary),
    ]
    links: list[tuple[str, str]] = []
    if not _is_static(binary):  # Debian's `busybox` (unlike `busybox-static`) needs the C library
        for name in _LIBRARY_DIRS:
            host = "/" + name
            if os.path.isdir(f"/usr/{name}"):
                os.makedirs(os.path.join(layout, "usr", name), mode=0o755, exist_ok=True)
                mounts.append(Mount("ro-bind", f"/usr/{name}", f"/usr/{name}"))
            if os.path.islink(host):
                links.append((name, os.readlink(host)))
            elif os.path.isdir(host):
                mounts.append(Mount("ro-bind", host, host))
    return Userland("busybox", tuple(mounts), tuple(links))


def _is_static(binary: str) -> bool:
    """Whether an ELF executable has no program interpreter (PT_INTERP), i.e. needs no shared libraries."""
    try:
        with open(binary, "rb") as file:
            header = file.read(64)
            if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:  # only 64-bit little-endian is read
                return False
            offset, entry_size, count = struct.unpack_from("<Q", header, 32)[0], *struct.unpack_from("<HH", header, 54)
            file.seek(offset)
            table = file.read(entry_size * count)
    except OSError:
        return False
    return all(struct.unpack_from("<I", table, index * entry_size)[0] != 3 for index in range(count))
