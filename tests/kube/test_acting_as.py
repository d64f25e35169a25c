"""Calls made for a person carry that person's authority: the console's service account impersonates them."""

from __future__ import annotations

import pytest
from sovereign_sandbox.world.people import subject_of

from console.identity.claims import identity_from_claims
from console.kube.access import AccessReviews, visible_objects
from console.kube.api import ActingAs, KubeApi, KubeApiError, ResourcePath
from console.kube.objects import name_of

pytestmark = pytest.mark.sandbox

NAMESPACES = ResourcePath("", "v1", "namespaces")


def _person(username: str, tier: str | None, groups: list[str]) -> ActingAs:
    identity = identity_from_claims(
        {"sub": subject_of(username), "preferred_username": username, "tier": tier, "groups": groups}
    )
    return ActingAs(user=identity.kube_user, groups=identity.kube_groups)


VIEWER = _person("viewer", "viewer", ["/tiers/viewer"])
DEVELOPER = _person("developer", "developer", ["/tiers/developer"])
NEWCOMER = _person("newcomer", None, [])


async def test_a_viewer_may_read_but_not_create_a_pod(kube_api: KubeApi):
    viewer = kube_api.as_person(VIEWER)
    pods = await viewer.get("/api/v1/namespaces/acme-prod-wordpress/pods")
    assert pods["items"]
    with pytest.raises(KubeApiError) as denied:
        await viewer.post(
            "/api/v1/namespaces/acme-prod-wordpress/pods",
            {"metadata": {"name": "sneaky"}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}},
        )
    assert denied.value.status == 403
    assert f'User "{VIEWER.user}" cannot create resource "pods"' in denied.value.message


async def test_impersonated_groups_travel_as_separate_headers(kube_api: KubeApi):
    """Two groups must reach the API server as two groups (a comma-joined header would be one)."""
    review = await kube_api.as_person(_person("owner", "owner", ["/tiers/owner", "/sovereign-admins"])).post(
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
    )
    groups = review["status"]["userInfo"]["groups"]
    assert {"oidc:/tiers/owner", "oidc:/sovereign-admins", "system:authenticated"} <= set(groups)


async def test_namespaces_are_filtered_to_what_each_person_may_see(kube_api: KubeApi):
    everything = (await kube_api.get("/api/v1/namespaces"))["items"]
    reviews = AccessReviews()

    async def visible_to(person: ActingAs) -> set[str]:
        objects = await visible_objects(reviews, kube_api.as_person(person), person.user, NAMESPACES, False, everything)
        return {name_of(obj) for obj in objects}

    assert await visible_to(VIEWER) == {name_of(obj) for obj in everything}
    assert await visible_to(DEVELOPER) == {"acme-dev-wordpress", "acme-dev-billing"}
    assert await visible_to(NEWCOMER) == set()


async def test_a_viewer_bound_in_one_namespace_sees_only_it(kube_api: KubeApi, cluster_http):
    """Reads served from the shared cache are filtered per person: here, to the one namespace granted."""
    granted = "acme-prod-billing"
    binding = {
        "metadata": {"name": "limited-viewer", "namespace": granted},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "openova:tier-viewer"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "oidc:limited-viewer"}],
    }
    response = await cluster_http.post(
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{granted}/rolebindings", json=binding
    )
    assert response.status_code == 201
    limited = ActingAs(user="oidc:limited-viewer", groups=("system:authenticated",))
    reviews = AccessReviews()
    pods = (await kube_api.get("/api/v1/pods"))["items"]
    namespaces = (await kube_api.get("/api/v1/namespaces"))["items"]
    api = kube_api.as_person(limited)

    visible_pods = await visible_objects(reviews, api, limited.user, ResourcePath("", "v1", "pods"), True, pods)
    visible_namespaces = await visible_objects(reviews, api, limited.user, NAMESPACES, False, namespaces)

    assert visible_pods and {pod["metadata"]["namespace"] for pod in visible_pods} == {granted}
    assert {name_of(obj) for obj in visible_namespaces} == {granted}
