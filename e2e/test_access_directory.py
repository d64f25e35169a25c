"""The directory pages in a browser: an owner changes Keycloak groups (each change checked in the sandbox IdP's
Admin REST), the roles page lists the catalog tiers and who holds one, "who can exec?" names exactly the people
the seeded grants allow (also from the detail page's link), and people below tier-admin are turned away, their
forged group events refused and audited as denied."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import watch_page_errors
from forged_events import dispatch, run_on_own_thread
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Browser, Page, expect
from sovereign_sandbox.servers import SandboxWorld
from sovereign_sandbox.world.access import TIERS
from sovereign_sandbox.world.catalog import application_namespace
from sovereign_sandbox.world.people import PEOPLE, subject_of

from console.pages.access.groups_state import GroupsState

GROUPS_STATE = GroupsState.get_full_name()
WORDPRESS_DEV = application_namespace("acme-dev", "wordpress")
SHELL_TIER = "developer"  # the lowest tier whose ClusterRole allows create pods/exec (world.access)


class KeycloakAdminRest:
    """The sandbox IdP's Admin REST, as the console's service account (client credentials)."""

    def __init__(self, world: SandboxWorld) -> None:
        issuer = world.idp.issuer
        self.http = httpx.Client(timeout=10)
        token = self.http.post(
            f"{issuer}/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": world.idp.console_client_id,
                "client_secret": world.idp.console_client_secret,
            },
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.base = issuer.replace("/realms/", "/admin/realms/")

    def group(self, path: str) -> dict | None:
        response = self.http.get(f"{self.base}/group-by-path{path}")
        return None if response.status_code == 404 else response.raise_for_status().json()

    def members(self, path: str) -> list[str]:
        group = self.group(path)
        assert group is not None, path
        response = self.http.get(f"{self.base}/groups/{group['id']}/members").raise_for_status()
        return sorted(user["username"] for user in response.json())

    def delete(self, path: str) -> None:
        if (group := self.group(path)) is not None:
            self.http.delete(f"{self.base}/groups/{group['id']}").raise_for_status()


@pytest.fixture
def keycloak(world: SandboxWorld) -> Iterator[KeycloakAdminRest]:
    rest = KeycloakAdminRest(world)
    yield rest
    rest.http.close()


def _audited(tmp_path_factory: pytest.TempPathFactory, action_prefix: str) -> list[tuple[str, str, str, str]]:
    """(actor, action, target, result) of the console's audit records whose action starts with the prefix."""
    found = []
    for database in {path.resolve() for path in Path(tmp_path_factory.getbasetemp()).glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT actor, action, target, result FROM audit_log WHERE action LIKE ? ORDER BY id",
                (f"{action_prefix}%",),
            ).fetchall()
    return found


def _group_row(page: Page, path: str):
    return page.locator(f'[data-testid="group-row"][data-path="{path}"]')


def test_an_owner_adds_renames_fills_empties_and_deletes_a_subgroup(
    page: Page, sign_in, keycloak: KeycloakAdminRest, tmp_path_factory: pytest.TempPathFactory
):
    name, renamed = f"e2e-{uuid.uuid4().hex[:6]}", f"e2e-{uuid.uuid4().hex[:6]}-ops"
    try:
        sign_in(page, "owner", path="/rbac/groups")
        _group_row(page, "/acme").get_by_test_id("group-select").click()
        expect(page.get_by_test_id("group-path")).to_have_text("/acme")

        # Bad input is refused in words and changes nothing.
        page.get_by_test_id("group-add-name").fill("bad/name")
        page.get_by_test_id("group-add").click()
        expect(page.get_by_test_id("group-result")).to_have_text("A group name cannot contain “/”: bad/name")

        page.get_by_test_id("group-add-name").fill(name)
        page.get_by_test_id("group-add").click()
        expect(page.get_by_test_id("group-result")).to_have_text(f"Created /acme/{name}.")
        expect(page.get_by_test_id("group-path")).to_have_text(f"/acme/{name}")
        expect(_group_row(page, f"/acme/{name}")).to_have_attribute("data-selected", "true")
        assert keycloak.group(f"/acme/{name}") is not None

        page.get_by_test_id("group-rename-name").fill(renamed)
        page.get_by_test_id("group-rename").click()
        expect(page.get_by_test_id("group-path")).to_have_text(f"/acme/{renamed}")
        assert keycloak.group(f"/acme/{name}") is None and keycloak.group(f"/acme/{renamed}") is not None

        page.get_by_test_id("member-search").fill("devel")
        suggestion = page.locator('[data-testid="member-suggestion"][data-username="developer"]')
        suggestion.get_by_test_id("suggestion-add").click()
        expect(page.get_by_test_id("group-result")).to_have_text(f"Added developer to /acme/{renamed}.")
        expect(page.get_by_test_id("member-username")).to_have_text(["developer"])
        assert keycloak.members(f"/acme/{renamed}") == ["developer"]

        page.locator('[data-testid="member-row"][data-username="developer"]').get_by_test_id("member-remove").click()
        expect(page.get_by_test_id("members-empty")).to_be_visible()
        assert keycloak.members(f"/acme/{renamed}") == []

        page.get_by_test_id("group-delete").click()
        expect(page.get_by_test_id("group-delete-dialog")).to_contain_text(f"Delete /acme/{renamed}?")
        page.get_by_test_id("group-delete-confirm").click()
        expect(page.get_by_test_id("group-result")).to_have_text(f"Deleted /acme/{renamed}.")
        expect(page.get_by_test_id("group-path")).to_have_text("/acme")  # back on the parent
        expect(_group_row(page, f"/acme/{renamed}")).to_have_count(0)
        assert keycloak.group(f"/acme/{renamed}") is None

        owner = f"oidc:{subject_of('owner')}"
        mine = [r for r in _audited(tmp_path_factory, "keycloak-") if name in r[2] or renamed in r[2]]
        assert mine == [
            (owner, "keycloak-group-created", f"keycloak-group:/acme/{name}", "ok"),
            (owner, "keycloak-group-renamed", f"keycloak-group:/acme/{name}", "ok"),
            (owner, "keycloak-member-added", f"keycloak-group:/acme/{renamed}", "ok"),
            (owner, "keycloak-member-removed", f"keycloak-group:/acme/{renamed}", "ok"),
            (owner, "keycloak-group-deleted", f"keycloak-group:/acme/{renamed}", "ok"),
        ]
    finally:
        keycloak.delete(f"/acme/{name}")
        keycloak.delete(f"/acme/{renamed}")


def test_the_roles_page_lists_the_tiers_and_a_row_opens_its_holders(page: Page, sign_in):
    sign_in(page, "admin", path="/rbac/roles")
    names = page.get_by_test_id("realm-roles-row").locator('[data-testid="role-name"]')
    expect(names.first).to_be_visible()
    tiers = [f"catalyst-{tier}" for tier in reversed(TIERS)]  # catalyst-owner … catalyst-viewer
    assert names.all_inner_texts()[: len(tiers)] == tiers
    owner_row = page.locator('[data-testid="realm-roles-row"][data-role="catalyst-owner"]')
    expect(owner_row.get_by_test_id("role-tier-level")).to_have_text("50")
    expect(owner_row.get_by_test_id("role-composite")).to_have_text("yes")

    page.locator('[data-testid="realm-roles-row"][data-role="catalyst-admin"]').click()
    expect(page.get_by_test_id("holders-title")).to_contain_text("catalyst-admin")
    holders = sorted(person.username for person in PEOPLE if person.tier == "admin")
    expect(page.get_by_test_id("holder-username")).to_have_text(holders)
    expect(page.get_by_test_id("holder-group")).to_have_text(["/tiers/admin"])

    page.get_by_test_id("client-select").click()
    page.get_by_role("option", name="realm-management", exact=True).click()
    expect(page.locator('[data-testid="client-roles-row"][data-role="manage-users"]')).to_have_count(1)


def _namespace_labels(world: SandboxWorld, name: str) -> dict[str, str]:
    core = kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(world.cluster.kubeconfig_path)))
    return core.read_namespace(name).metadata.labels or {}


def _expected_shell_people(world: SandboxWorld) -> list[str]:
    """Who the seeded grants let open a shell in the wordpress dev namespace: a tier at or above developer whose
    scopes (the developer tier's enforced env-type=dev included) all match the namespace's labels."""
    labels = _namespace_labels(world, WORDPRESS_DEV)
    able = []
    for person in PEOPLE:
        if person.tier is None or TIERS.index(person.tier) < TIERS.index(SHELL_TIER):
            continue
        scopes = [*person.scopes, *([("openova.io/env-type", "dev")] if person.tier == "developer" else [])]
        if all(labels.get(key) == value for key, value in scopes):
            able.append(person.username)
    return sorted(able)


def _pod_in(world: SandboxWorld, namespace: str) -> str:
    core = kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(world.cluster.kubeconfig_path)))
    return sorted(pod.metadata.name for pod in core.list_namespaced_pod(namespace).items)[0]


def test_who_can_exec_names_exactly_the_granted_people_also_from_the_detail_page(page: Page, sign_in, world):
    expected = _expected_shell_people(world)
    assert {"owner", "developer", "acme-admin"} <= set(expected) and "viewer" not in expected

    sign_in(page, "owner", path="/rbac/who-can")
    page.get_by_test_id("who-can-verb").click()
    page.get_by_role("option", name="create", exact=True).click()
    page.get_by_test_id("who-can-resource").click()
    page.get_by_role("option", name="pods/exec", exact=True).click()
    page.get_by_test_id("who-can-namespace").click()
    page.get_by_role("option", name=WORDPRESS_DEV, exact=True).click()
    page.get_by_test_id("who-can-ask").click()
    expect(page.get_by_test_id("who-can-question")).to_have_text(f"Who can create pods/exec in {WORDPRESS_DEV}?")
    people = page.get_by_test_id("who-can-person")
    expect(people).to_have_count(len(expected))
    assert sorted(people.evaluate_all("rows => rows.map(r => r.dataset.username)")) == expected
    for row in people.all():
        expect(row).to_have_attribute("data-confirmed", "yes")  # the API server's own review agrees
    developer = page.locator('[data-testid="who-can-person"][data-username="developer"]')
    expect(developer.get_by_test_id("person-grants")).to_contain_text(
        f"RoleBinding {WORDPRESS_DEV}/useraccess-developer-developer → ClusterRole openova:tier-developer"
    )
    expect(page.locator('[data-testid="who-can-subject"][data-name="oidc:/acme/admins"]')).to_have_count(1)

    # The detail page of a pod there links to the same question, prefilled and answered at once.
    pod = _pod_in(world, WORDPRESS_DEV)
    page.goto(page.url.split("/rbac/")[0] + f"/cloud/resource/pods/{WORDPRESS_DEV}/{pod}/overview")
    page.get_by_test_id("detail-who-can-exec").click()
    page.wait_for_url("**/rbac/who-can?**")
    assert f"namespace={WORDPRESS_DEV}" in page.url and f"name={pod}" in page.url
    expect(page.get_by_test_id("who-can-question")).to_have_text(
        f"Who can create pods/exec named {pod} in {WORDPRESS_DEV}?"
    )
    expect(page.get_by_test_id("who-can-resource")).to_have_text("pods/exec")
    expect(page.get_by_test_id("who-can-name")).to_have_value(pod)
    expect(page.get_by_test_id("who-can-person")).to_have_count(len(expected))


def test_what_a_person_can_do_and_what_i_can_do(page: Page, sign_in):
    sign_in(page, "owner", path=f"/rbac/who-can?namespace={WORDPRESS_DEV}")
    page.get_by_test_id("person-search").fill("developer")
    page.locator('[data-testid="person-suggestion"][data-username="developer"]').click()
    exec_row = page.locator('[data-testid="person-matrix-row"][data-resource="pods/exec"]')
    page.get_by_test_id("person-ns").click()
    page.get_by_role("option", name=WORDPRESS_DEV, exact=True).click()
    expect(exec_row.locator('[data-verb="create"] [aria-label="allowed"]')).to_have_count(1)
    secrets = page.locator('[data-testid="person-matrix-row"][data-resource="secrets"]')
    expect(secrets).to_have_count(0)  # a developer reads no Secrets
    expect(page.locator('[data-testid="my-matrix-row"][data-resource="secrets"]')).to_have_count(1)  # an owner does


@pytest.mark.parametrize("username", ["viewer", "developer"])
def test_below_tier_admin_the_directory_is_refused_and_forged_group_events_are_audited_as_denied(
    username: str,
    browser: Browser,
    sign_in,
    console_url: str,
    keycloak: KeycloakAdminRest,
    tmp_path_factory: pytest.TempPathFactory,
    page_errors: list[str],
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    page = context.new_page()
    sign_in(page, username, path="/rbac/groups")
    expect(page.get_by_test_id("needs-tier")).to_have_text(
        f"This page is shown to tier-admin and tier-owner; you are signed in with tier-{username}."
    )
    expect(page.get_by_test_id("group-tree")).to_have_count(0)
    page.goto(f"{console_url}/rbac/roles")
    expect(page.get_by_test_id("needs-tier")).to_be_visible()
    page.goto(f"{console_url}/rbac/who-can")
    expect(page.get_by_test_id("needs-tier")).to_be_visible()
    expect(page.get_by_test_id("my-section")).to_be_visible()  # everyone sees what they can do themselves
    page.goto(f"{console_url}/rbac/groups")
    expect(page.get_by_test_id("needs-tier")).to_be_visible()
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(console_url))
    context.close()  # free the token: the forged client speaks for the same tab

    forged = f"forged-{uuid.uuid4().hex[:6]}"
    events = [
        ("set_new_group_name", {"value": forged}),
        ("add_group", {}),
        ("remove_member", {"user_id": subject_of("acme-admin")}),
        ("set_new_group_name", {"value": f"{forged}-sent"}),  # handled last: its delta says all were handled
    ]
    answers = run_on_own_thread(
        dispatch(console_url, token, cookie, "/rbac/groups", GROUPS_STATE, events, until=f"{forged}-sent")
    )

    assert keycloak.group(f"/{forged}") is None, answers
    assert keycloak.members("/acme/admins") == ["acme-admin"]
    actor = f"oidc:{subject_of(username)}"
    theirs = [
        (action, target, result)
        for who, action, target, result in _audited(tmp_path_factory, "keycloak-")
        if who == actor
    ]
    assert theirs == [
        ("keycloak-group-created", f"keycloak-group:/{forged}", "denied"),
        ("keycloak-member-removed", "keycloak-group:", "denied"),
    ], answers


def test_an_admin_sees_groups_but_cannot_change_them(page: Page, sign_in):
    sign_in(page, "admin", path="/rbac/groups")
    _group_row(page, "/sovereign-admins").get_by_test_id("group-select").click()
    expect(page.get_by_test_id("member-username")).to_have_text(["admin", "owner"])
    expect(page.get_by_test_id("group-add")).to_have_count(0)
    expect(page.get_by_test_id("member-remove")).to_have_count(0)
    expect(page.get_by_test_id("member-search")).to_have_count(0)
