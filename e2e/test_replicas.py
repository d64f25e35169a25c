"""Two console replicas behind one address, as the Blueprint deploys them: state and sessions in Redis, the
console database on PostgreSQL (Debian's real servers), each replica under a read-only root filesystem.

A sign-in made on one is valid on the other, the audit trail is one, the grant reconciler runs on exactly one,
a token refresh raced on both never signs the person out, and a browser whose replica is killed keeps its
page and its session on the other.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from cluster_objects import create_deployment
from conftest import _free_port
from front_door import FrontDoor
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.servers import SandboxWorld
from sovereign_sandbox.services import postgres_server, redis_server
from sovereign_sandbox.world.people import subject_of

from console.cli import app_dir, console_against
from console.identity.routes import SESSION_COOKIE

pytestmark = pytest.mark.browser

# Shorter than the console's refresh margin (60 s): every request that resolves the session refreshes it, so
# requests on both replicas at once race for the same rotating refresh token.
ACCESS_TOKEN_SECONDS = 45
NAMESPACE = "default"


@dataclass
class Replica:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metric(self, name: str) -> float:
        """The sum of one Prometheus metric's samples on this replica (0 when it has none)."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        pattern = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", re.MULTILINE)
        return sum(float(value) for value in pattern.findall(text))

    def kill(self) -> None:
        """As a node failure does: no shutdown, no Lease release, its sockets cut."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@dataclass
class Cluster:
    door: FrontDoor
    first: Replica
    second: Replica
    world: SandboxWorld


def _read_only_root(state_dir: Path, tmp_dir: Path, postgres_socket: Path) -> list[str]:
    """bwrap: the filesystem read-only but the replica's state dir and a /tmp of its own, as the Deployment's
    `readOnlyRootFilesystem` with its two volumes; PostgreSQL's socket folder is reachable as a Service is."""
    return [
        "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", str(tmp_dir), "/tmp",
        # Mounted after the fresh /tmp: a checkout (CI clones into /tmp) and the folders it needs stay visible.
        "--ro-bind", str(app_dir()), str(app_dir()),
        "--bind", str(state_dir), str(state_dir), "--bind", str(postgres_socket), str(postgres_socket),
        "--die-with-parent", "--chdir", str(app_dir()),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def ports() -> tuple[int, int]:
    return _free_port(), _free_port()


@pytest.fixture(scope="module")
def door(ports: tuple[int, int]) -> Iterator[FrontDoor]:
    with FrontDoor(ports) as running:
        yield running


@pytest.fixture(scope="module")
def world(door: FrontDoor) -> Iterator[SandboxWorld]:
    """This module's own cluster and IdP: short-lived access tokens, the front door as the console's URL."""
    with SandboxWorld(
        seed=1,
        access_token_seconds=ACCESS_TOKEN_SECONDS,
        console_redirect_uris=[f"{door.url}/auth/callback"],
        console_backchannel_logout_url=f"{door.url}/auth/backchannel-logout",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def cluster(
    world: SandboxWorld, door: FrontDoor, ports: tuple[int, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with redis_server() as redis_url, postgres_server() as postgres_socket, contextlib.ExitStack() as stack:
        with psycopg.connect(host=str(postgres_socket), user="postgres", dbname="postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE console")
        shared = {
            "REFLEX_REDIS_URL": redis_url,
            "CONSOLE_DATABASE_URL": f"postgresql://postgres@/console?host={postgres_socket}",
            "CONSOLE_SESSION_SECRET": uuid.uuid4().hex,  # the same on every replica, as the Secret is
        }
        replicas = []
        for name, port in zip(("first", "second"), ports, strict=True):
            state, tmp = tmp_path_factory.mktemp(f"replica-{name}"), tmp_path_factory.mktemp(f"replica-{name}-tmp")
            _, process = stack.enter_context(
                console_against(
                    world, port, public_url=door.url, state_dir=state, host="127.0.0.1", extra_env=shared,
                    wrapper=_read_only_root(state, tmp, postgres_socket), start_timeout=120,
                )
            )  # fmt: skip
            replicas.append(Replica(name, port, process))
        yield Cluster(door, replicas[0], replicas[1], world)


def _until(holds: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Until another process's state holds (read over HTTP: there is no event to await from outside)."""
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        time.sleep(0.2)


def _sign_in(page: Page, door: FrontDoor, username: str, path: str) -> None:
    page.goto(f"{door.url}{path}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(f"demo-{username}")
    page.locator("#kc-login").click()
    page.wait_for_url(f"{door.url}/**")


def _pin(door: FrontDoor, replica: Replica) -> int:
    """Every connection from now on goes to `replica` (the open ones are closed); returns its count so far."""
    door.route_to(replica.port)
    door.drain()
    return door.connections[replica.port]


def test_the_grant_reconciler_runs_on_exactly_one_replica(cluster: Cluster):
    replicas = (cluster.first, cluster.second)
    _until(lambda: sum(r.metric("console_reconciler_leading") for r in replicas) == 1, "one replica leads")
    leader, follower = sorted(replicas, key=lambda r: -r.metric("console_reconciler_leading"))
    _until(lambda: leader.metric("console_reconciler_passes_total") > 0, "the leader reconciles the seeded grants")
    assert follower.metric("console_reconciler_passes_total") == 0
    assert follower.metric("console_reconciler_writes_total") == 0


def test_a_sign_in_on_one_replica_is_valid_on_the_other_and_the_audit_trail_is_one(cluster: Cluster, page: Page):
    name = f"e2e-replicas-{uuid.uuid4().hex[:6]}"
    create_deployment(cluster.world.cluster.kubeconfig_path, NAMESPACE, name)
    _pin(cluster.door, cluster.first)
    _sign_in(page, cluster.door, "owner", f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview")
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true", timeout=15_000)
    page.get_by_test_id("scale-replicas").fill("2")
    page.get_by_test_id("action-scale").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Scaled {name} to 2.")
    assert cluster.first.metric("console_audit_writes_total") >= 1

    # Now only the second replica answers: same browser, same cookie, no new sign-in.
    served_before = _pin(cluster.door, cluster.second)
    page.goto(f"{cluster.door.url}/rbac/audit")
    expect(page.get_by_test_id("audit-live")).to_have_text("live", timeout=15_000)
    row = page.get_by_test_id("audit-row").filter(has=page.get_by_test_id("audit-target-cell").get_by_text(name))
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("audit-action-cell")).to_have_text("scale")
    assert page.url.startswith(f"{cluster.door.url}/rbac/audit")
    assert cluster.door.connections[cluster.second.port] > served_before
    assert cluster.second.metric("console_audit_writes_total") == 0, "the record was written by the first replica"


def _signed_in_on_first(cluster: Cluster, page: Page, username: str) -> str:
    """Sign in through the first replica, on the Settings page; the session cookie."""
    _pin(cluster.door, cluster.first)
    _sign_in(page, cluster.door, username, "/settings")
    expect(page.get_by_test_id("settings-username")).to_have_text(username)
    return next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)


def _whoami_status(replica: Replica, cookie: str) -> int:
    return httpx.get(f"{replica.url}/api/whoami", cookies={SESSION_COOKIE: cookie}, timeout=30).status_code


def test_a_refresh_raced_on_both_replicas_keeps_the_person_signed_in(cluster: Cluster, page: Page):
    cookie = _signed_in_on_first(cluster, page, "sre")

    def whoami(replica: Replica) -> int:
        return _whoami_status(replica, cookie)

    # Each of these refreshes (the access token is always inside the refresh margin), all at once, on both.
    targets = [cluster.first, cluster.second] * 8
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        statuses = list(pool.map(whoami, targets))
    assert statuses == [200] * len(targets)
    assert {whoami(cluster.first), whoami(cluster.second)} == {200}
    page.reload()
    expect(page.get_by_test_id("settings-username")).to_have_text("sre")


def _keycloak_admin(world: SandboxWorld) -> httpx.Client:
    token = httpx.post(
        f"{world.idp.issuer}/protocol/openid-connect/token",
        data={"grant_type": "client_credentials"},
        auth=(world.idp.console_client_id, world.idp.console_client_secret),
    ).json()["access_token"]
    return httpx.Client(
        base_url=f"{world.idp.url}/admin/realms/sovereign", headers={"Authorization": f"Bearer {token}"}
    )


def test_disabling_a_person_in_keycloak_locks_them_out_on_every_replica(cluster: Cluster, page: Page):
    cookie = _signed_in_on_first(cluster, page, "viewer")

    def signed_in_on(replica: Replica) -> bool:
        return _whoami_status(replica, cookie) == 200

    assert signed_in_on(cluster.first) and signed_in_on(cluster.second)
    # Keycloak sends a back-channel logout token to the console's address (whichever replica takes it).
    with _keycloak_admin(cluster.world) as admin:
        assert admin.put(f"/users/{subject_of('viewer')}", json={"enabled": False}).status_code == 204
    _until(lambda: not signed_in_on(cluster.first) and not signed_in_on(cluster.second), "signed out on both", 10)
    with page.expect_request(lambda request: request.url.startswith(f"{cluster.door.url}/login")):
        page.goto(f"{cluster.door.url}/settings")


def test_the_browser_keeps_working_when_its_replica_is_killed(cluster: Cluster, page: Page):
    _pin(cluster.door, cluster.first)
    _sign_in(page, cluster.door, "sre", "/cloud?view=list&kind=namespaces")
    expect(page.get_by_test_id("live-status")).to_have_text("live", timeout=15_000)
    url = page.url

    cluster.first.kill()
    name = f"e2e-failover-{uuid.uuid4().hex[:6]}"
    core = kube_client.CoreV1Api(
        kube_config.new_client_from_config(config_file=str(cluster.world.cluster.kubeconfig_path))
    )
    core.create_namespace({"metadata": {"name": name}})

    # The page reconnects through the door to the second replica, which loads its state from Redis and follows
    # the cluster again: the new namespace appears, on the same page, without a sign-in.
    expect(page.locator(f'[data-testid="resource-row"][data-key="{name}"]')).to_have_count(1, timeout=30_000)
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    assert page.url == url
    expect(page.locator("#username")).to_have_count(0)
