"""`console run`'s start-up checks: each configuration problem gives exactly its one line."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from served_routes import closed_port
from sovereign_sandbox.servers import SandboxWorld

from console.preflight import check_origin, problems
from console.settings import Settings, get_settings


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    with SandboxWorld(seed=1) as running:
        yield running


@pytest.fixture
def good(world: SandboxWorld, tmp_path: Path) -> Settings:
    kubeconfig = world.cluster.write_kubeconfig(tmp_path / "kubeconfig", token=world.cluster.console_token)
    return dataclasses.replace(
        get_settings(),
        oidc_issuer=world.idp.issuer,
        kubeconfig=str(kubeconfig),
        kube_context="",
        database_url=f"sqlite:///{tmp_path}/state/console.db",
        embed_allowed_origins=("https://portal.example:8443",),
        public_url="https://console.example",
    )


def _kubeconfig_to(path: Path, server: str) -> Path:
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        f"clusters: [{{name: c, cluster: {{server: '{server}'}}}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
    )
    return path


async def test_a_sound_configuration_has_no_problems(good: Settings):
    assert await problems(good, {}) == []


async def test_a_missing_issuer_is_one_line(good: Settings):
    found = await problems(dataclasses.replace(good, oidc_issuer=""), {})
    assert found == ["OIDC_ISSUER is not set: the console signs people in through Keycloak only"]


async def test_an_unreachable_idp_is_one_line(good: Settings):
    issuer = f"http://127.0.0.1:{closed_port()}/realms/sovereign"
    found = await problems(dataclasses.replace(good, oidc_issuer=issuer), {})
    assert len(found) == 1
    assert found[0].startswith(f"OIDC_ISSUER: the IdP's discovery document {issuer}/.well-known/openid-configuration")
    assert "is unreachable" in found[0]


async def test_an_invalid_discovery_document_is_one_line(good: Settings, world: SandboxWorld):
    issuer = f"{world.idp.issuer}/not-a-realm"
    found = await problems(dataclasses.replace(good, oidc_issuer=issuer), {})
    assert len(found) == 1
    assert found[0].startswith("OIDC_ISSUER: the IdP answered 404 for its discovery document")


async def test_an_unreachable_cluster_is_one_line(good: Settings, tmp_path: Path):
    kubeconfig = _kubeconfig_to(tmp_path / "closed", f"http://127.0.0.1:{closed_port()}")
    found = await problems(dataclasses.replace(good, kubeconfig=str(kubeconfig)), {})
    assert len(found) == 1
    assert found[0].startswith("cluster: the API server is unreachable: cannot reach the API server")


async def test_a_refused_identity_is_one_line(good: Settings, world: SandboxWorld, tmp_path: Path):
    kubeconfig = world.cluster.write_kubeconfig(tmp_path / "stranger", token="not-a-known-token")
    found = await problems(dataclasses.replace(good, kubeconfig=str(kubeconfig)), {})
    assert len(found) == 1
    assert found[0].startswith("cluster: the API server refused the console's identity (401)")


async def test_an_unreachable_database_is_one_line_without_its_password(good: Settings):
    url = f"postgresql+psycopg://console:hunter2@127.0.0.1:{closed_port()}/console"
    found = await problems(dataclasses.replace(good, database_url=url), {})
    assert len(found) == 1
    assert found[0].startswith("CONSOLE_DATABASE_URL: the console database postgresql+psycopg://…@127.0.0.1:")
    assert "hunter2" not in found[0]


async def test_an_unreachable_redis_is_one_line(good: Settings):
    port = closed_port()
    found = await problems(good, {"REFLEX_REDIS_URL": f"redis://:secret@127.0.0.1:{port}/0"})
    assert len(found) == 1
    assert found[0].startswith(f"REFLEX_REDIS_URL: Redis at 127.0.0.1:{port} is unreachable")
    assert "secret" not in found[0]


async def test_a_malformed_embedding_origin_is_one_line(good: Settings):
    origins = ("https://portal.example", "https://portal.example/app")
    found = await problems(dataclasses.replace(good, embed_allowed_origins=origins), {})
    assert found == [
        "EMBED_ALLOWED_ORIGINS: 'https://portal.example/app' is not an origin (scheme://host[:port]): "
        "it has a path, query or fragment"
    ]


async def test_a_public_url_that_is_not_an_origin_is_one_line(good: Settings):
    found = await problems(dataclasses.replace(good, public_url="console.example:3000"), {})
    assert found == [
        "CONSOLE_PUBLIC_URL: 'console.example:3000' is not an origin (scheme://host[:port]): "
        "the scheme must be http or https"
    ]


def test_origins():
    assert check_origin("https://a.example") == ""
    assert check_origin("http://127.0.0.1:3000") == ""
    assert check_origin("https://a.example?x=1") == "it has a path, query or fragment"
    assert check_origin("https://user@a.example") == "it carries a user name"
    assert check_origin("https://a.example:99999") != ""
    assert check_origin("ftp://a.example") == "the scheme must be http or https"


def _console_run(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`console run` against a cluster nobody answers for, with `settings` added to a bare environment."""
    kubeconfig = _kubeconfig_to(tmp_path / "closed", f"http://127.0.0.1:{closed_port()}")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CONSOLE_KUBECONFIG": str(kubeconfig),
        "CONSOLE_STATE_DIR": str(tmp_path / "state"),
        **settings,
    }
    console = Path(sys.executable).with_name("console")
    finished = subprocess.run([str(console), "run"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr + finished.stdout
    return finished


def test_console_run_with_a_bad_configuration_exits_with_its_lines_and_no_traceback(tmp_path: Path):
    finished = _console_run(tmp_path, EMBED_ALLOWED_ORIGINS="https://portal.example/embed")
    assert finished.stderr.splitlines() == [
        "console run: OIDC_ISSUER is not set: the console signs people in through Keycloak only",
        "console run: EMBED_ALLOWED_ORIGINS: 'https://portal.example/embed' is not an origin (scheme://host[:port]): "
        "it has a path, query or fragment",
        finished.stderr.splitlines()[2],
    ]
    assert finished.stderr.splitlines()[2].startswith("console run: cluster: the API server is unreachable")


def test_console_run_without_an_exported_front_end_says_so(tmp_path: Path):
    """The image exports the front end when it is built; a start never builds it (the root is read-only)."""
    finished = _console_run(tmp_path, CONSOLE_APP_DIR=str(tmp_path))
    assert finished.stderr.splitlines()[-1] == (
        f"console run: the front end is not built in {tmp_path / '.web'}: "
        "run `reflex export --frontend-only --no-zip` there"
    )
