"""Granting tiers against the sandbox, as the person: created, updated, no-op, tier changes, revokes — each
audited — and a viewer stopped by the API server (audited as denied). Bad requests write nothing."""

from __future__ import annotations

import httpx
import pytest
from grant_helpers import NAMESPACE, SOVEREIGN, Acting, grant_named, grants_of, someone

from console.audit.log import AuditLog
from console.rbac.grants import (
    CREATED,
    DELETED,
    TIER_CHANGED,
    UPDATED,
    Grantee,
    GrantRefused,
    apply_grants,
    delete_grant,
    update_grant,
)
from console.rbac.keycloak_admin import KcUser
from console.rbac.scopes import Scope

WORDPRESS = {"key": "openova.io/application", "value": "wordpress"}
DEV = {"key": "openova.io/env-type", "value": "dev"}


async def _apply(acting: Acting, audit: AuditLog, tier: str, scopes: list, users: list):
    return await apply_grants(
        acting.api,
        tier=tier,
        scopes=scopes,
        users=users,
        namespace=NAMESPACE,
        sovereign_ref=SOVEREIGN,
        audit=audit,
        actor=acting.actor,
    )


@pytest.mark.parametrize(
    ("tier", "scopes", "message"),
    [
        ("superuser", [], "unknown tier: superuser — valid: viewer, developer, operator, admin, owner"),
        ("developer", [{"key": "openova.io/colour", "value": "red"}], "unknown scope key: openova.io/colour — valid: "),
        ("developer", [{"key": "application", "value": " "}], "scope value is required"),
        ("developer", [{"key": "", "value": "x"}], "scope key is required"),
    ],
)
async def test_a_bad_request_is_refused_with_the_spec_message_and_writes_nothing(
    owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient, tier: str, scopes: list, message: str
):
    user = someone()
    with pytest.raises(GrantRefused) as refused:
        await _apply(owner, audit, tier, scopes, [user])
    assert str(refused.value).startswith(message)
    assert await grants_of(cluster_http, user.subject) == []
    assert await audit.recent() == []


async def test_at_least_one_user_is_required(owner: Acting, audit: AuditLog):
    with pytest.raises(GrantRefused, match="^pick at least one user to grant to$"):
        await _apply(owner, audit, "viewer", [], [])
    assert await audit.recent() == []


async def test_a_developer_grant_is_created_with_its_enforced_scope_and_audited(
    owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    user = someone()
    [outcome] = await _apply(owner, audit, "developer", [WORDPRESS], [user])

    assert (outcome.applied, outcome.denied, outcome.user) == ("created", False, user)
    [grant] = await grants_of(cluster_http, user.subject)
    assert grant["metadata"]["name"] == outcome.name == f"{user.email.split('@')[0]}-developer"
    assert grant["metadata"]["labels"]["catalyst.openova.io/tier"] == "developer"
    assert grant["spec"]["tier"] == "developer"
    assert grant["spec"]["tierRoleRef"] == "openova:tier-developer"
    assert grant["spec"]["sovereignRef"] == SOVEREIGN
    assert grant["spec"]["user"] == {"keycloakSubject": user.subject, "email": user.email}
    # the developer ClusterRole enforces env-type=dev: the grant says so itself
    assert grant["spec"]["scopes"] == [WORDPRESS, DEV]
    [record] = await audit.recent()
    assert (record.actor, record.action, record.result) == (owner.actor, CREATED, "ok")
    assert record.target == f"useraccesses.access.openova.io/{NAMESPACE}/{outcome.name}"
    assert record.detail == (
        f"user={user.email} tier=developer scopes=openova.io/application=wordpress, openova.io/env-type=dev"
    )


async def test_the_same_grant_again_is_a_no_op_and_new_scopes_update_it(
    owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    user = someone()
    [created] = await _apply(owner, audit, "viewer", [WORDPRESS], [user])
    [again] = await _apply(owner, audit, "viewer", [Scope("openova.io/application", "wordpress")], [user])
    assert (again.applied, again.name) == ("no-op", created.name)
    assert again.message == f"{created.name} already grants viewer on openova.io/application=wordpress"
    assert [r.action for r in await audit.recent()] == [CREATED]  # a no-op writes nothing and records nothing

    [updated] = await _apply(owner, audit, "viewer", [{"key": "org", "value": "acme"}], [user])
    assert (updated.applied, updated.name) == ("updated", created.name)
    [grant] = await grants_of(cluster_http, user.subject)
    assert grant["spec"]["scopes"] == [{"key": "openova.io/organization", "value": "acme"}]
    newest = (await audit.recent())[0]
    assert (newest.action, newest.result) == (UPDATED, "ok")
    assert newest.detail.endswith("(was viewer on openova.io/application=wordpress)")


async def test_one_grant_per_user_per_tier_several_users_at_once(
    owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    first, second = someone(), someone()
    await _apply(owner, audit, "viewer", [], [first])
    keycloak_user = KcUser(id=second.subject, username="second", email=second.email, first_name="Sec", last_name="Ond")
    outcomes = await _apply(owner, audit, "viewer", [], [first, keycloak_user, (second.subject, second.email)])
    assert [(o.user.subject, o.applied) for o in outcomes] == [(first.subject, "no-op"), (second.subject, "created")]
    assert outcomes[1].user.label == f"Sec Ond <{second.email}>"
    # another tier for the same user is another grant; both stay
    [operator] = await _apply(owner, audit, "operator", [], [first])
    assert operator.applied == "created"
    assert sorted(g["spec"]["tier"] for g in await grants_of(cluster_http, first.subject)) == ["operator", "viewer"]


async def test_a_taken_name_gets_a_suffix(owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient):
    first = someone()
    twin = Grantee(someone().subject, first.email.replace("@example.org", "@elsewhere.example"))
    [one] = await _apply(owner, audit, "viewer", [], [first])
    [two] = await _apply(owner, audit, "viewer", [], [twin])
    assert two.applied == "created"
    assert two.name.startswith(one.name + "-") and two.name != one.name
    assert (await grant_named(cluster_http, two.name)).json()["spec"]["user"]["keycloakSubject"] == twin.subject


async def test_a_viewer_is_refused_by_the_api_server_and_audited_as_denied(
    viewer: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    user = someone()
    [outcome] = await _apply(viewer, audit, "owner", [], [user])
    assert (outcome.applied, outcome.denied) == ("error", True)
    assert outcome.message.startswith("refused by the API server: ")
    assert await grants_of(cluster_http, user.subject) == []
    [record] = await audit.recent()
    assert (record.actor, record.action, record.result) == (viewer.actor, CREATED, "denied")
    assert record.target == f"useraccesses.access.openova.io/{NAMESPACE}/{outcome.name}"


async def test_an_edit_that_moves_the_tier_is_a_tier_change(
    owner: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    user = someone()
    [created] = await _apply(owner, audit, "viewer", [WORDPRESS], [user])
    outcome = await update_grant(
        owner.api,
        name=created.name,
        namespace=NAMESPACE,
        tier="developer",
        scopes=[WORDPRESS],
        audit=audit,
        actor=owner.actor,
    )
    assert outcome.applied == "updated"
    grant = (await grant_named(cluster_http, created.name)).json()
    assert (grant["spec"]["tier"], grant["spec"]["tierRoleRef"]) == ("developer", "openova:tier-developer")
    assert grant["metadata"]["labels"]["catalyst.openova.io/tier"] == "developer"
    assert grant["spec"]["scopes"] == [WORDPRESS, DEV]
    newest = (await audit.recent())[0]
    assert (newest.action, newest.result) == (TIER_CHANGED, "ok")
    assert newest.detail.endswith("(was viewer on openova.io/application=wordpress)")

    # one grant per user per tier: moving another grant onto developer is refused, nothing written
    [other] = await _apply(owner, audit, "operator", [], [user])
    with pytest.raises(GrantRefused, match=f"already has a developer grant \\({created.name}\\)"):
        await update_grant(
            owner.api,
            name=other.name,
            namespace=NAMESPACE,
            tier="developer",
            scopes=[],
            audit=audit,
            actor=owner.actor,
        )
    assert (await grant_named(cluster_http, other.name)).json()["spec"]["tier"] == "operator"


async def test_a_revoke_is_audited_and_a_viewers_revoke_is_denied(
    owner: Acting, viewer: Acting, audit: AuditLog, cluster_http: httpx.AsyncClient
):
    user = someone()
    [created] = await _apply(owner, audit, "viewer", [], [user])

    refused = await delete_grant(viewer.api, name=created.name, namespace=NAMESPACE, audit=audit, actor=viewer.actor)
    assert (refused.applied, refused.denied) == ("error", True)
    assert (await grant_named(cluster_http, created.name)).status_code == 200

    revoked = await delete_grant(owner.api, name=created.name, namespace=NAMESPACE, audit=audit, actor=owner.actor)
    assert (revoked.applied, revoked.message) == ("deleted", f"revoked {created.name}")
    assert await grants_of(cluster_http, user.subject) == []
    records = [(r.actor, r.action, r.result) for r in await audit.recent()]
    assert records[:2] == [(owner.actor, DELETED, "ok"), (viewer.actor, DELETED, "denied")]
    assert (await audit.recent())[0].detail == f"user={user.email} tier=viewer scopes=cluster-wide"

    gone = await delete_grant(owner.api, name=created.name, namespace=NAMESPACE, audit=audit, actor=owner.actor)
    assert (gone.applied, gone.message) == ("error", f"{created.name} does not exist (already revoked?)")
