"""The Keycloak side of grants, against a SandboxWorld (the Keycloak-compatible IdP and the cluster trusting
its tokens): a grant puts its user in `/tiers/<tier>`, so their next token carries the tier, and the API
server lets that token do what the tier allows; a revoked grant takes the membership away."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from reconciler_harness import GRANTS, condition, create, eventually, grant_manifest, grant_object, reconciling
from sovereign_sandbox.servers import SandboxWorld
from sovereign_sandbox.world.people import subject_of

from console.kube.api import KubeApi
from console.rbac.keycloak_admin import KeycloakAdmin
from console.settings import get_settings

pytestmark = pytest.mark.sandbox

NEWCOMER = subject_of("newcomer")  # a seeded realm user the seed grants nothing


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxWorld]:
    with SandboxWorld(kubeconfig_path=tmp_path_factory.mktemp("world") / "kubeconfig") as running:
        yield running


@pytest.fixture
async def world_api(world: SandboxWorld, tmp_path: Path) -> AsyncIterator[KubeApi]:
    kubeconfig = world.cluster.write_kubeconfig(tmp_path / "console", token=world.cluster.console_token)
    api = await KubeApi.connect(dataclasses.replace(get_settings(), kubeconfig=str(kubeconfig), kube_context=""))
    yield api
    await api.close()


@pytest.fixture
async def keycloak(world: SandboxWorld) -> AsyncIterator[KeycloakAdmin]:
    admin = KeycloakAdmin(world.idp.issuer, world.idp.console_client_id, world.idp.console_client_secret)
    yield admin
    await admin.aclose()


@pytest.fixture
async def http(world: SandboxWorld) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=world.cluster.http_url, timeout=10) as client:
        yield client


async def _groups(keycloak: KeycloakAdmin, user_id: str) -> set[str]:
    return {group.path for group in await keycloak.user_groups(user_id)}


async def _token(world: SandboxWorld, username: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{world.idp.issuer}/protocol/openid-connect/token",
            data={"grant_type": "password", "username": username, "password": world.idp.passwords[username]},
            auth=(world.idp.console_client_id, world.idp.console_client_secret),
        )
    return str(response.raise_for_status().json()["access_token"])


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def _may_list_pods(world: SandboxWorld, token: str, namespace: str) -> bool:
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "list", "resource": "pods", "namespace": namespace}},
    }
    async with httpx.AsyncClient(verify=str(world.cluster.ca_path)) as client:
        response = await client.post(
            f"{world.cluster.https_url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            json=review,
            headers={"Authorization": f"Bearer {token}"},
        )
    return bool(response.raise_for_status().json()["status"].get("allowed"))


async def test_a_grant_puts_its_user_in_the_tier_group_and_their_token_works(
    world: SandboxWorld, world_api: KubeApi, keycloak: KeycloakAdmin, http: httpx.AsyncClient
):
    assert "/tiers/viewer" not in await _groups(keycloak, NEWCOMER)
    assert not await _may_list_pods(world, await _token(world, "newcomer"), "kube-system")
    async with reconciling(world_api, keycloak=keycloak):
        await create(http, GRANTS, grant_manifest("newcomer", "viewer", subject=NEWCOMER))

        async def member() -> dict:
            return condition(await grant_object(http, "newcomer"), "KeycloakMembership")

        said = await eventually(member, "the grant reports the membership")
        assert said == {**said, "status": "True", "reason": "Member", "message": "member of /tiers/viewer"}
        assert "/tiers/viewer" in await _groups(keycloak, NEWCOMER)
        token = await _token(world, "newcomer")  # a fresh sign-in carries the tier
        assert "/tiers/viewer" in _claims(token).get("groups", [])
        assert await _may_list_pods(world, token, "kube-system")

        changed = await http.patch(
            f"{GRANTS}/newcomer",
            json={"metadata": {"labels": {"catalyst.openova.io/tier": "operator"}}, "spec": {"tier": "operator"}},
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert changed.status_code == 200
        moved = await eventually(
            lambda: _moved(keycloak, NEWCOMER, "/tiers/operator", "/tiers/viewer"), "the user moves to /tiers/operator"
        )
        assert moved

        assert (await http.delete(f"{GRANTS}/newcomer")).status_code == 200
        await eventually(lambda: _left(keycloak, NEWCOMER, "/tiers/operator"), "the user leaves /tiers/operator")
        await eventually(lambda: _gone(http, "newcomer"), "the grant is gone")


async def _moved(keycloak: KeycloakAdmin, user: str, into: str, out_of: str) -> bool:
    groups = await _groups(keycloak, user)
    return into in groups and out_of not in groups


async def _left(keycloak: KeycloakAdmin, user: str, group: str) -> bool:
    return group not in await _groups(keycloak, user)


async def _gone(http: httpx.AsyncClient, name: str) -> bool:
    return await grant_object(http, name) is None


async def test_a_user_keycloak_does_not_know_is_reported_and_still_bound(
    world_api: KubeApi, keycloak: KeycloakAdmin, http: httpx.AsyncClient
):
    async with reconciling(world_api, keycloak=keycloak):
        await create(http, GRANTS, grant_manifest("stranger", "viewer", subject="no-such-user"))

        async def reported() -> dict:
            found = condition(await grant_object(http, "stranger"), "KeycloakMembership")
            return found if found.get("status") == "False" else {}

        said = await eventually(reported, "the grant reports the Keycloak problem")
        assert said["reason"] == "KeycloakError" and "not found" in said["message"]
        grant = await grant_object(http, "stranger")
        assert condition(grant, "BindingsReconciled")["status"] == "True"
        assert grant is not None and grant["status"]["bindings"] == [
            {"kind": "ClusterRoleBinding", "name": "useraccess-stranger-viewer"}
        ]
