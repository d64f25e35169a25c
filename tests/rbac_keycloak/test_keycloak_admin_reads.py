"""KeycloakAdmin's reads against the sandbox IdP: users, paging, the group tree, roles, clients."""

from __future__ import annotations

from counted_keycloak import CountedAdmin, counted_admin
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.world.people import PEOPLE, subject_of

from console.rbac.keycloak_admin import KcUser, KeycloakAdmin
from console.rbac.tiers import TIERS

USERNAMES = sorted(person.username for person in PEOPLE)


async def test_search_finds_a_person_by_prefix_of_username_or_email(keycloak: KeycloakAdmin) -> None:
    found = await keycloak.search_users("acme")
    assert [user.username for user in found] == ["acme-admin"]
    (ana,) = found
    assert ana.id == subject_of("acme-admin")
    assert (ana.first_name, ana.last_name, ana.enabled) == ("Ana", "Costa", True)
    assert ana.display == f"Ana Costa <{ana.email}>"
    assert ana.email.startswith("acme-admin@")


async def test_search_pages_with_first_and_max(keycloak: KeycloakAdmin) -> None:
    everyone = await keycloak.search_users("*", max_results=100)
    assert [user.username for user in everyone] == USERNAMES
    second_page = await keycloak.search_users("*", first=2, max_results=2)
    assert second_page == everyone[2:4]


async def test_all_users_pages_until_a_short_page(idp: IdentityProvider) -> None:
    counted = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret, page_size=2)
    try:
        users = await counted.admin.all_users()
    finally:
        await counted.aclose()
    assert [user.username for user in users] == USERNAMES  # the service account is not a person
    assert counted.paths["/admin/realms/sovereign/users"] == len(USERNAMES) // 2 + 1  # the last page is empty


async def test_get_user_and_their_groups(keycloak: KeycloakAdmin) -> None:
    user = await keycloak.get_user(subject_of("owner"))
    assert user.username == "owner"
    groups = await keycloak.user_groups(user.id)
    assert sorted(group.path for group in groups) == ["/sovereign-admins", "/tiers/owner"]


async def test_the_group_tree_fills_subgroups_all_the_way_down(counted: CountedAdmin) -> None:
    tree = await counted.admin.group_tree()
    top = {group.path: group for group in tree}
    assert {"/tiers", "/sovereign-admins", "/acme"} <= set(top)
    tiers = top["/tiers"]
    assert sorted(child.path for child in tiers.sub_groups) == sorted(tier.group_path for tier in TIERS)
    assert tiers.sub_group_count == len(TIERS)
    assert [child.path for child in top["/acme"].sub_groups] == ["/acme/admins"]
    # Keycloak 23+ sends only subGroupCount on /groups: children came from /groups/{id}/children
    assert counted.paths[f"/admin/realms/sovereign/groups/{tiers.id}/children"] == 1


async def test_group_by_path_and_its_members(keycloak: KeycloakAdmin) -> None:
    admins = await keycloak.group_by_path("/acme/admins")
    assert admins is not None and admins.name == "admins" and admins.path == "/acme/admins"
    assert [user.username for user in await keycloak.group_members(admins.id)] == ["acme-admin"]
    assert await keycloak.group_by_path("/acme/nobody") is None
    assert await keycloak.group_by_path("no-such-top") is None


async def test_members_are_paged(idp: IdentityProvider) -> None:
    counted = counted_admin(idp.issuer, idp.console_client_id, idp.console_client_secret, page_size=1)
    try:
        group = await counted.admin.group_by_path("/sovereign-admins")
        assert group is not None
        members = await counted.admin.group_members(group.id)
    finally:
        await counted.aclose()
    assert [user.username for user in members] == ["admin", "owner"]
    assert counted.paths[f"/admin/realms/sovereign/groups/{group.id}/members"] == 3


async def test_realm_roles_carry_the_tier_chain(keycloak: KeycloakAdmin) -> None:
    roles = {role.name: role for role in await keycloak.realm_roles()}
    for tier in TIERS:
        role = roles[tier.realm_role]
        assert role.attributes["tier-level"] == (str(tier.level),)
        assert not role.client_role and role.container_id
        assert role.composite == (tier.name != "viewer")  # each tier contains the one below


async def test_role_users_are_direct_holders_and_role_holders_follow_groups(keycloak: KeycloakAdmin) -> None:
    assert await keycloak.role_users("catalyst-owner") == []  # the seed maps tier roles to /tiers/<tier> only
    assert [group.path for group in await keycloak.role_groups("catalyst-owner")] == ["/tiers/owner"]
    assert [user.username for user in await keycloak.role_holders("catalyst-owner")] == ["owner"]
    assert [user.username for user in await keycloak.role_holders("catalyst-admin")] == [
        "acme-admin",
        "admin",
        "secops",
    ]
    everyone = await keycloak.role_users("default-roles-sovereign")  # mapped to every user directly
    assert {user.username for user in everyone} >= set(USERNAMES)
    assert all(isinstance(user, KcUser) for user in everyone)


async def test_clients_and_client_roles(keycloak: KeycloakAdmin) -> None:
    clients = {client.client_id: client for client in await keycloak.clients()}
    assert {"sovereign-console", "realm-management", "account"} <= set(clients)
    assert clients["sovereign-console"].name == "Sovereign Console"
    management = await keycloak.client_roles(clients["realm-management"].id)
    names = {role.name for role in management}
    assert {"view-users", "manage-users", "query-groups", "view-realm", "realm-admin"} <= names
    assert all(role.client_role and role.container_id == clients["realm-management"].id for role in management)
