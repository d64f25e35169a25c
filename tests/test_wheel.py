"""What ships: the console's wheel and image carry no sandbox code and none of the sandbox's seeded credentials.

The sandbox (sandbox/, distribution `sovereign-sandbox`) seeds its IdP with known passwords; it is installed
beside the console for the demo and the tests, never inside it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sovereign_sandbox.world.people import PEOPLE, password_of

ROOT = Path(__file__).resolve().parent.parent
# What a checkout holds besides sources: environments, caches, build output, local state.
_NOT_SOURCES = shutil.ignore_patterns(".*", "var", "build", "dist", "*.egg-info", "__pycache__", "node_modules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The console's wheel, built from a copy of the checkout (sandbox/ included, as a commit has it)."""
    source = tmp_path_factory.mktemp("checkout") / "console"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    assert (source / "sandbox" / "sovereign_sandbox").is_dir()
    output = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(output), str(source)],
        check=True,
        timeout=120,
    )
    (built,) = output.glob("console-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_the_console_and_no_sandbox(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "console/cli.py" in names and "console/kube/api.py" in names
    assert [name for name in names if "sandbox" in name.lower()] == []
    metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
    requirements = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist")]
    assert requirements and not [line for line in requirements if "sandbox" in line.lower()]


def test_no_file_of_the_wheel_carries_a_seeded_password(wheel: zipfile.ZipFile) -> None:
    passwords = [password_of(person.username).encode() for person in PEOPLE]
    assert b"demo-owner" in passwords and b"demo-admin" in passwords
    carrying = {
        name: [password.decode() for password in passwords if password in wheel.read(name)] for name in wheel.namelist()
    }
    assert {name: found for name, found in carrying.items() if found} == {}


def test_the_image_copies_no_sandbox() -> None:
    instructions = [
        line.split()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.split()[:1] in (["COPY"], ["ADD"])
    ]
    # Sources are every word but the flags and the destination; `COPY . .` would bring sandbox/ along.
    sources = [word for words in instructions for word in words[1:-1] if not word.startswith("--")]
    assert "console" in sources
    assert [word for word in sources if "sandbox" in word.lower() or word in (".", "./")] == []


@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_the_sandbox_commands_say_how_to_install_it_when_it_is_missing(command: str) -> None:
    """A console installed from its wheel alone: `console demo` explains instead of a traceback."""
    without_sandbox = (
        "import sys; sys.modules['sovereign_sandbox'] = None\n"  # what a missing distribution looks like
        "from console.cli import main; raise SystemExit(main([sys.argv[1]]))"
    )
    finished = subprocess.run(
        [sys.executable, "-c", without_sandbox, command], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert finished.returncode == 2
    assert "the sandbox is not installed: pip install -e ./sandbox" in finished.stderr
    assert "Traceback" not in finished.stderr
