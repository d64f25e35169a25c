"""The console's own backing services restart under a signed-in person: Redis (sessions, page state) and
PostgreSQL (the audit log). Debian's real servers, stopped and started again by the test.

What the person sees: while Redis is down, a plain page that says so and retries by itself; once it is back
(empty, as a Redis without persistence restarts), Keycloak signs them straight back in on the same page.
While PostgreSQL is down, a change is refused in words, because it could not be audited; once it is back,
the same change goes through and is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from cluster_objects import apps_api, create_deployment
from conftest import _free_port, _serve_console
from playwright.sync_api import Page, expect
from sovereign_sandbox.servers import SandboxWorld
from sovereign_sandbox.services import PostgresService, RedisService, running_postgres, running_redis

pytestmark = pytest.mark.browser

LIST = "/cloud?view=list&kind=namespaces"
NAMESPACE = "default"


@pytest.fixture(scope="module")
def port() -> int:
    return _free_port()


@pytest.fixture(scope="module")
def stores_world(tmp_path_factory: pytest.TempPathFactory, port: int) -> Iterator[SandboxWorld]:
    with SandboxWorld(
        seed=1,
        kubeconfig_path=tmp_path_factory.mktemp("stores-sandbox") / "kubeconfig",
        console_redirect_uris=[f"http://127.0.0.1:{port}/auth/callback"],
    ) as running:
        yield running


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisService]:
    with running_redis() as service:
        yield service


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresService]:
    with running_postgres() as service:
        with psycopg.connect(host=str(service.socket_dir), user="postgres", dbname="postgres", autocommit=True) as db:
            db.execute("CREATE DATABASE console")
        yield service


@pytest.fixture(scope="module")
def console_url(
    stores_world: SandboxWorld,
    port: int,
    redis: RedisService,
    postgres: PostgresService,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """One console with its sessions and page state in Redis and its audit log in PostgreSQL."""
    settings = {
        "REFLEX_REDIS_URL": redis.url,
        "CONSOLE_DATABASE_URL": f"postgresql://postgres@/console?host={postgres.socket_dir}",
        "CONSOLE_SESSION_SECRET": uuid.uuid4().hex,
    }
    yield from _serve_console(stores_world, port, tmp_path_factory.mktemp("console"), settings)


def _namespace_row(page: Page):
    return page.get_by_test_id("resource-row").filter(has_text="acme-dev-billing")


def test_a_redis_restart_shows_a_page_that_says_so_then_signs_the_person_back_in_where_they_were(
    page: Page, sign_in, console_url: str, redis: RedisService
):
    sign_in(page, "sre", path=LIST)
    expect(_namespace_row(page)).to_be_visible()
    redis.stop()
    try:
        page.reload()
        message = page.get_by_test_id("auth-message")
        expect(message).to_contain_text("The console cannot read sessions")
        expect(message).to_contain_text("The console's session store (Redis) cannot be reached")
        expect(message).to_contain_text("this page tries again by itself")
    finally:
        redis.start()  # empty: every session went with it

    # The page retries by itself; the session is gone, Keycloak's is not: no form, the same page.
    expect(_namespace_row(page)).to_be_visible(timeout=30_000)
    assert page.url.startswith(f"{console_url}/cloud")
    expect(page.get_by_test_id("identity-tier")).to_have_text("operator")


def test_a_change_while_postgresql_is_down_is_refused_in_words_and_goes_through_once_it_is_back(
    page: Page, sign_in, console_url: str, stores_world: SandboxWorld, postgres: PostgresService
):
    name = f"e2e-pg-{uuid.uuid4().hex[:6]}"
    create_deployment(stores_world.cluster.kubeconfig_path, NAMESPACE, name)
    sign_in(page, "owner", path=f"/cloud/resource/deployments/{NAMESPACE}/{name}/overview")
    expect(page.get_by_test_id("detail-actions")).to_have_attribute("data-checked", "true", timeout=15_000)
    deployments = apps_api(stores_world.cluster.kubeconfig_path)
    postgres.stop()
    try:
        page.get_by_test_id("scale-replicas").fill("3")
        page.get_by_test_id("action-scale").click()
        expect(page.get_by_test_id("action-result")).to_contain_text(
            "Nothing was changed: the audit log cannot record changes right now"
        )
        assert deployments.read_namespaced_deployment(name, NAMESPACE).spec.replicas == 1
    finally:
        postgres.start()

    page.get_by_test_id("action-scale").click()
    expect(page.get_by_test_id("action-result")).to_have_text(f"Scaled {name} to 3.")
    assert deployments.read_namespaced_deployment(name, NAMESPACE).spec.replicas == 3
    page.goto(f"{console_url}/rbac/audit")  # one record: the refused attempt changed nothing and left none
    row = page.get_by_test_id("audit-row").filter(has=page.get_by_test_id("audit-target-cell").get_by_text(name))
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("audit-action-cell")).to_have_text("scale")
