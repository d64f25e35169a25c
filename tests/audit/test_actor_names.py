"""Who is behind an audit actor: `oidc:<sub>` looked up in the sandbox IdP's Admin REST (as the console's
service account), once per subject for a while; other actors and unknown subjects stay raw."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sovereign_sandbox.idp import IdentityProvider
from sovereign_sandbox.world.people import subject_of

from console.audit.actors import ActorNames, matching_actors, subject_of_actor
from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError


@pytest.fixture(scope="module")
def idp() -> Iterator[IdentityProvider]:
    with IdentityProvider() as running:
        yield running


@pytest.fixture
async def keycloak(idp: IdentityProvider) -> AsyncIterator[KeycloakAdmin]:
    admin = KeycloakAdmin(idp.issuer, idp.console_client_id, idp.console_client_secret)
    yield admin
    await admin.aclose()


class CountedLookup:
    """The Keycloak lookup the audit page gives `ActorNames`, counting the subjects it was asked for."""

    def __init__(self, keycloak: KeycloakAdmin) -> None:
        self.keycloak = keycloak
        self.asked: list[str] = []

    async def __call__(self, subject: str) -> str | None:
        self.asked.append(subject)
        try:
            return (await self.keycloak.get_user(subject)).display
        except KeycloakAdminError as error:
            if error.status == 404:
                return None
            raise


async def test_a_keycloak_actor_is_shown_by_name_and_email_and_asked_for_once(keycloak: KeycloakAdmin):
    lookup = CountedLookup(keycloak)
    names = ActorNames(lookup)
    owner = f"oidc:{subject_of('owner')}"
    unknown = "oidc:00000000-0000-0000-0000-000000000000"

    first = await names.names([owner, unknown, "system:serviceaccount:catalyst-system:reconciler", owner])

    assert first[owner] == "Amira Al-Balushi <owner@omantel.openova.cloud>"
    assert first[unknown] == "" and first["system:serviceaccount:catalyst-system:reconciler"] == ""
    assert sorted(lookup.asked) == sorted([subject_of("owner"), "00000000-0000-0000-0000-000000000000"])

    again = await names.names([owner])
    assert again == {owner: first[owner]}
    assert len(lookup.asked) == 2  # kept: not asked again


async def test_a_failing_lookup_leaves_the_raw_actor(keycloak: KeycloakAdmin):
    async def unreachable(subject: str) -> str | None:
        raise KeycloakAdminError(0, "Keycloak is unreachable")

    assert await ActorNames(unreachable).names(["oidc:abc"]) == {"oidc:abc": ""}


def test_actors_match_by_raw_name_or_by_the_person_behind_them():
    actors = ["oidc:1111", "oidc:2222", "system:admin"]
    names = {"oidc:1111": "Amira Al-Balushi <owner@omantel.openova.cloud>", "oidc:2222": "Mei Tanaka <viewer@x>"}

    assert matching_actors("amira", actors, names) == ("oidc:1111",)
    assert matching_actors("VIEWER@", actors, names) == ("oidc:2222",)
    assert matching_actors("system:", actors, names) == ("system:admin",)
    assert matching_actors("oidc:", actors, names) == ("oidc:1111", "oidc:2222")
    assert matching_actors("nobody", actors, names) == ()
    assert subject_of_actor("oidc:1111") == "1111" and subject_of_actor("system:admin") == ""
