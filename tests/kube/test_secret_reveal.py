"""Revealing a Secret's values: allowed for an admin, refused for a viewer, and audited both ways."""

from __future__ import annotations

import base64
import logging
import uuid
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.world.people import subject_of

from console.database.runtime import open_database
from console.identity.claims import identity_from_claims
from console.kube.access import AccessReviews
from console.kube.api import ActingAs, KubeApi
from console.kube.secrets import ACTION, RevealFailed, SecretValue, decode, may_reveal, reveal

NAMESPACE = "acme-dev-billing"
PASSWORD = "s3cr3t-Value-!"


def _person(username: str, tier: str, groups: list[str]) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


ADMIN = _person("admin", "admin", ["/tiers/admin", "/sovereign-admins"])
VIEWER = _person("viewer", "viewer", ["/tiers/viewer"])


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


async def _secret(cluster_http: httpx.AsyncClient) -> str:
    name = f"reveal-{uuid.uuid4().hex[:8]}"
    response = await cluster_http.post(
        f"/api/v1/namespaces/{NAMESPACE}/secrets",
        json={
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name},
            "data": {"password": _b64(PASSWORD.encode()), "username": _b64(b"billing"), "blob": _b64(b"\xff\xfe\x00")},
        },
    )
    assert response.status_code == 201, response.text
    return name


def test_values_are_decoded_and_binary_ones_described():
    assert decode({"b": _b64(b"two"), "a": _b64(b"one"), "c": _b64(b"\xff\x00"), "d": "%%%"}) == [
        SecretValue("a", "one"),
        SecretValue("b", "two"),
        SecretValue("c", "(binary, 2 bytes)", binary=True),
        SecretValue("d", "(not valid base64)", binary=True),
    ]
    assert decode(None) == []


@pytest.mark.sandbox
async def test_an_admin_may_reveal_and_the_read_is_audited_without_values(
    kube_api: KubeApi, cluster_http, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    name = await _secret(cluster_http)
    admin = kube_api.as_person(ADMIN)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    assert await may_reveal(admin, AccessReviews(), ADMIN.user, NAMESPACE, name)
    with caplog.at_level(logging.DEBUG):
        values = await reveal(admin, NAMESPACE, name, audit=audit, actor=ADMIN.user)

    assert {value.key: value.value for value in values} == {
        "blob": "(binary, 3 bytes)",
        "password": PASSWORD,
        "username": "billing",
    }
    [record] = await audit.recent()
    assert (record.actor, record.action, record.target, record.result) == (
        ADMIN.user,
        ACTION,
        f"secrets/{NAMESPACE}/{name}",
        "ok",
    )
    assert record.detail == "keys=blob,password,username"
    assert PASSWORD not in caplog.text and PASSWORD not in record.to_json()


@pytest.mark.sandbox
async def test_a_viewer_is_not_offered_reveal_and_a_forced_attempt_is_denied_and_audited(
    kube_api: KubeApi, cluster_http, tmp_path: Path
):
    name = await _secret(cluster_http)
    viewer = kube_api.as_person(VIEWER)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    assert not await may_reveal(viewer, AccessReviews(), VIEWER.user, NAMESPACE, name)
    with pytest.raises(RevealFailed) as refused:
        await reveal(viewer, NAMESPACE, name, audit=audit, actor=VIEWER.user)

    assert refused.value.denied
    assert PASSWORD not in refused.value.message
    [record] = await audit.recent()
    assert (record.actor, record.action, record.target, record.result) == (
        VIEWER.user,
        ACTION,
        f"secrets/{NAMESPACE}/{name}",
        "denied",
    )
