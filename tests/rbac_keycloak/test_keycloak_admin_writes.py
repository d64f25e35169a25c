"""KeycloakAdmin's writes against the sandbox IdP: groups created, renamed, deleted, joined and left.

The IdP is shared by the module, so each test works under a group of its own name.
"""

from __future__ import annotations

import pytest
from counted_keycloak import CountedAdmin
from sovereign_sandbox.world.people import subject_of

from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError


async def test_ensure_group_path_creates_missing_segments_and_is_idempotent(keycloak: KeycloakAdmin) -> None:
    assert await keycloak.group_by_path("/ensure-test") is None
    created = await keycloak.ensure_group_path("/ensure-test/team/developers")
    assert (created.name, created.path) == ("developers", "/ensure-test/team/developers")
    again = await keycloak.ensure_group_path("ensure-test/team/developers/")
    assert again.id == created.id
    team = await keycloak.ensure_group_path("/ensure-test/team")
    assert [child.id for child in await keycloak.group_children(team.id)] == [created.id]
    tiers = await keycloak.ensure_group_path("/tiers/developer")  # an existing path is only read
    assert tiers.path == "/tiers/developer"


async def test_create_rename_and_delete_a_subgroup(keycloak: KeycloakAdmin) -> None:
    parent = await keycloak.create_group("lifecycle-test")
    assert (parent.path, parent.sub_group_count) == ("/lifecycle-test", 0)
    child = await keycloak.create_group(" blue ", parent.id)
    assert (child.name, child.path) == ("blue", "/lifecycle-test/blue")
    await keycloak.rename_group(child.id, "green")
    assert await keycloak.group_by_path("/lifecycle-test/blue") is None
    renamed = await keycloak.group_by_path("/lifecycle-test/green")
    assert renamed is not None and renamed.id == child.id
    await keycloak.delete_group(parent.id)  # the whole branch goes
    assert await keycloak.group_by_path("/lifecycle-test") is None
    assert await keycloak.group_by_path("/lifecycle-test/green") is None


async def test_join_and_leave_a_group(keycloak: KeycloakAdmin) -> None:
    group = await keycloak.ensure_group_path("/membership-test/readers")
    newcomer = subject_of("newcomer")
    await keycloak.add_user_to_group(newcomer, group.id)
    await keycloak.add_user_to_group(newcomer, group.id)  # joining twice is fine, as in Keycloak
    assert [user.username for user in await keycloak.group_members(group.id)] == ["newcomer"]
    assert "/membership-test/readers" in [found.path for found in await keycloak.user_groups(newcomer)]
    await keycloak.remove_user_from_group(newcomer, group.id)
    assert await keycloak.group_members(group.id) == []
    assert "/membership-test/readers" not in [found.path for found in await keycloak.user_groups(newcomer)]


async def test_duplicates_answer_409_in_plain_words(keycloak: KeycloakAdmin) -> None:
    parent = await keycloak.ensure_group_path("/conflict-test")
    await keycloak.create_group("taken", parent.id)
    other = await keycloak.create_group("other", parent.id)
    with pytest.raises(KeycloakAdminError) as top_level:
        await keycloak.create_group("conflict-test")
    assert top_level.value.status == 409
    assert str(top_level.value) == "A top-level group named 'conflict-test' already exists in Keycloak"
    with pytest.raises(KeycloakAdminError) as renamed:
        await keycloak.rename_group(other.id, "taken")
    assert (renamed.value.status, str(renamed.value)) == (
        409,
        "A sibling group named 'taken' already exists in Keycloak",
    )


async def test_unknown_ids_answer_404_in_plain_words(keycloak: KeycloakAdmin) -> None:
    with pytest.raises(KeycloakAdminError) as user:
        await keycloak.get_user("no-such-user")
    assert (user.value.status, str(user.value)) == (404, "User no-such-user not found in Keycloak")
    with pytest.raises(KeycloakAdminError) as group:
        await keycloak.delete_group("no-such-group")
    assert (group.value.status, str(group.value)) == (404, "Group no-such-group not found in Keycloak")
    with pytest.raises(KeycloakAdminError) as parent:
        await keycloak.create_group("orphan", "no-such-parent")
    assert (parent.value.status, str(parent.value)) == (404, "Parent group no-such-parent not found in Keycloak")
    with pytest.raises(KeycloakAdminError) as role:
        await keycloak.role_users("no-such-role")
    assert str(role.value) == "Realm role no-such-role not found in Keycloak"


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "a group name is required"), ("   ", "a group name is required"), ("a/b", "cannot contain '/'")],
)
async def test_bad_group_names_are_refused_before_any_request(counted: CountedAdmin, name: str, message: str) -> None:
    with pytest.raises(KeycloakAdminError, match=message) as create:
        await counted.admin.create_group(name)
    with pytest.raises(KeycloakAdminError, match=message):
        await counted.admin.rename_group("some-id", name)
    assert create.value.status == 400
    assert sum(counted.paths.values()) == 0


@pytest.mark.parametrize("path", ["", "/", "/tiers//developer"])
async def test_bad_group_paths_are_refused_before_any_request(counted: CountedAdmin, path: str) -> None:
    with pytest.raises(KeycloakAdminError, match="a group path looks like /tiers/developer"):
        await counted.admin.ensure_group_path(path)
    assert sum(counted.paths.values()) == 0
