"""Helpers of the grant tests: people to act as (impersonated, as the console acts for them), fresh users,
and a kubectl-like reader of UserAccess grants."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from sovereign_sandbox.world.people import subject_of

from console.identity.claims import identity_from_claims
from console.kube.api import ActingAs, KubeApi
from console.rbac.grants import Grantee, grant_path, grants_path

NAMESPACE = "catalyst-system"
SOVEREIGN = "omantel.openova.cloud"


@dataclass(frozen=True)
class Acting:
    api: KubeApi
    actor: str  # the Kubernetes user name audits record


def person(kube_api: KubeApi, username: str, tier: str, groups: list[str]) -> Acting:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return Acting(
        kube_api.as_person(ActingAs(user=identity.kube_user, groups=identity.kube_groups)), identity.kube_user
    )


def someone() -> Grantee:
    """A user no other test touches (the module's sandbox is shared by its tests)."""
    tag = uuid.uuid4().hex[:8]
    return Grantee(str(uuid.uuid4()), f"tester-{tag}@example.org")


async def grants_of(cluster_http: httpx.AsyncClient, subject: str) -> list[dict]:
    listed = (await cluster_http.get(grants_path(NAMESPACE))).json()
    return [item for item in listed["items"] if item["spec"]["user"].get("keycloakSubject") == subject]


async def grant_named(cluster_http: httpx.AsyncClient, name: str) -> httpx.Response:
    return await cluster_http.get(grant_path(NAMESPACE, name))
