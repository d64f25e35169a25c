"""who_can against the sandbox world: the seeded RBAC over HTTP, people from its Keycloak, each confirmed by
the API server's own SubjectAccessReview."""

from __future__ import annotations

import socket

from sovereign_sandbox.servers import SandboxWorld
from sovereign_sandbox.world.people import PEOPLE, subject_of

from console.kube.access import AccessQuestion
from console.kube.api import KubeApi
from console.rbac.keycloak_admin import KeycloakAdmin
from console.rbac.rbac_index import WhoCanSubject
from console.rbac.scopes import matches
from console.rbac.tiers import tier_named
from console.rbac.useraccess import GROUP, PLURAL, VERSION, UserAccess
from console.rbac.who_can import WhoCanAnswer, load_index, review_confirmer, who_can

DEVELOPER = tier_named("developer")


async def _dev_wordpress_namespace(api: KubeApi) -> tuple[str, dict[str, str]]:
    listed = await api.get(
        "/api/v1/namespaces", {"labelSelector": "openova.io/application=wordpress,openova.io/env-type=dev"}
    )
    namespace = sorted(listed["items"], key=lambda item: item["metadata"]["name"])[0]
    return namespace["metadata"]["name"], namespace["metadata"]["labels"]


async def _exec_grants(api: KubeApi, labels: dict[str, str]) -> list[UserAccess]:
    """The seeded grants that reach the namespace with a tier that may open shells (developer and up)."""
    listed = await api.get(f"/apis/{GROUP}/{VERSION}/{PLURAL}")
    grants = [UserAccess.from_object(item) for item in listed["items"]]
    return [grant for grant in grants if grant.tier.level >= DEVELOPER.level and matches(labels, grant.scopes)]


def _subject_names(subjects: tuple[WhoCanSubject, ...], kind: str) -> set[str]:
    return {subject.name for subject in subjects if subject.kind == kind}


def _usernames(answer: WhoCanAnswer) -> set[str]:
    return {person.user.username for person in answer.people if person.user}


async def test_who_can_exec_in_a_dev_wordpress_namespace(console_api: KubeApi, keycloak: KeycloakAdmin) -> None:
    namespace, labels = await _dev_wordpress_namespace(console_api)
    grants = await _exec_grants(console_api, labels)
    # each seeded binding names its person as oidc:<sub> (what a Keycloak token makes them); grants to groups
    # name oidc:<group path>; cluster-admin is bound to system:masters
    usernames = {grant.email.split("@")[0] for grant in grants}
    assert {"owner", "admin", "sre", "secops", "developer", "acme-admin"} == usernames  # the seed as documented

    index = await load_index(console_api)
    answer = await who_can(
        index,
        "create",
        "",
        "pods",
        namespace,
        subresource="exec",
        keycloak=keycloak,
        confirm=review_confirmer(console_api),
    )

    assert (answer.verb, answer.resource, answer.subresource, answer.namespace) == ("create", "pods", "exec", namespace)
    assert answer.incomplete == ""
    assert _subject_names(answer.subjects, "User") == {f"oidc:{grant.subject}" for grant in grants}
    assert _subject_names(answer.subjects, "Group") == {"system:masters"} | {
        f"oidc:{path}" for grant in grants for path in grant.groups
    }
    assert _subject_names(answer.subjects, "ServiceAccount") == set()  # the console's own only reads

    assert _usernames(answer) == usernames
    assert all(person.user is not None for person in answer.people)  # every subject is a Keycloak user
    assert all(person.confirmed is True for person in answer.people)

    people = {person.user.username: person for person in answer.people if person.user}
    acme = people["acme-admin"]
    assert acme.user_name == f"oidc:{subject_of('acme-admin')}"
    assert sorted(subject.kind for subject in acme.subjects) == ["Group", "User"]  # bound twice over
    assert "/acme/admins" in acme.groups and "/tiers/admin" in acme.groups
    owner_grants = {(grant.binding_kind, grant.role_name) for grant in people["owner"].grants}
    assert owner_grants == {("ClusterRoleBinding", "openova:tier-owner")}
    developer_grants = {(grant.binding_kind, grant.binding_namespace) for grant in people["developer"].grants}
    assert developer_grants == {("RoleBinding", namespace)}


async def test_the_review_denies_people_the_index_leaves_out(console_api: KubeApi) -> None:
    namespace, _ = await _dev_wordpress_namespace(console_api)
    confirm = review_confirmer(console_api)
    question = AccessQuestion("create", "pods", "", namespace, "", "exec")
    viewer = f"oidc:{subject_of('viewer')}"
    assert await confirm(viewer, ("oidc:/tiers/viewer", "system:authenticated"), question) is False
    assert await confirm(viewer, ("system:masters",), question) is True


async def test_a_group_grant_reaches_its_members(
    console_api: KubeApi, keycloak: KeycloakAdmin, world: SandboxWorld
) -> None:
    namespace = "catalyst-system"
    await console_api.post(
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "viewers-read-secrets"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "openova:tier-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "oidc:/tiers/viewer"}],
        },
    )
    index = await load_index(console_api)
    answer = await who_can(
        index, "get", "", "secrets", namespace, keycloak=keycloak, confirm=review_confirmer(console_api)
    )
    people = {person.user.username: person for person in answer.people if person.user}
    viewer = people["viewer"]
    assert [subject.name for subject in viewer.subjects] == ["oidc:/tiers/viewer"]
    assert viewer.confirmed is True  # the review carried their Keycloak groups
    assert [str(grant) for grant in viewer.grants] == [
        f"RoleBinding {namespace}/viewers-read-secrets → ClusterRole openova:tier-admin"
    ]
    assert "newcomer" not in people


async def test_everyone_signed_in_may_review_their_own_access(console_api: KubeApi, keycloak: KeycloakAdmin) -> None:
    index = await load_index(console_api)
    answer = await who_can(
        index,
        "create",
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "",
        keycloak=keycloak,
        confirm=review_confirmer(console_api),
    )
    assert "system:authenticated" in _subject_names(answer.subjects, "Group")
    assert _usernames(answer) == {person.username for person in PEOPLE}
    assert all(person.confirmed for person in answer.people)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_keycloak_leaves_subjects_and_says_so(console_api: KubeApi) -> None:
    namespace, _ = await _dev_wordpress_namespace(console_api)
    unreachable = KeycloakAdmin(f"http://127.0.0.1:{_closed_port()}/realms/sovereign", "sovereign-console", "x")
    index = await load_index(console_api)
    try:
        answer = await who_can(index, "create", "", "pods", namespace, subresource="exec", keycloak=unreachable)
    finally:
        await unreachable.aclose()
    assert answer.incomplete.startswith("people may be missing: Keycloak is unreachable at ")
    assert answer.subjects  # the cluster still answered
    assert answer.people and all(person.user is None and person.confirmed is None for person in answer.people)
    assert f"oidc:{subject_of('owner')}" in {person.user_name for person in answer.people}
