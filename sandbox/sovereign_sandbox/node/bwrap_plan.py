"""The bwrap command line of one exec: the mounts over the container's root, its /etc, files and variables.

Order of the mounts: the private root (writable, or read-only with its volumes bound writable again), the
image's programs, a generated /etc, /proc, /dev, a tmpfs /tmp, then the pod's files one by one.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
from pathlib import Path

from sovereign_sandbox.node.isolation import DEFAULT_PATH, NOBODY, ContainerRoot, IsolationSpec, bwrap_features
from sovereign_sandbox.node.mount_layout import Layout
from sovereign_sandbox.node.userlands import Mount

__all__ = ["bwrap_command", "environment"]

_SKELETON = ("media", "mnt", "opt", "run", "srv", "var/log", "var/tmp")  # what an image's root usually has
_OURS = ("etc", "proc", "dev", "tmp")  # top-level mount points of every sandbox


def environment(spec: IsolationSpec) -> dict[str, str]:
    """The process's variables: what a runtime sets, then the container's own (which win)."""
    env = {"PATH": DEFAULT_PATH, "HOSTNAME": spec.hostname, "HOME": spec.account.home}
    if spec.tty:
        env["TERM"] = "xterm"
    env.update(spec.env)
    return {key: value for key, value in env.items() if key and "=" not in key and "\0" not in key + value}


def bwrap_command(spec: IsolationSpec, session: Path, bwrap: str, info_fd: int) -> list[str]:
    """The full bwrap command line for `spec`, its files written under `session` (a `new_session()` folder).

    Raises:
        ExecutableNotFound: the program is not in the container.
    """
    env = environment(spec)
    rootfs = str(spec.root.rootfs)
    layout = Layout()
    layout.add(Mount("ro-bind" if spec.read_only_root else "bind", "/", rootfs))
    for mount in spec.userland.mounts:
        layout.add(mount)
    layout.add(Mount("ro-bind", "/etc", str(_write_etc(spec, session / "etc"))))
    for name in spec.userland.host_etc:
        source = Path("/etc") / name
        if source.is_dir() and not source.is_symlink():
            layout.add(Mount("ro-bind", str(source), str(source)))  # _write_etc made its mount point
    layout.add(Mount("proc", "/proc"))
    layout.add(Mount("dev", "/dev"))
    layout.add(Mount("tmpfs", "/tmp", perms="1777", size=spec.limits.tmp_size))
    folders = _prepare_root(spec, layout)
    if spec.read_only_root:
        for folder in folders:
            layout.add(Mount("bind", folder, rootfs + folder))
    for path, host in _write_files(spec, session / "files", layout):
        layout.add(Mount("ro-bind", path, host))
    workdir = posixpath.normpath(posixpath.join("/", spec.workdir))
    layout.find_executable(spec.argv[0] if spec.argv else "", env.get("PATH", ""), workdir)
    features = bwrap_features(bwrap)
    command = [bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    command += ["--unshare-cgroup-try", "--die-with-parent", "--hostname", spec.hostname]
    command += ["--uid", str(spec.account.uid), "--gid", str(spec.account.gid)]
    if "--disable-userns" in features:
        command.append("--disable-userns")  # no nested namespaces for the process (fewer kernel paths to abuse)
    if not spec.tty:
        # A new session cannot reach a terminal by TIOCSTI; with a tty it would lose its controlling terminal
        # (no job control), and the only terminal it could reach is its own pty anyway.
        command.append("--new-session")
    command += layout.arguments(features)
    command.append("--clearenv")
    for key, value in env.items():
        command += ["--setenv", key, value]
    command += ["--chdir", workdir, "--info-fd", str(info_fd), "--", *spec.argv]
    return command


class _InRoot:
    """Makes entries in a container's root without ever following a link in it.

    The person inside owns that root: a link of theirs followed by us (root, maybe) could point our write
    anywhere on this machine. Every step opens the next folder relative to the last, refusing links.
    """

    def __init__(self, root: ContainerRoot):
        self.root = root
        self.fd = os.open(root.rootfs, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)

    def close(self) -> None:
        os.close(self.fd)

    def _own(self, name: str, folder: int) -> None:
        if not self.root.owner.is_current:
            os.chown(name, self.root.owner.uid, self.root.owner.gid, dir_fd=folder, follow_symlinks=False)

    def _walk(self, parts: list[str]) -> int | None:
        """An open descriptor of the folder at `parts` (made as needed); None where a link or a file is."""
        fd = os.dup(self.fd)
        for part in parts:
            try:
                if part in (".", ".."):
                    raise NotADirectoryError(part)
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                    self._own(part, fd)
                except FileExistsError:
                    pass
                next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                os.close(fd)
                return None
            os.close(fd)
            fd = next_fd
        return fd

    def folder(self, path: str) -> bool:
        fd = self._walk([part for part in path.split("/") if part])
        if fd is None:
            return False
        os.close(fd)
        return True

    def mount_point(self, path: str) -> bool:
        """An empty file at `path` for bwrap to bind over (True), unless something else is in the way."""
        *parents, name = [part for part in path.split("/") if part]
        folder = self._walk(parents)
        if folder is None:
            return False
        try:
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=folder))
            self._own(name, folder)
            return True
        except FileExistsError:
            return stat.S_ISREG(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
        except OSError:
            return False
        finally:
            os.close(folder)

    def top_level_link(self, name: str, target: str | None) -> None:
        """Make `name` in / the link to `target`, or (None) remove a link there."""
        try:
            mode = os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = None
        if target is None:
            if mode is not None and stat.S_ISLNK(mode):
                os.unlink(name, dir_fd=self.fd)
        elif mode is None:
            os.symlink(target, name, dir_fd=self.fd)
            self._own(name, self.fd)


def _prepare_root(spec: IsolationSpec, layout: Layout) -> list[str]:
    """The root's own entries (the userland's top-level links, the usual folders, home, working folder and
    volumes); returns the volumes' folders that could be made.

    Links are made here rather than by `bwrap --symlink`, which fails once the link exists (a second session).
    """
    os.chmod(spec.root.rootfs, 0o755)
    root = _InRoot(spec.root)
    try:
        links = dict(spec.userland.root_links)
        for top in {*_OURS, *(mount.dest.strip("/").split("/", 1)[0] for mount in spec.userland.mounts)}:
            if top not in links:
                root.top_level_link(top, None)  # a mount point must be a folder, not a link left inside
                root.folder(top)  # made now: bwrap cannot make it in a read-only root
        for name, target in links.items():
            root.top_level_link(name, target)
        volumes = [posixpath.normpath(posixpath.join("/", folder)) for folder in spec.folders]
        made = []
        for folder in (*_SKELETON, spec.account.home, spec.workdir, *volumes):
            path = posixpath.normpath(posixpath.join("/", folder))
            step = layout.covering(path)
            if path != "/" and step is not None and step.dest == "/" and root.folder(path) and folder in volumes:
                made.append(path)
        return made
    finally:
        root.close()


def _write_etc(spec: IsolationSpec, etc: Path) -> Path:
    """/etc for one session: pieces of the host's (for its programs), the account, the pod's /etc files."""
    etc.mkdir(mode=0o755)
    for name in spec.userland.host_etc:
        source = Path("/etc") / name
        if source.is_dir() and not source.is_symlink():
            (etc / name).mkdir()  # bound from the host: copying /etc/alternatives' links takes longer than a mount
        elif os.path.lexists(source):
            shutil.copy2(source, etc / name, follow_symlinks=False)
    account = spec.account
    users = {0: ("root", 0, "/root"), NOBODY: ("nobody", NOBODY, "/nonexistent")}
    users[account.uid] = (account.name, account.gid, account.home)
    groups = {0: "root", NOBODY: "nogroup", account.gid: account.name}
    generated = {
        "passwd": "".join(f"{name}:x:{uid}:{gid}:{name}:{home}:/bin/sh\n" for uid, (name, gid, home) in users.items()),
        "group": "".join(f"{name}:x:{gid}:\n" for gid, name in groups.items()),
        "hostname": f"{spec.hostname}\n",
        "hosts": f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{spec.hostname}\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
    }
    for name, text in generated.items():
        _write(etc / name, text)
    for path, content in spec.files.items():
        if path.startswith("/etc/") and ".." not in path.split("/"):
            _write(etc / path.removeprefix("/etc/"), content)
    return etc


def _write_files(spec: IsolationSpec, folder: Path, layout: Layout) -> list[tuple[str, str]]:
    """The pod's files outside /etc, written under `folder`: (path inside, host path) pairs to bind.

    A file whose folder is read-only and not the container's root (the image's /usr…) is left out: no mount
    point can be made there, and the image would carry such a file itself.
    """
    root = _InRoot(spec.root)
    mounts = []
    try:
        for given, content in spec.files.items():
            path = posixpath.normpath(given)
            if not path.startswith("/") or path.startswith("/etc/") or ".." in path.split("/"):
                continue
            step = layout.covering(path)
            if step is None:
                continue
            if step.kind == "tmpfs" and step.dest == "/tmp":
                pass  # bwrap makes the mount point in the fresh tmpfs
            elif step.kind not in ("bind", "ro-bind") or not step.source.startswith(str(spec.root.rootfs)):
                continue
            elif not root.mount_point(path):
                continue
            host = folder / path.lstrip("/")
            _write(host, content)
            mounts.append((path, str(host)))
    finally:
        root.close()
    return mounts


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
