"""Users & access as people use them: an owner grants through the multi-grant form and the grantee can open a
shell where the grant reaches (and only there); scope chips are checked inline; admins read, developers are
turned away; an owner revokes after confirming; forged grant and revoke events are refused and audited."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator

import pytest
from conftest import watch_page_errors
from forged_events import dispatch, run_on_own_thread
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from kubernetes import watch as kube_watch
from kubernetes.client.exceptions import ApiException
from playwright.sync_api import Browser, Page, expect
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.node.containers import image_traits
from sovereign_sandbox.world.people import subject_of

from console.pages.access.grant_state import GrantState
from console.pages.access.users_state import UsersState

NAMESPACE = "catalyst-system"
GROUP, VERSION, PLURAL = "access.openova.io", "v1alpha1", "useraccesses"
DOMAIN = "omantel.openova.cloud"
EFFECTIVE_MS = 30_000  # rbac.md: a grant is effective within 30 s
SHELL_MS = 15_000


def _custom(sandbox: Sandbox) -> kube_client.CustomObjectsApi:
    return kube_client.CustomObjectsApi(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _grants(sandbox: Sandbox) -> list[dict]:
    return _custom(sandbox).list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL)["items"]


def _create_grant(sandbox: Sandbox, name: str, username: str, tier: str, scopes: list[tuple[str, str]]) -> None:
    _custom(sandbox).create_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "UserAccess",
            "metadata": {"name": name, "labels": {"catalyst.openova.io/tier": tier}},
            "spec": {
                "user": {"keycloakSubject": subject_of(username), "email": f"{username}@{DOMAIN}"},
                "sovereignRef": DOMAIN,
                "tier": tier,
                "tierRoleRef": f"openova:tier-{tier}",
                "scopes": [{"key": key, "value": value} for key, value in scopes],
            },
        },
    )


def _revoke(sandbox: Sandbox, name: str) -> None:
    """Delete a grant and wait (a watch, not a poll) until its finalizer let it go: its bindings are gone."""
    custom = _custom(sandbox)
    try:
        custom.delete_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
    except ApiException as error:
        if error.status == 404:
            return
        raise
    listed = custom.list_namespaced_custom_object(
        GROUP, VERSION, NAMESPACE, PLURAL, field_selector=f"metadata.name={name}"
    )
    if not listed["items"]:
        return
    stream = kube_watch.Watch().stream(
        custom.list_namespaced_custom_object,
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        field_selector=f"metadata.name={name}",
        resource_version=listed["metadata"]["resourceVersion"],
        timeout_seconds=60,
    )
    for event in stream:
        if event["type"] == "DELETED":
            return
    raise AssertionError(f"the grant {name} was not removed within 60 s")


def _audited(tmp_path_factory: pytest.TempPathFactory, action: str, actor: str) -> list[tuple[str, str, str]]:
    """(target, result, detail) of one person's audit records of `action`, from the console database."""
    found = []
    for database in {path.resolve() for path in tmp_path_factory.getbasetemp().glob("console*/console.db")}:
        with sqlite3.connect(database) as connection:
            found += connection.execute(
                "SELECT target, result, detail FROM audit_log WHERE action = ? AND actor = ? ORDER BY id",
                (action, actor),
            ).fetchall()
    return found


def _running_pod(sandbox: Sandbox, namespace: str) -> str:
    api = kube_client.CoreV1Api(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))
    for pod in sorted(api.list_namespaced_pod(namespace).items, key=lambda pod: pod.metadata.name):
        statuses = pod.status.container_statuses or []
        running = pod.status.phase == "Running" and statuses and all(s.state.running for s in statuses)
        if running and len(pod.spec.containers) == 1 and image_traits(pod.spec.containers[0].image).shells:
            return pod.metadata.name
    pytest.fail(f"no running single-container pod with a shell in {namespace}")


@pytest.fixture
def viewer_developer_grant(sandbox: Sandbox) -> Iterator[str]:
    """The name the form gives the viewer's developer grant; revoked after the test, whatever happened."""
    yield "viewer-developer"
    _revoke(sandbox, "viewer-developer")


def test_an_owner_grants_developer_on_wordpress_and_the_viewer_gets_a_shell_in_dev_only(
    page: Page, browser: Browser, sign_in, sandbox: Sandbox, page_errors: list[str], viewer_developer_grant: str
):
    viewer_subject = subject_of("viewer")
    sign_in(page, "owner", path="/rbac/grant")
    page.get_by_test_id("tier-developer").click()
    expect(page.get_by_test_id("tier-actions")).to_contain_text("workloads.exec")
    page.get_by_test_id("scope-value").fill("wordpress")
    page.get_by_test_id("scope-add").click()
    expect(page.get_by_test_id("scope-chip")).to_have_attribute("data-scope", "application=wordpress")
    page.get_by_test_id("user-search").fill("viewer")
    result = page.locator(f'[data-testid="user-result"][data-subject="{viewer_subject}"]')
    expect(result).to_contain_text(f"viewer@{DOMAIN}")
    result.click()
    expect(page.get_by_test_id("picked-user")).to_have_attribute("data-subject", viewer_subject)
    page.get_by_test_id("grant-apply").click()

    expect(page.get_by_text("Granted developer", exact=True)).to_be_visible()  # the toast
    outcome = page.get_by_test_id("grant-outcome")
    expect(outcome).to_have_attribute("data-applied", "created")
    expect(outcome).to_contain_text(viewer_developer_grant)
    grant = next(g for g in _grants(sandbox) if g["metadata"]["name"] == viewer_developer_grant)
    assert grant["spec"]["user"]["keycloakSubject"] == viewer_subject
    assert grant["spec"]["scopes"] == [
        {"key": "openova.io/application", "value": "wordpress"},
        {"key": "openova.io/env-type", "value": "dev"},
    ]

    # The grant's page follows the reconciler: one RoleBinding, in the dev namespace, within 30 s.
    page.get_by_role("link", name=viewer_developer_grant).click()
    expect(page.get_by_test_id("grant-binding-row")).to_have_count(1, timeout=EFFECTIVE_MS)
    expect(page.get_by_test_id("grant-binding-row")).to_contain_text("acme-dev-wordpress")

    # The viewer, signed in afresh in a second browser, opens a shell in a wordpress dev pod…
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    watch_page_errors(context, page_errors)
    try:
        viewer = context.new_page()
        dev_pod = _running_pod(sandbox, "acme-dev-wordpress")
        sign_in(viewer, "viewer", path=f"/cloud/resource/pods/acme-dev-wordpress/{dev_pod}/exec")
        viewer.get_by_test_id("exec-open").click()
        expect(viewer.get_by_test_id("exec-state")).to_have_text("open", timeout=SHELL_MS)
        # …and not in a wordpress prod pod.
        prod_pod = _running_pod(sandbox, "acme-prod-wordpress")
        viewer.goto(viewer.url.split("/cloud/")[0] + f"/cloud/resource/pods/acme-prod-wordpress/{prod_pod}/exec")
        expect(viewer.get_by_test_id("exec-no-access")).to_have_text(
            "You need tier-developer or higher to open a shell session."
        )
        expect(viewer.get_by_test_id("exec-open")).to_have_count(0)
    finally:
        context.close()


def test_scope_chips_are_checked_as_they_are_added(page: Page, sign_in):
    # A prefilled scope (as a link would carry it) with an unknown key is refused with the spec's message.
    sign_in(page, "owner", path="/rbac/grant?tier=operator&scope=colour=red")
    expect(page.get_by_test_id("scope-error")).to_contain_text("unknown scope key: colour — valid: provider, region")
    expect(page.get_by_test_id("scope-chip")).to_have_count(0)
    expect(page.get_by_test_id("tier-operator")).to_have_attribute("data-state", "checked")

    page.get_by_test_id("scope-add").click()
    expect(page.get_by_test_id("scope-error")).to_have_text("scope value is required")
    expect(page.get_by_test_id("scope-chip")).to_have_count(0)

    page.get_by_test_id("scope-key").click()
    page.get_by_test_id("scope-key-env-type").click()
    page.get_by_test_id("scope-value").fill("prod")
    page.get_by_test_id("scope-value").press("Enter")
    expect(page.get_by_test_id("scope-chip")).to_have_attribute("data-scope", "env-type=prod")
    expect(page.get_by_test_id("scope-error")).to_have_count(0)
    page.get_by_test_id("scope-value").fill("dev")
    page.get_by_test_id("scope-add").click()
    expect(page.get_by_test_id("scope-error")).to_contain_text("env-type is already scoped to prod")
    expect(page.get_by_test_id("scope-chip")).to_have_count(1)

    page.get_by_test_id("scope-chip-remove").click()
    expect(page.get_by_test_id("scope-chip")).to_have_count(0)
    expect(page.get_by_test_id("scope-none")).to_be_visible()
    # Apply stays off until someone is picked.
    expect(page.get_by_test_id("grant-apply")).to_be_disabled()


def test_an_admin_reads_the_grants_without_changing_them(page: Page, sign_in):
    sign_in(page, "admin", path="/users")
    expect(page.get_by_test_id("users-live")).to_have_text("live")
    rows = page.get_by_test_id("grant-row")
    owner_row = page.locator('[data-testid="grant-row"][data-name="owner"]')
    expect(owner_row.get_by_test_id("grant-tier")).to_have_text("owner")
    expect(owner_row.get_by_test_id("grant-condition")).to_have_text("Reconciled")
    assert rows.count() >= 7
    expect(page.get_by_test_id("users-new")).to_have_count(0)
    expect(page.get_by_test_id("grant-delete")).to_have_count(0)
    expect(page.get_by_test_id("users-read-only")).to_be_visible()

    page.get_by_test_id("tier-filter-developer").click()
    expect(rows).to_have_count(1)
    expect(page.locator('[data-testid="grant-row"][data-name="developer"]')).to_contain_text("env-type=dev")
    page.get_by_test_id("tier-filter-all").click()
    page.get_by_test_id("users-search").fill("acme")
    expect(page.locator('[data-testid="grant-row"][data-name="acme-admin"]')).to_be_visible()
    expect(page.locator('[data-testid="grant-row"][data-name="owner"]')).to_have_count(0)

    # The multi-grant form is an owner's: an admin is told so.
    page.goto(page.url.split("/users")[0] + "/rbac/grant")
    expect(page.get_by_test_id("grant-gate")).to_contain_text("Needs tier-owner")
    expect(page.get_by_test_id("grant-apply")).to_have_count(0)


def test_a_developer_is_told_grants_need_tier_admin(page: Page, sign_in):
    sign_in(page, "developer", path="/users")
    expect(page.get_by_test_id("users-gate")).to_contain_text("Needs tier-admin to see grants")
    expect(page.get_by_test_id("users-gate")).to_contain_text("you are signed in with tier-developer")
    expect(page.get_by_test_id("grant-row")).to_have_count(0)


def test_an_owner_revokes_a_grant_after_confirming(page: Page, sign_in, sandbox: Sandbox):
    name = f"e2e-revoke-{uuid.uuid4().hex[:6]}"
    _create_grant(sandbox, name, "sre", "viewer", [("openova.io/application", "billing")])
    try:
        sign_in(page, "owner", path="/users")
        row = page.locator(f'[data-testid="grant-row"][data-name="{name}"]')
        expect(row.get_by_test_id("grant-scopes")).to_have_text("application=billing")
        row.get_by_test_id("grant-delete").click()
        dialog = page.get_by_test_id("grant-delete-dialog")
        expect(dialog).to_contain_text(f"Revoke {name}?")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        assert any(g["metadata"]["name"] == name for g in _grants(sandbox))

        row.get_by_test_id("grant-delete").click()
        page.get_by_test_id("grant-delete-confirm").click()
        expect(page.get_by_text(f"Revoked {name}", exact=True)).to_be_visible()  # the toast
        expect(row).to_have_count(0, timeout=EFFECTIVE_MS)  # live: gone once the reconciler let it go
    finally:
        _revoke(sandbox, name)


def test_an_owner_moves_a_grant_to_another_tier_and_scope(
    page: Page, sign_in, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
):
    name = f"e2e-edit-{uuid.uuid4().hex[:6]}"
    _create_grant(sandbox, name, "sre", "viewer", [("openova.io/application", "billing")])
    try:
        sign_in(page, "owner", path=f"/users/{name}")
        expect(page.get_by_test_id("grant-scopes")).to_have_text("application=billing")
        expect(page.get_by_test_id("grant-save")).to_be_disabled()
        page.get_by_test_id("edit-tier-admin").click()
        page.get_by_test_id("scope-chip-remove").click()
        page.get_by_test_id("scope-value").fill("wordpress")
        page.get_by_test_id("scope-add").click()
        expect(page.get_by_test_id("scope-chip")).to_have_attribute("data-scope", "application=wordpress")
        page.get_by_test_id("grant-save").click()

        expect(page.get_by_text(f"Saved {name}", exact=True)).to_be_visible()  # the toast
        expect(page.get_by_test_id("grant-tier")).to_contain_text("admin")  # live from the cluster
        expect(page.get_by_test_id("grant-scopes")).to_have_text("application=wordpress")
        grant = next(g for g in _grants(sandbox) if g["metadata"]["name"] == name)
        assert (grant["spec"]["tier"], grant["spec"]["tierRoleRef"]) == ("admin", "openova:tier-admin")
        assert grant["spec"]["scopes"] == [{"key": "openova.io/application", "value": "wordpress"}]
        changes = [r for r in _audited(tmp_path_factory, "rbac-tier-changed", f"oidc:{subject_of('owner')}")]
        assert [(target, result) for target, result, _ in changes if target.endswith(f"/{name}")] == [
            (f"{PLURAL}.{GROUP}/{NAMESPACE}/{name}", "ok")
        ]
    finally:
        _revoke(sandbox, name)


@pytest.mark.parametrize("username", ["viewer", "developer"])
def test_forged_grant_and_revoke_events_are_refused_and_audited(
    forged_tab, console_url: str, sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory, username: str
):
    target = f"e2e-forged-{uuid.uuid4().hex[:6]}"
    _create_grant(sandbox, target, "sre", "viewer", [])
    actor = f"oidc:{subject_of(username)}"
    try:
        before = {g["metadata"]["name"] for g in _grants(sandbox)}
        token, cookie = forged_tab(  # the forged client speaks for this session
            username, "/rbac/grant", lambda page: expect(page.get_by_test_id("grant-gate")).to_be_visible()
        )

        grant_events = [("choose_tier", {"tier": "owner"}), ("apply", {})]
        run_on_own_thread(
            dispatch(
                console_url, token, cookie, "/rbac/grant", GrantState.get_full_name(), grant_events, "Only a tier-owner"
            )
        )
        revoke_events = [("ask_delete", {"name": target, "who": "sre"}), ("delete", {})]
        run_on_own_thread(
            dispatch(
                console_url, token, cookie, "/users", UsersState.get_full_name(), revoke_events, "Only a tier-owner"
            )
        )

        assert {g["metadata"]["name"] for g in _grants(sandbox)} == before  # nothing created, nothing deleted
        [(grant_target, result, detail)] = _audited(tmp_path_factory, "rbac-grant-created", actor)
        assert (grant_target, result) == (f"{PLURAL}.{GROUP}/{NAMESPACE}", "denied")
        assert detail.startswith("Only a tier-owner grants and revokes access; you are signed in with tier-")
        [(revoke_target, result, _)] = _audited(tmp_path_factory, "rbac-grant-deleted", actor)
        assert (revoke_target, result) == (f"{PLURAL}.{GROUP}/{NAMESPACE}/{target}", "denied")
    finally:
        _revoke(sandbox, target)
