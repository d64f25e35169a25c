"""The access matrix: a developer grant written without env-type=dev is flagged on its person's row, a cell
opens the grants behind it, and "Open in multi-grant" carries the person, tier and application to the form."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from kubernetes import watch as kube_watch
from kubernetes.client.exceptions import ApiException
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.world.people import subject_of

NAMESPACE = "catalyst-system"
GROUP, VERSION, PLURAL = "access.openova.io", "v1alpha1", "useraccesses"
DOMAIN = "omantel.openova.cloud"


def _custom(sandbox: Sandbox) -> kube_client.CustomObjectsApi:
    return kube_client.CustomObjectsApi(kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path)))


def _revoke(sandbox: Sandbox, name: str) -> None:
    """Delete the grant and wait (a watch) until its finalizer let it go."""
    custom = _custom(sandbox)
    try:
        custom.delete_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, name)
    except ApiException as error:
        if error.status == 404:
            return
        raise
    selector = f"metadata.name={name}"
    listed = custom.list_namespaced_custom_object(GROUP, VERSION, NAMESPACE, PLURAL, field_selector=selector)
    if not listed["items"]:
        return
    for event in kube_watch.Watch().stream(
        custom.list_namespaced_custom_object,
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        field_selector=selector,
        resource_version=listed["metadata"]["resourceVersion"],
        timeout_seconds=60,
    ):
        if event["type"] == "DELETED":
            return
    raise AssertionError(f"the grant {name} was not removed within 60 s")


@pytest.fixture
def billing_developer_grant(sandbox: Sandbox) -> Iterator[str]:
    """A developer grant for the SRE on billing, written (kubectl-like) without the enforced env-type=dev."""
    name = f"e2e-sre-billing-{uuid.uuid4().hex[:6]}"
    _custom(sandbox).create_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "UserAccess",
            "metadata": {"name": name},
            "spec": {
                "user": {"keycloakSubject": subject_of("sre"), "email": f"sre@{DOMAIN}"},
                "sovereignRef": DOMAIN,
                "tier": "developer",
                "scopes": [{"key": "openova.io/application", "value": "billing"}],
            },
        },
    )
    yield name
    _revoke(sandbox, name)


def test_a_grant_missing_its_enforced_scope_is_flagged_and_a_cell_opens_its_editor(
    page: Page, sign_in, billing_developer_grant: str
):
    sre = subject_of("sre")
    sign_in(page, "owner", path="/rbac/matrix")
    expect(page.get_by_test_id("matrix-live")).to_have_text("live")
    row = page.locator(f'[data-testid="matrix-row"][data-key="{sre}"]')
    expect(row.get_by_test_id("matrix-warning")).to_contain_text(
        f"developer-tier UserAccess for billing missing env-type=dev scope ({billing_developer_grant})"
    )
    # The SRE's own operator grant is cluster-wide; billing's cell shows the operator tier from it.
    expect(row.locator('[data-testid="matrix-cell"][data-application="*"]')).to_have_attribute("data-tier", "operator")
    owner_row = page.locator(f'[data-testid="matrix-row"][data-key="{subject_of("owner")}"]')
    expect(owner_row.get_by_test_id("matrix-warning")).to_have_count(0)

    row.locator('[data-testid="matrix-cell"][data-application="billing"]').click()
    editor = page.get_by_test_id("matrix-editor")
    expect(editor).to_contain_text(f"sre@{DOMAIN} · billing")
    grants = editor.get_by_test_id("matrix-editor-grant")
    expect(grants.filter(has_text=billing_developer_grant)).to_contain_text(
        "reaches: application=billing, env-type=dev"
    )
    expect(editor.get_by_role("link", name="sre", exact=True)).to_be_visible()  # the seeded operator grant
    editor.get_by_test_id("matrix-open-grant").click()

    page.wait_for_url("**/rbac/grant?**")
    expect(page.get_by_test_id("picked-user")).to_have_attribute("data-subject", sre)
    expect(page.get_by_test_id("picked-user")).to_contain_text(f"sre@{DOMAIN}")
    expect(page.get_by_test_id("tier-operator")).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("scope-chip")).to_have_attribute("data-scope", "application=billing")


def test_a_developer_is_told_the_matrix_needs_tier_admin(page: Page, sign_in):
    sign_in(page, "developer", path="/rbac/matrix")
    expect(page.get_by_test_id("matrix-gate")).to_contain_text("Needs tier-admin to see grants")
    expect(page.get_by_test_id("matrix-row")).to_have_count(0)
