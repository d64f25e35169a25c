"""The isolated shell: real processes in bubblewrap, with the shells an image has, its pod's identity and limits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sovereign_sandbox.node.isolated_process import IsolatedProcess
from sovereign_sandbox.node.isolation import (
    ContainerRoot,
    ExecutableNotFound,
    IsolationSpec,
    IsolationUnavailable,
    Limits,
)
from sovereign_sandbox.node.userlands import NO_PROGRAMS, Userland, host_userland, userland_for

BASH_IMAGE = ("sh", "bash")
SH_IMAGE = ("sh",)
DEADLINE = 15


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def root() -> Iterator[ContainerRoot]:
    with ContainerRoot.create("web-1") as created:
        yield created


def _spec(root: ContainerRoot, argv: list[str], shells: tuple[str, ...] = BASH_IMAGE, **options) -> IsolationSpec:
    options.setdefault("userland", userland_for(shells))
    return IsolationSpec(root=root, argv=argv, hostname="web-1", **options)


async def _run(root: ContainerRoot, argv: list[str], shells=BASH_IMAGE, stdin: bytes = b"", **options) -> Finished:
    out, err = [], []
    async with IsolatedProcess.start(_spec(root, argv, shells, **options)) as process:
        await process.write(stdin)
        await process.close_stdin()
        async with asyncio.timeout(DEADLINE):
            async for stream, data in process.output():
                (out if stream == 1 else err).append(data)
            code = await process.wait()
    return Finished(code, b"".join(out).decode(), b"".join(err).decode())


def _pids_in(namespace: int | None) -> list[int]:
    """Host PIDs of the live processes of a PID namespace.

    Zombies are not counted: bwrap outside exits before its PID 1 inside, whose exit status the host's init
    then collects a moment later.
    """
    assert namespace is not None
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/pid").st_ino != namespace:
                    continue
                with open(f"/proc/{entry}/stat") as stat:
                    if stat.read().rpartition(")")[2].split()[0] not in ("Z", "X"):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


async def _until(chunks: AsyncIterator[tuple[int, bytes]], seen: bytearray, wanted: bytes) -> None:
    async with asyncio.timeout(DEADLINE):
        while wanted not in seen:
            _, data = await anext(chunks)
            seen += data


EVERYDAY_LINES = r"""
greet() { printf 'hi %s\n' "$1"; }
for n in 3 1 2; do echo "$n"; done | sort
if [ "$(echo yes)" = yes ]; then echo if-ok; else echo if-bad; fi
case "$(hostname)" in web-*) echo case-ok ;; *) echo case-bad ;; esac
greet there
i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo "while-$i"
cat <<EOF | tr a-z A-Z
here $((6*7))
EOF
echo a:b:c | cut -d: -f2
seq 3 | tr '\n' ,
echo
"""
EVERYDAY_OUTPUT = "1\n2\n3\nif-ok\ncase-ok\nhi there\nwhile-3\nHERE 42\nb\n1,2,3,\n"


@pytest.mark.parametrize("shells", [BASH_IMAGE, SH_IMAGE], ids=["bash-image", "sh-image"])
async def test_arithmetic_expansion(root, shells) -> None:
    finished = await _run(root, ["sh", "-c", "echo hello-$((40+2))"], shells)
    assert (finished.code, finished.stdout, finished.stderr) == (0, "hello-42\n", "")


@pytest.mark.parametrize(
    ("shells", "shell"),
    [(BASH_IMAGE, "sh"), (BASH_IMAGE, "bash"), (SH_IMAGE, "sh")],
    ids=["dash", "bash", "busybox-sh"],
)
async def test_the_everyday_lines_of_a_posix_shell(root, shells, shell) -> None:
    finished = await _run(root, [shell, "-c", EVERYDAY_LINES], shells)
    assert (finished.stdout, finished.stderr, finished.code) == (EVERYDAY_OUTPUT, "", 0)


async def test_the_process_sees_its_pod_and_runs_as_a_user(root) -> None:
    files = {"/etc/app/config.yaml": "size: 3\n", "/var/run/secrets/kubernetes.io/serviceaccount/token": "t0ken"}
    script = (
        "hostname; cat /etc/hostname; echo $HOSTNAME; id -u; id -un; echo $HOME; echo ${TERM:-no-term}; "
        "echo $GREETING; cat /etc/app/config.yaml /var/run/secrets/kubernetes.io/serviceaccount/token; echo; "
        "pwd; echo $PATH"
    )
    finished = await _run(root, ["sh", "-c", script], env={"GREETING": "hello"}, files=files, workdir="/srv/app")
    assert finished.stdout.splitlines() == [
        "web-1",
        "web-1",
        "web-1",
        "1000",
        "app",
        "/home/app",
        "no-term",
        "hello",
        "size: 3",
        "t0ken",
        "/srv/app",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ]


async def test_there_is_no_network(root) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        script = (
            "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
            f"(exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo reached || echo refused"
        )
        finished = await _run(root, ["bash", "-c", script])
        assert finished.stdout.splitlines() == ["lo", "refused"]
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


async def test_system_folders_are_read_only_and_the_root_is_writable(root) -> None:
    script = (
        "for path in /usr/x /bin/x /etc/passwd; do true > $path || echo refused $path; done; "
        "true > /tmp/a && true > /var/tmp/b && mkdir /data && true > /data/c && true > $HOME/d && echo wrote"
    )
    finished = await _run(root, ["sh", "-c", script])
    assert finished.stdout.splitlines() == ["refused /usr/x", "refused /bin/x", "refused /etc/passwd", "wrote"]
    assert finished.stderr.count("Read-only file system") == 3


async def test_the_root_persists_for_one_container_only(root) -> None:
    await _run(root, ["sh", "-c", "mkdir -p /data && echo kept > /data/note && echo gone > /tmp/note"])
    again = await _run(root, ["sh", "-c", "cat /data/note; cat /tmp/note 2>/dev/null || echo no-tmp"])
    assert again.stdout == "kept\nno-tmp\n"  # /tmp is a tmpfs of each session
    with ContainerRoot.create("web-2") as other:
        elsewhere = await _run(other, ["sh", "-c", "cat /data/note"])
    assert elsewhere.code == 1 and "No such file" in elsewhere.stderr
    root.remove()
    assert not root.folder.exists()


async def test_a_read_only_root_keeps_its_volumes_writable(root) -> None:
    script = "touch /x || echo refused; touch /data/x /tmp/x && echo wrote; cat /etc/app/key /srv/token"
    files = {"/etc/app/key": "k\n", "/srv/token": "t\n"}
    finished = await _run(root, ["sh", "-c", script], read_only_root=True, folders=["/data"], files=files)
    assert finished.stdout == "refused\nwrote\nk\nt\n"


async def test_links_in_the_root_are_never_followed_outside(root, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    await _run(root, ["sh", "-c", f"rm -rf /var /srv && ln -s {outside} /var && ln -s {outside} /srv"])
    finished = await _run(root, ["sh", "-c", "cat /srv/token 2>/dev/null || echo no-token"], files={"/srv/token": "t"})
    assert finished.stdout == "no-token\n"
    assert list(outside.iterdir()) == []  # neither var/log nor a mount point for /srv/token was made through them


async def test_memory_is_bounded(root) -> None:
    script = "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}"
    finished = await _run(root, ["bash", "-c", script], limits=Limits(memory=64 << 20))
    assert finished.code != 0 and "cannot allocate" in finished.stderr and finished.stdout == ""


async def test_cpu_time_is_bounded(root) -> None:
    finished = await _run(root, ["sh", "-c", "yes > /dev/null; echo status=$?"], limits=Limits(cpu_seconds=1))
    assert finished.stdout == "status=152\n"  # 128 + SIGXCPU


def _tasks_of(uid: int) -> int:
    """Processes and threads (zombies too) of a host user: what RLIMIT_NPROC counts."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
    return count


async def test_a_fork_bomb_is_bounded_and_ends_with_the_session(root) -> None:
    limits = Limits(processes=24)
    spec = _spec(root, ["bash", "-c", "bomb() { bomb | bomb & }; bomb; sleep 60"], limits=limits)
    # The limit is on the host user's count: on top of what it runs already (earlier sessions' PID 1s may
    # still be waiting for the host's init to collect them).
    before = _tasks_of(root.owner.uid)
    async with IsolatedProcess.start(spec) as process:
        peak = 0
        for _ in range(15):
            await asyncio.sleep(0.1)
            peak = max(peak, len(_pids_in(process.pid_namespace)))
        namespace = process.pid_namespace
    assert 10 <= peak <= before + limits.processes
    assert _pids_in(namespace) == []


async def test_nothing_outlives_a_session(root) -> None:
    spec = _spec(root, ["sh", "-c", "(sleep 1000 &); sleep 1001 & echo started; wait"])
    async with IsolatedProcess.start(spec) as process:
        chunks, seen = process.output(), bytearray()
        await _until(chunks, seen, b"started")
        namespace = process.pid_namespace
        assert len(_pids_in(namespace)) >= 4
    assert _pids_in(namespace) == []
    spec = _spec(root, ["sh", "-c", "(sleep 1002 &); echo left-behind"])
    async with IsolatedProcess.start(spec) as process:
        outputs = [data async for _, data in process.output()]
        assert (b"".join(outputs), await process.wait()) == (b"left-behind\n", 0)
    assert _pids_in(process.pid_namespace) == []


@pytest.mark.parametrize(("shells", "shell"), [(SH_IMAGE, "sh"), (BASH_IMAGE, "bash")])
async def test_a_terminal_echoes_and_follows_resizes(root, shells, shell) -> None:
    spec = _spec(root, [shell], shells, tty=True, size=(80, 24))
    async with IsolatedProcess.start(spec) as process:
        chunks, seen = process.output(), bytearray()
        await _until(chunks, seen, b"$ ")
        process.resize(132, 43)
        await process.write(b"stty size\r")
        await _until(chunks, seen, b"43 132\r\n")
        await process.write(b"echo typed-$((1+1))\r")
        await _until(chunks, seen, b"typed-2\r\n")
        assert b"echo typed-$((1+1))" in seen  # the terminal echoed the line
        await process.write(b"exit 7\r")
        async with asyncio.timeout(DEADLINE):
            async for _ in chunks:
                pass
            assert await process.wait() == 7


async def test_an_unknown_program_is_refused_as_a_runtime_would(root) -> None:
    with pytest.raises(ExecutableNotFound) as missing:
        await _run(root, ["nosuchtool"])
    assert missing.value.exit_code == 126
    assert missing.value.message == (
        "OCI runtime exec failed: exec failed: unable to start container process: "
        'exec: "nosuchtool": executable file not found in $PATH: unknown'
    )
    with pytest.raises(ExecutableNotFound, match=r'exec: "/bin/nope": stat /bin/nope: no such file or directory'):
        await _run(root, ["/bin/nope"])
    finished = await _run(root, ["sh", "-c", "nosuchtool"], SH_IMAGE)
    assert finished.code == 127
    assert re.fullmatch(r"sh: (1: )?nosuchtool: not found\n", finished.stderr)  # busybox (or dash without it)
    finished = await _run(root, ["bash", "-c", "nosuchtool"])
    assert (finished.code, finished.stderr) == (127, "bash: line 1: nosuchtool: command not found\n")


async def test_only_images_with_bash_have_bash(root) -> None:
    probe = "command -v bash >/dev/null && exec bash || exec sh"
    assert (await _run(root, ["sh", "-c", probe], SH_IMAGE, stdin=b"echo $0\n")).stdout == "sh\n"
    assert (await _run(root, ["sh", "-c", probe], BASH_IMAGE, stdin=b"echo $0\n")).stdout == "bash\n"
    with pytest.raises(ExecutableNotFound, match='exec: "bash": executable file not found'):
        await _run(root, ["bash"], SH_IMAGE)
    with pytest.raises(ExecutableNotFound, match='exec: "sh": executable file not found'):
        await _run(root, ["sh"], (), userland=NO_PROGRAMS)


async def test_without_busybox_sh_images_get_dash_and_no_bash(root) -> None:
    userland: Userland = host_userland(with_bash=False)
    finished = await _run(root, ["sh", "-c", "command -v bash || echo no-bash; echo $((6*7))"], userland=userland)
    assert finished.stdout == "no-bash\n42\n"


async def test_pipes_keep_stdout_stderr_and_stdin_apart(root) -> None:
    finished = await _run(root, ["sh", "-c", "echo out; echo err >&2; exit 4"], SH_IMAGE)
    assert (finished.stdout, finished.stderr, finished.code) == ("out\n", "err\n", 4)
    assert (await _run(root, ["cat"], SH_IMAGE, stdin=b"typed text\n")).stdout == "typed text\n"


async def test_no_bubblewrap_is_a_clear_error(root, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without bwrap on its PATH
    with pytest.raises(IsolationUnavailable, match=r"^cannot start an isolated shell: bubblewrap \(bwrap\) is not"):
        await _run(root, ["sh"])
