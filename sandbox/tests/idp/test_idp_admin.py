"""The Admin REST subset: status codes, Location headers, representations, and tokens following group changes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.world.people import subject_of


@pytest.fixture
def admin(idp: IdentityProvider, service_token: str) -> httpx.Client:
    with httpx.Client(
        base_url=f"{idp.url}/admin/realms/sovereign", headers={"Authorization": f"Bearer {service_token}"}
    ) as client:
        yield client


def test_admin_needs_a_realm_management_token(idp, password_tokens) -> None:
    base = f"{idp.url}/admin/realms/sovereign/users"
    assert httpx.get(base).status_code == 401
    assert httpx.get(base, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    user_token = password_tokens("owner")["access_token"]
    assert httpx.get(base, headers={"Authorization": f"Bearer {user_token}"}).status_code == 403


def test_users_list_search_and_get(admin: httpx.Client) -> None:
    everyone = admin.get("/users").json()
    assert [user["username"] for user in everyone] == sorted(
        ["owner", "admin", "sre", "secops", "developer", "viewer", "acme-admin", "newcomer"]
    )
    assert admin.get("/users/count").json() == 8
    found = admin.get("/users", params={"search": "dev", "briefRepresentation": "true"}).json()
    assert [user["username"] for user in found] == ["developer"] and "attributes" not in found[0]
    exact = admin.get("/users", params={"username": "admin", "exact": "true"}).json()
    assert [user["username"] for user in exact] == ["admin"]
    assert len(admin.get("/users", params={"first": 2, "max": 3}).json()) == 3
    sre = admin.get(f"/users/{subject_of('sre')}").json()
    assert sre["email"] == "sre@omantel.openova.cloud" and sre["enabled"] is True and "access" in sre
    assert admin.get(f"/users/{uuid.uuid4()}").status_code == 404


def test_user_create_update_delete(admin: httpx.Client) -> None:
    created = admin.post("/users", json={"username": "Temp-User", "email": "temp@example.org", "enabled": True})
    assert created.status_code == 201 and created.content == b""
    location = created.headers["location"]
    user_id = location.rsplit("/", 1)[1]
    assert location.endswith(f"/admin/realms/sovereign/users/{user_id}")
    duplicate = admin.post("/users", json={"username": "temp-user"})
    assert duplicate.status_code == 409 and duplicate.json() == {"errorMessage": "User exists with same username"}
    assert admin.put(f"/users/{user_id}", json={"firstName": "Tem"}).status_code == 204
    assert admin.get(f"/users/{user_id}").json()["firstName"] == "Tem"
    assert admin.delete(f"/users/{user_id}").status_code == 204
    assert admin.get(f"/users/{user_id}").status_code == 404


def test_groups_tree_and_conflicts(admin: httpx.Client) -> None:
    top = admin.get("/groups").json()
    assert {group["path"] for group in top} == {"/acme", "/sovereign-admins", "/tiers"}
    tiers = next(group for group in top if group["name"] == "tiers")
    assert tiers["subGroupCount"] == 5
    children = admin.get(f"/groups/{tiers['id']}/children").json()
    assert [child["path"] for child in children] == [
        f"/tiers/{name}" for name in ("admin", "developer", "operator", "owner", "viewer")
    ]
    searched = admin.get("/groups", params={"search": "admins"}).json()
    assert {group["path"] for group in searched} == {"/acme", "/sovereign-admins"}
    assert searched[0]["subGroups"][0]["path"] == "/acme/admins"
    operator = admin.get("/group-by-path/tiers/operator").json()
    assert operator["realmRoles"] == ["catalyst-operator"]
    assert [member["username"] for member in admin.get(f"/groups/{operator['id']}/members").json()] == ["sre"]
    made = admin.post("/groups", json={"name": "platform"})
    assert made.status_code == 201 and "/groups/" in made.headers["location"]
    assert admin.post("/groups", json={"name": "platform"}).json() == {
        "errorMessage": "Top level group named 'platform' already exists."
    }
    group_id = made.headers["location"].rsplit("/", 1)[1]
    child = admin.post(f"/groups/{group_id}/children", json={"name": "oncall"})
    assert child.status_code == 201
    assert admin.post(f"/groups/{group_id}/children", json={"name": "oncall"}).status_code == 409
    assert admin.put(f"/groups/{group_id}", json={"name": "platform-team"}).status_code == 204
    assert admin.get("/group-by-path/platform-team/oncall").status_code == 200
    assert admin.delete(f"/groups/{group_id}").status_code == 204
    assert admin.get(f"/groups/{group_id}").status_code == 404


def test_group_membership_changes_the_next_token(idp, admin: httpx.Client, password_tokens) -> None:
    viewer = subject_of("viewer")
    operator = admin.get("/group-by-path/tiers/operator").json()
    assert admin.put(f"/users/{viewer}/groups/{operator['id']}").status_code == 204
    assert {group["path"] for group in admin.get(f"/users/{viewer}/groups").json()} == {
        "/tiers/operator",
        "/tiers/viewer",
    }
    response = httpx.get(
        f"{idp.issuer}/protocol/openid-connect/userinfo",
        headers={"Authorization": f"Bearer {password_tokens('viewer')['access_token']}"},
    )
    assert response.json()["tier"] == "operator"
    assert admin.delete(f"/users/{viewer}/groups/{operator['id']}").status_code == 204
    missing = admin.put(f"/users/{viewer}/groups/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"] == "Group not found"


def test_roles_and_role_mappings(admin: httpx.Client) -> None:
    names = [role["name"] for role in admin.get("/roles").json()]
    assert {"catalyst-viewer", "catalyst-owner", "default-roles-sovereign", "offline_access"} <= set(names)
    owner_role = admin.get("/roles/catalyst-owner").json()
    assert owner_role["composite"] is True and owner_role["attributes"] == {"tier-level": ["50"]}
    assert admin.get("/roles/nope").status_code == 404
    created = admin.post("/roles", json={"name": "auditor", "description": "Reads audit logs"})
    assert created.status_code == 201 and created.headers["location"].endswith("/roles/auditor")
    assert admin.post("/roles", json={"name": "auditor"}).status_code == 409
    auditor = admin.get("/roles/auditor").json()
    newcomer = subject_of("newcomer")
    wrong_id = admin.post(f"/users/{newcomer}/role-mappings/realm", json=[{"name": "auditor", "id": str(uuid.uuid4())}])
    assert wrong_id.status_code == 404 and wrong_id.json()["error"] == "Role not found"
    assert admin.post(f"/users/{newcomer}/role-mappings/realm", json=[auditor]).status_code == 204
    mapped = {role["name"] for role in admin.get(f"/users/{newcomer}/role-mappings/realm").json()}
    assert mapped == {"auditor", "default-roles-sovereign"}
    assert [user["username"] for user in admin.get("/roles/auditor/users").json()] == ["newcomer"]
    assert "realmMappings" in admin.get(f"/users/{newcomer}/role-mappings").json()
    assert admin.request("DELETE", f"/users/{newcomer}/role-mappings/realm", json=[auditor]).status_code == 204
    assert admin.get("/roles/auditor/users").json() == []


def test_clients_and_client_roles(admin: httpx.Client) -> None:
    console = admin.get("/clients", params={"clientId": "sovereign-console"}).json()
    assert len(console) == 1 and console[0]["serviceAccountsEnabled"] is True and console[0]["publicClient"] is False
    assert "secret" not in console[0]
    management = admin.get("/clients", params={"clientId": "realm-management"}).json()[0]
    assert admin.get(f"/clients/{management['id']}").json()["clientId"] == "realm-management"
    roles = {role["name"] for role in admin.get(f"/clients/{management['id']}/roles").json()}
    assert {"view-users", "manage-users", "realm-admin"} <= roles
    assert admin.get(f"/clients/{uuid.uuid4()}/roles").status_code == 404
