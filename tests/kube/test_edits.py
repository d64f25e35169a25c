"""YAML editing against the sandbox: what the editor shows, refused edits, dry-run, apply, conflicts, staleness."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
from sovereign_sandbox.world.people import subject_of

from console.database.runtime import open_database
from console.identity.claims import identity_from_claims
from console.kube.api import ActingAs, KubeApi
from console.kube.edits import (
    Applied,
    ApplyConflict,
    DryRunAccepted,
    EditRefused,
    Forbidden,
    Invalid,
    StaleObject,
    apply,
    diff,
    dry_run,
    editable_yaml,
    managed_by,
    parse_edit,
    unified_diff,
)
from console.kube.manifests import HIDDEN
from console.kube.registry import kind_for

NAMESPACE = "acme-dev-billing"
DEPLOYMENTS = kind_for("deployments")
SECRETS = kind_for("secrets")
NAMESPACES = kind_for("namespaces")


def _person(username: str, tier: str, groups: list[str]) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


ADMIN = _person("admin", "admin", ["/tiers/admin", "/sovereign-admins"])
VIEWER = _person("viewer", "viewer", ["/tiers/viewer"])


def _deployment(name: str, replicas: int = 1) -> dict:
    labels = {"app.kubernetes.io/name": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
            },
        },
    }


async def _create(cluster_http: httpx.AsyncClient, replicas: int = 1) -> dict:
    """A Deployment the console last applied (a plain POST would make its creator own every field)."""
    name = f"edit-{uuid.uuid4().hex[:8]}"
    response = await cluster_http.patch(
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}",
        params={"fieldManager": "sovereign-console"},
        headers={"Content-Type": "application/apply-patch+yaml"},
        json=_deployment(name, replicas),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _settled(cluster_http: httpx.AsyncClient, name: str) -> dict:
    """The object once the sandbox's deployment controller has stamped its revision (as an editor would load it)."""
    for _ in range(100):
        live = await _live(cluster_http, name)
        if "deployment.kubernetes.io/revision" in (live["metadata"].get("annotations") or {}):
            return live
        await asyncio.sleep(0.05)
    raise AssertionError("the deployment controller never picked the deployment up")


async def _live(cluster_http: httpx.AsyncClient, name: str) -> dict:
    response = await cluster_http.get(f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}")
    assert response.status_code == 200, response.text
    return response.json()


def _edited(obj: dict, replicas: int) -> dict:
    manifest = parse_edit(editable_yaml(obj), DEPLOYMENTS, NAMESPACE, obj["metadata"]["name"])
    manifest["spec"]["replicas"] = replicas
    return manifest


def test_editable_yaml_leaves_out_status_server_metadata_and_secret_values():
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "db",
            "namespace": "ns",
            "uid": "u-1",
            "resourceVersion": "42",
            "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "selfLink": "/api/v1/namespaces/ns/secrets/db",
            "managedFields": [{"manager": "kubectl"}],
            "labels": {"app": "db"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"c2VjcmV0"}}'},
        },
        "data": {"password": "c2VjcmV0"},
        "status": {"phase": "x"},
    }

    text = editable_yaml(secret)

    for hidden in ("status", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields"):
        assert hidden not in text
    assert "last-applied-configuration" not in text and "c2VjcmV0" not in text
    assert HIDDEN in text and "app: db" in text and "name: db" in text
    assert secret["metadata"]["uid"] == "u-1"  # the caller's object is untouched


def test_managed_by_reads_the_flux_label_or_annotation():
    assert managed_by({"metadata": {"labels": {"app.kubernetes.io/managed-by": "flux"}}}) == "flux"
    assert managed_by({"metadata": {"annotations": {"catalyst.openova.io/managed-by": "flux"}}}) == "flux"
    assert managed_by({"metadata": {"labels": {"app.kubernetes.io/managed-by": "Helm"}}}) == "manual"
    assert managed_by({}) == "manual"


GOOD = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n"


def test_parse_edit_accepts_the_object_being_edited():
    manifest = parse_edit(GOOD, DEPLOYMENTS, "shop", "web")
    assert manifest["spec"]["replicas"] == 2


def test_parse_edit_fills_a_left_out_namespace_and_keeps_timestamps_as_text():
    text = GOOD.replace("  namespace: shop\n", "  annotations:\n    since: 2026-01-01\n")
    manifest = parse_edit(text, DEPLOYMENTS, "shop", "web")
    assert manifest["metadata"]["namespace"] == "shop"
    assert manifest["metadata"]["annotations"]["since"] == "2026-01-01"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The document is empty."),
        ("   \n# only a comment\n", "The document is empty."),
        ("x: " + "a" * (1024 * 1024), "larger than 1 MiB"),
        (GOOD + "---\n" + GOOD, "Only one document"),
        ("- a\n- b\n", "must be a mapping"),
        (GOOD.replace("apps/v1", "apps/v1beta1"), "apiVersion must stay apps/v1"),
        (GOOD.replace("kind: Deployment", "kind: StatefulSet"), "kind must stay Deployment"),
        (GOOD.replace("name: web", "name: other"), "metadata.name must stay web"),
        (GOOD.replace("namespace: shop", "namespace: elsewhere"), "metadata.namespace must stay shop"),
        ("apiVersion: apps/v1\nkind: Deployment\nspec: {}\n", "metadata is missing."),
    ],
)
def test_parse_edit_refuses(text: str, message: str):
    with pytest.raises(EditRefused) as refused:
        parse_edit(text, DEPLOYMENTS, "shop", "web")
    assert message in refused.value.message
    assert refused.value.line is None


def test_parse_edit_points_at_a_syntax_error():
    text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n   bad: [1, 2\n"
    with pytest.raises(EditRefused) as refused:
        parse_edit(text, DEPLOYMENTS, "shop", "web")
    assert refused.value.message.startswith(f"YAML syntax error at line {refused.value.line}, column ")
    assert (refused.value.line, refused.value.column) == (5, 7)  # the ":" after "bad"


def test_parse_edit_refuses_a_namespace_on_a_cluster_scoped_kind():
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: acme\n  namespace: acme\n"
    with pytest.raises(EditRefused, match="cluster-scoped"):
        parse_edit(text, NAMESPACES, "", "acme")


def test_diff_pairs_lines_side_by_side():
    rows = diff("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 5\nc: 3\nd: 4\n")
    assert [(row["left"], row["right"], row["change"]) for row in rows] == [
        ("a: 1", "a: 1", "equal"),
        ("b: 2", "b: 5", "changed"),
        ("c: 3", "c: 3", "equal"),
        ("", "d: 4", "added"),
    ]
    assert diff("a: 1\nb: 2\n", "a: 1\n")[-1] == {
        "left": "b: 2",
        "right": "",
        "change": "removed",
        "left_line": 2,
        "right_line": None,
    }
    assert "-b: 2\n+b: 5\n" in unified_diff("a: 1\nb: 2\n", "a: 1\nb: 5\n")


pytestmark_sandbox = pytest.mark.sandbox


@pytestmark_sandbox
async def test_dry_run_is_accepted_and_changes_nothing(kube_api: KubeApi, cluster_http):
    created = await _create(cluster_http)
    name = created["metadata"]["name"]

    result = await dry_run(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name, _edited(created, 4))

    assert isinstance(result, DryRunAccepted) and result.resource_version
    live = await _live(cluster_http, name)
    assert live["spec"] == created["spec"]  # (status moves on: the sandbox's controllers roll the pods out)


@pytestmark_sandbox
async def test_apply_changes_the_object_and_is_audited(kube_api: KubeApi, cluster_http, tmp_path: Path):
    name = (await _create(cluster_http))["metadata"]["name"]
    created = await _settled(cluster_http, name)
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    result = await apply(
        kube_api.as_person(ADMIN),
        DEPLOYMENTS,
        NAMESPACE,
        name,
        _edited(created, 3),
        expected_resource_version=created["metadata"]["resourceVersion"],
        loaded_yaml=editable_yaml(created),  # the rollout's status writes since then are not a change
        audit=audit,
        actor=ADMIN.user,
    )

    live = await _live(cluster_http, name)
    assert isinstance(result, Applied)
    assert int(created["metadata"]["resourceVersion"]) < int(result.resource_version)
    assert live["spec"]["replicas"] == 3
    assert "sovereign-console" in {entry["manager"] for entry in live["metadata"]["managedFields"]}
    [record] = await audit.recent()
    assert (record.actor, record.action, record.result) == (ADMIN.user, "apply", "ok")
    assert record.target == f"deployments.apps/{NAMESPACE}/{name}"


@pytestmark_sandbox
async def test_a_field_owned_by_another_manager_conflicts_until_forced(kube_api: KubeApi, cluster_http):
    created = await _create(cluster_http)
    name = created["metadata"]["name"]
    taken = await cluster_http.patch(
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}",
        params={"fieldManager": "kubectl", "force": "true"},
        headers={"Content-Type": "application/apply-patch+yaml"},
        content=f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n",
    )
    assert taken.status_code == 200, taken.text
    admin = kube_api.as_person(ADMIN)

    with pytest.raises(ApplyConflict) as conflict:
        await apply(admin, DEPLOYMENTS, NAMESPACE, name, _edited(taken.json(), 5))

    assert ("kubectl", ".spec.replicas") in conflict.value.managers
    assert conflict.value.message.startswith("Apply failed with 1 conflict")
    assert (await _live(cluster_http, name))["spec"]["replicas"] == 2

    await apply(admin, DEPLOYMENTS, NAMESPACE, name, _edited(taken.json(), 5), force=True)
    assert (await _live(cluster_http, name))["spec"]["replicas"] == 5


@pytestmark_sandbox
async def test_an_edit_of_a_since_changed_object_is_stale(kube_api: KubeApi, cluster_http):
    created = await _create(cluster_http)
    name = created["metadata"]["name"]
    loaded_version = created["metadata"]["resourceVersion"]
    changed = await cluster_http.patch(
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{name}",
        headers={"Content-Type": "application/merge-patch+json"},
        json={"metadata": {"labels": {"touched": "yes"}}},
    )
    assert changed.status_code == 200

    with pytest.raises(StaleObject) as stale:
        await apply(
            kube_api.as_person(ADMIN),
            DEPLOYMENTS,
            NAMESPACE,
            name,
            _edited(created, 7),
            expected_resource_version=loaded_version,
            loaded_yaml=editable_yaml(created),
        )

    assert stale.value.expected == loaded_version
    assert stale.value.live == changed.json()["metadata"]["resourceVersion"]
    assert "touched: 'yes'" in stale.value.live_yaml
    assert (await _live(cluster_http, name))["spec"]["replicas"] == 1


@pytestmark_sandbox
async def test_an_invalid_object_gets_the_servers_message(kube_api: KubeApi, cluster_http):
    created = await _create(cluster_http)
    name = created["metadata"]["name"]

    manifest = _edited(created, 1)
    manifest["spec"]["template"]["metadata"]["labels"] = {"app.kubernetes.io/name": "something-else"}

    with pytest.raises(Invalid) as invalid:
        await dry_run(kube_api.as_person(ADMIN), DEPLOYMENTS, NAMESPACE, name, manifest)

    assert invalid.value.message.startswith(f'Deployment.apps "{name}" is invalid: ')
    assert "`selector` does not match template `labels`" in invalid.value.message
    assert any(cause.get("field") == "spec.template.metadata.labels" for cause in invalid.value.causes)


@pytestmark_sandbox
async def test_a_viewers_apply_is_forbidden_by_the_api_server_and_audited(
    kube_api: KubeApi, cluster_http, tmp_path: Path
):
    created = await _create(cluster_http)
    name = created["metadata"]["name"]
    audit = (await open_database(f"sqlite:///{tmp_path}/console.db", install=False)).audit_log

    with pytest.raises(Forbidden) as forbidden:
        await apply(
            kube_api.as_person(VIEWER),
            DEPLOYMENTS,
            NAMESPACE,
            name,
            _edited(created, 2),
            audit=audit,
            actor=VIEWER.user,
        )

    assert f'User "{VIEWER.user}" cannot patch resource "deployments"' in forbidden.value.message
    [record] = await audit.recent()
    assert (record.result, record.detail) == ("denied", forbidden.value.message)
    assert (await _live(cluster_http, name))["spec"]["replicas"] == 1


@pytestmark_sandbox
async def test_a_secret_edited_with_hidden_values_keeps_its_data(kube_api: KubeApi, cluster_http):
    name = f"edit-{uuid.uuid4().hex[:8]}"
    created = await cluster_http.post(
        f"/api/v1/namespaces/{NAMESPACE}/secrets",
        json={"metadata": {"name": name}, "type": "Opaque", "data": {"password": "c2VjcmV0"}},
    )
    assert created.status_code == 201, created.text
    text = editable_yaml(created.json())
    assert "c2VjcmV0" not in text
    manifest = parse_edit(text, SECRETS, NAMESPACE, name)
    manifest["metadata"]["labels"] = {"edited": "yes"}

    await apply(kube_api.as_person(ADMIN), SECRETS, NAMESPACE, name, manifest)

    live = (await cluster_http.get(f"/api/v1/namespaces/{NAMESPACE}/secrets/{name}")).json()
    assert live["data"] == {"password": "c2VjcmV0"}
    assert live["metadata"]["labels"] == {"edited": "yes"}
