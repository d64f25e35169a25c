"""Access reviews at the wire: identical questions in flight share one request; the cache answers after that.

Requests are counted by a proxy in front of the sandbox's API server; the answers are the sandbox's own.
"""

from __future__ import annotations

import asyncio

import pytest
from cutting_proxy import CuttingProxy

from console.kube.access import AccessQuestion, AccessReviews, may_exec, review_access
from console.kube.api import ActingAs, KubeApi

pytestmark = pytest.mark.sandbox

REVIEWS = "selfsubjectaccessreviews"
RULES_REVIEWS = "selfsubjectrulesreviews"
# Any user name works: the sandbox's authorizer answers for whoever is impersonated (here: nothing granted).
JANE = ActingAs(user="oidc:jane", groups=("oidc:/tiers/viewer",))
JOE = ActingAs(user="oidc:joe", groups=("oidc:/tiers/viewer",))
LIST_PODS = AccessQuestion("list", "pods", namespace="default")


async def test_identical_reviews_in_flight_make_one_request(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    jane = api.as_person(JANE)
    expected, _ = await review_access(jane, LIST_PODS)  # the answer itself, uncached
    reviews = AccessReviews()
    before = proxy.count("POST", REVIEWS)

    answers = await asyncio.gather(*(reviews.allowed(jane, JANE.user, LIST_PODS) for _ in range(20)))

    assert proxy.count("POST", REVIEWS) == before + 1
    assert answers == [expected] * 20
    assert await reviews.allowed(jane, JANE.user, LIST_PODS) == expected  # from the 60 s cache
    assert proxy.count("POST", REVIEWS) == before + 1


async def test_different_people_or_questions_are_asked_separately(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    reviews = AccessReviews()
    before = proxy.count("POST", REVIEWS)
    other_question = AccessQuestion("list", "pods", namespace="kube-system")
    await asyncio.gather(
        reviews.allowed(api.as_person(JANE), JANE.user, LIST_PODS),
        reviews.allowed(api.as_person(JANE), JANE.user, LIST_PODS),
        reviews.allowed(api.as_person(JANE), JANE.user, other_question),
        reviews.allowed(api.as_person(JOE), JOE.user, LIST_PODS),
    )
    assert proxy.count("POST", REVIEWS) == before + 3


async def test_an_asker_that_gives_up_does_not_cancel_the_shared_request(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    jane = api.as_person(JANE)
    reviews = AccessReviews()
    held = proxy.hold(REVIEWS)  # the review waits at the proxy while the first asker leaves
    before = proxy.count("POST", REVIEWS)
    leaving = asyncio.create_task(reviews.allowed(jane, JANE.user, LIST_PODS))
    staying = asyncio.create_task(reviews.allowed(jane, JANE.user, LIST_PODS))
    async with asyncio.timeout(5):
        await held.reached.wait()
    leaving.cancel()
    held.release()
    assert await staying in (True, False)
    assert leaving.cancelled()
    assert proxy.count("POST", REVIEWS) == before + 1


async def test_namespace_rules_reviews_in_flight_are_shared_too(proxied_api: tuple[KubeApi, CuttingProxy]):
    api, proxy = proxied_api
    jane = api.as_person(JANE)
    reviews = AccessReviews()
    before = proxy.count("POST", RULES_REVIEWS)
    namespaces = ["default", "kube-system"]
    results = await asyncio.gather(*(reviews.visible_namespaces(jane, JANE.user, namespaces) for _ in range(5)))
    assert all(result == results[0] for result in results)
    assert proxy.count("POST", RULES_REVIEWS) == before + len(namespaces)


async def test_a_shell_review_is_always_fresh(proxied_api: tuple[KubeApi, CuttingProxy]):
    """`may_exec` never answers from a cache: each call is its own review."""
    api, proxy = proxied_api
    jane = api.as_person(JANE)
    before = proxy.count("POST", REVIEWS)
    first = await may_exec(jane, "default", "web-0")
    second = await may_exec(jane, "default", "web-0")
    assert first == second and first[0] is False
    assert proxy.count("POST", REVIEWS) == before + 2
