"""The grant reconciler against the sandbox (real RBAC, finalizers, watches): grants become bindings that the
API server honours, follow namespaces and go with their grant."""

from __future__ import annotations

import httpx
import pytest
from reconciler_harness import (
    GRANTS,
    Running,
    allowed,
    bindings_of,
    condition,
    create,
    eventually,
    grant_manifest,
    grant_object,
    namespace,
    reconciling,
    relabel,
)

from console.kube.api import KubeApi

pytestmark = pytest.mark.sandbox

RB, CRB = "RoleBinding", "ClusterRoleBinding"


async def _dev_namespaces(http: httpx.AsyncClient) -> set[tuple[str, str]]:
    answer = await http.get("/api/v1/namespaces", params={"labelSelector": "openova.io/env-type=dev"})
    return {(RB, item["metadata"]["name"]) for item in answer.json()["items"]}


async def test_a_scoped_grant_binds_exactly_the_matching_namespaces(
    running: Running, cluster_http: httpx.AsyncClient, kube_api: KubeApi
):
    await namespace(cluster_http, "alpha-prod", {"openova.io/application": "alpha", "openova.io/env-type": "prod"})
    await namespace(cluster_http, "alpha-dev", {"openova.io/application": "alpha", "openova.io/env-type": "dev"})
    await namespace(cluster_http, "beta-prod", {"openova.io/application": "beta", "openova.io/env-type": "prod"})
    await create(cluster_http, GRANTS, grant_manifest("scoped", "viewer", scopes={"openova.io/application": "alpha"}))

    async def converged() -> bool:
        grant = await grant_object(cluster_http, "scoped")
        return condition(grant, "BindingsReconciled").get("status") == "True"

    await eventually(converged, "the grant is reconciled", timeout=30)
    assert await bindings_of(cluster_http, "scoped") == {(RB, "alpha-prod"), (RB, "alpha-dev")}
    grant = await grant_object(cluster_http, "scoped")
    assert grant is not None and grant["status"]["observedGeneration"] == 1
    assert grant["status"]["bindings"] == [
        {"kind": RB, "namespace": "alpha-dev", "name": "useraccess-scoped-viewer"},
        {"kind": RB, "namespace": "alpha-prod", "name": "useraccess-scoped-viewer"},
    ]
    assert "access.openova.io/bindings" in grant["metadata"]["finalizers"]
    assert await allowed(kube_api, "oidc:sub-scoped", "list", "pods", "alpha-prod")
    assert not await allowed(kube_api, "oidc:sub-scoped", "list", "pods", "beta-prod")


async def test_an_unscoped_grant_is_one_cluster_role_binding(
    running: Running, cluster_http: httpx.AsyncClient, kube_api: KubeApi
):
    assert not await allowed(kube_api, "oidc:sub-everywhere", "list", "pods", "kube-system")
    await create(cluster_http, GRANTS, grant_manifest("everywhere", "viewer"))
    await eventually(lambda: allowed(kube_api, "oidc:sub-everywhere", "list", "pods", "kube-system"), "access")
    assert await bindings_of(cluster_http, "everywhere") == {(CRB, "")}
    assert not await allowed(kube_api, "oidc:sub-everywhere", "delete", "pods", "kube-system")  # a viewer


async def test_a_developer_grant_is_confined_to_dev_namespaces(
    running: Running, cluster_http: httpx.AsyncClient, kube_api: KubeApi
):
    await create(cluster_http, GRANTS, grant_manifest("dev-only", "developer"))

    async def injected() -> dict:
        return condition(await grant_object(cluster_http, "dev-only"), "EnforcedScopeApplied")

    applied = await eventually(injected, "the enforced scope is applied")
    assert (applied["status"], applied["reason"]) == ("True", "AutoInjected")
    assert applied["message"] == "merged enforced scope openova.io/env-type=dev"
    expected = await _dev_namespaces(cluster_http)
    assert expected and await eventually(
        lambda: _equal(bindings_of(cluster_http, "dev-only"), expected), "bindings in every dev namespace only"
    )
    assert await allowed(kube_api, "oidc:sub-dev-only", "create", "pods/exec", "acme-dev-wordpress")
    assert not await allowed(kube_api, "oidc:sub-dev-only", "create", "pods/exec", "acme-prod-wordpress")


async def _equal(found, expected) -> bool:
    return await found == expected


async def test_namespaces_entering_and_leaving_scope_gain_and_lose_bindings(
    running: Running, cluster_http: httpx.AsyncClient, kube_api: KubeApi
):
    await create(cluster_http, GRANTS, grant_manifest("mover", "operator", scopes={"openova.io/application": "gamma"}))
    await eventually(lambda: grant_object(cluster_http, "mover"), "the grant exists")
    await namespace(cluster_http, "gamma-one", {"openova.io/application": "gamma"})  # created after the grant
    await eventually(lambda: _equal(bindings_of(cluster_http, "mover"), {(RB, "gamma-one")}), "a binding in gamma-one")
    assert await allowed(kube_api, "oidc:sub-mover", "delete", "pods", "gamma-one")

    await relabel(cluster_http, "gamma-one", {"openova.io/application": "delta"})
    await eventually(lambda: _equal(bindings_of(cluster_http, "mover"), set()), "the binding goes with the label")
    assert not await allowed(kube_api, "oidc:sub-mover", "delete", "pods", "gamma-one")

    await relabel(cluster_http, "gamma-one", {"openova.io/application": "gamma"})
    await eventually(lambda: _equal(bindings_of(cluster_http, "mover"), {(RB, "gamma-one")}), "back with the label")


async def test_deleting_a_grant_removes_its_bindings_then_its_finalizer(
    running: Running, cluster_http: httpx.AsyncClient
):
    await create(cluster_http, GRANTS, grant_manifest("leaving", "viewer", scopes={"openova.io/organization": "acme"}))

    async def finalized_and_bound() -> bool:
        grant = await grant_object(cluster_http, "leaving")
        return bool(grant and grant["metadata"].get("finalizers") and await bindings_of(cluster_http, "leaving"))

    await eventually(finalized_and_bound, "finalizer and bindings in place")
    deleted = await cluster_http.delete(f"{GRANTS}/leaving")
    assert deleted.status_code == 200
    await eventually(lambda: _gone(cluster_http, "leaving"), "the grant is gone (its finalizer removed)")
    assert await bindings_of(cluster_http, "leaving") == set()


async def _gone(http: httpx.AsyncClient, name: str) -> bool:
    return await grant_object(http, name) is None


async def test_an_invalid_grant_binds_nothing_and_says_why(running: Running, cluster_http: httpx.AsyncClient):
    nobody = grant_manifest("nobody", "viewer")
    nobody["spec"]["user"] = {"email": "someone@example.org"}
    await create(cluster_http, GRANTS, nobody)

    async def reason() -> dict:
        return condition(await grant_object(cluster_http, "nobody"), "BindingsReconciled")

    said = await eventually(reason, "the grant says why it is not reconciled")
    assert said["status"] == "False" and said["reason"] == "InvalidSpec"
    assert said["message"] == "spec.user must set keycloakSubject and/or keycloakGroups"
    assert await bindings_of(cluster_http, "nobody") == set()


async def test_a_grant_made_invalid_loses_its_bindings(running: Running, cluster_http: httpx.AsyncClient):
    await create(cluster_http, GRANTS, grant_manifest("broken", "viewer"))
    await eventually(lambda: _equal(bindings_of(cluster_http, "broken"), {(CRB, "")}), "bound first")
    response = await cluster_http.patch(
        f"{GRANTS}/broken",
        json={"spec": {"sovereignRef": None}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200

    async def said() -> str:
        found = condition(await grant_object(cluster_http, "broken"), "BindingsReconciled")
        return found.get("message", "") if found.get("status") == "False" else ""

    assert await eventually(said, "the grant says why") == "spec.sovereignRef is required"
    assert await bindings_of(cluster_http, "broken") == set()
    grant = await grant_object(cluster_http, "broken")
    assert grant is not None and grant["status"]["bindings"] == [] and grant["status"]["observedGeneration"] == 2


async def test_a_tier_role_ref_naming_another_role_is_refused(running: Running, cluster_http: httpx.AsyncClient):
    sneaky = grant_manifest("sneaky", "viewer")
    sneaky["spec"]["tierRoleRef"] = "cluster-admin"
    await create(cluster_http, GRANTS, sneaky)

    async def said() -> str:
        return condition(await grant_object(cluster_http, "sneaky"), "BindingsReconciled").get("message", "")

    message = await eventually(said, "the grant says why")
    assert message == "spec.tierRoleRef cluster-admin does not match the tier viewer (openova:tier-viewer)"
    assert await bindings_of(cluster_http, "sneaky") == set()


async def test_a_changed_or_deleted_binding_is_put_back(running: Running, cluster_http: httpx.AsyncClient):
    await create(cluster_http, GRANTS, grant_manifest("steady", "viewer", scopes={"openova.io/application": "billing"}))
    await eventually(lambda: bindings_of(cluster_http, "steady"), "bound")
    path = "/apis/rbac.authorization.k8s.io/v1/namespaces/acme-prod-billing/rolebindings/useraccess-steady-viewer"
    intruder = {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:intruder"}
    binding = (await cluster_http.get(path)).json()
    binding["subjects"].append(intruder)
    assert (await cluster_http.put(path, json=binding)).status_code == 200

    async def restored() -> bool:
        answer = await cluster_http.get(path)
        return answer.status_code == 200 and intruder not in answer.json()["subjects"]

    await eventually(restored, "the intruder is removed from the binding")
    assert (await cluster_http.delete(path)).status_code == 200
    await eventually(restored, "the deleted binding is created again")


async def test_a_missing_tier_role_is_waited_for(running: Running, cluster_http: httpx.AsyncClient):
    path = "/apis/rbac.authorization.k8s.io/v1/clusterroles/openova:tier-operator"
    role = (await cluster_http.get(path)).json()
    assert (await cluster_http.delete(path)).status_code == 200
    try:
        await create(cluster_http, GRANTS, grant_manifest("waiting", "operator"))

        async def resolved() -> dict:
            return condition(await grant_object(cluster_http, "waiting"), "TierResolved")

        missing = await eventually(resolved, "the grant says the role is missing")
        assert (missing["status"], missing["reason"]) == ("False", "TierClusterRoleNotFound")
        assert await bindings_of(cluster_http, "waiting") == set()
    finally:
        for field in ("resourceVersion", "uid", "creationTimestamp"):
            role["metadata"].pop(field, None)
        await create(cluster_http, "/apis/rbac.authorization.k8s.io/v1/clusterroles", role)
    await eventually(lambda: _equal(bindings_of(cluster_http, "waiting"), {(CRB, "")}), "bound once the role is back")

    async def role_found() -> bool:  # the status is written after the bindings
        return condition(await grant_object(cluster_http, "waiting"), "TierResolved")["status"] == "True"

    await eventually(role_found, "the grant says the role resolved")


async def test_bindings_of_a_vanished_grant_go_but_another_controllers_stay(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
):
    def binding(name: str, managed_by: str) -> dict:
        return {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
                "name": name,
                "labels": {"app.kubernetes.io/managed-by": managed_by, "access.openova.io/useraccess": "vanished"},
            },
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "openova:tier-viewer"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:left-behind"}],
        }

    collection = "/apis/rbac.authorization.k8s.io/v1/namespaces/acme-prod-billing/rolebindings"
    await create(cluster_http, collection, binding("useraccess-vanished-viewer", "sovereign-console"))
    await create(cluster_http, collection, binding("someone-elses", "useraccess-controller"))
    async with reconciling(kube_api, resync_seconds=0.2) as started:
        stats = started.reconciler.stats

        async def only_theirs_left() -> bool:
            selector = {"labelSelector": "access.openova.io/useraccess=vanished"}
            found = await cluster_http.get(collection, params=selector)
            return [item["metadata"]["name"] for item in found.json()["items"]] == ["someone-elses"]

        await eventually(only_theirs_left, "our orphan is removed")
        passes = stats.passes
        grants = len((await cluster_http.get(GRANTS)).json()["items"])
        await eventually(_more_passes(stats, passes + grants), "a full resync later")
        assert await only_theirs_left()


def _more_passes(stats, at_least: int):
    async def probe() -> bool:
        return stats.passes >= at_least

    return probe
