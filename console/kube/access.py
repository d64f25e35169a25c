"""What a person may see: SelfSubjectAccessReviews made as that person, cached briefly.

The shared watch cache is filled as the console; everything served from it to a person passes here first.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.objects import name_of, namespace_of

T = TypeVar("T")

REVIEW_TTL_SECONDS = 60.0
_REVIEWS_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
_RULES_REVIEWS_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
# Every signed-in user may create reviews about themselves; that alone does not make a namespace theirs.
_SELF_REVIEW_GROUPS = frozenset({"authorization.k8s.io", "authentication.k8s.io"})
_READ_VERBS = frozenset({"get", "list", "watch", "*"})


@dataclass(frozen=True, slots=True)
class AccessQuestion:
    verb: str
    resource: str
    group: str = ""
    namespace: str = ""  # empty: cluster-wide
    name: str = ""
    subresource: str = ""

    def review(self) -> dict:
        attributes = {"verb": self.verb, "group": self.group, "resource": self.resource}
        for key in ("namespace", "name", "subresource"):
            if getattr(self, key):
                attributes[key] = getattr(self, key)
        return {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes},
        }


class AccessReviews:
    """Answers "may this person do X?" with the API server's own authorizer, cached ≤ 60 s per person."""

    def __init__(self, ttl_seconds: float = REVIEW_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._answers: dict[tuple[str, AccessQuestion], tuple[float, bool]] = {}
        self._namespace_reads: dict[tuple[str, str], tuple[float, bool]] = {}
        self._in_flight: dict[Hashable, asyncio.Future[bool]] = {}

    async def allowed(self, api: KubeApi, person: str, question: AccessQuestion) -> bool:
        """`api` must act as the person; `person` keys the cache (their Kubernetes user name).

        Identical questions asked while one is in flight share its request and its answer.
        """
        key = (person, question)
        cached = self._answers.get(key)
        if cached and cached[0] > self._clock():
            return cached[1]
        return await self._shared(("access", key), lambda: self._ask(api, key, question))

    async def _ask(self, api: KubeApi, key: tuple[str, AccessQuestion], question: AccessQuestion) -> bool:
        try:
            allowed, _ = await review_access(api, question)
        except KubeApiError:
            # No answer is no permission; the next look asks again rather than trusting a failure for a minute.
            return False
        now = self._clock()
        self._answers[key] = (now + self._ttl, allowed)
        if len(self._answers) > 50_000:
            self._forget_expired(now)
        return allowed

    async def _shared(self, key: Hashable, ask: Callable[[], Awaitable[bool]]) -> bool:
        """One request per identical question in flight: later askers await the first one's answer.

        The request runs as its own task, so an asker that gives up (a closed tab) does not cancel it for
        the others.
        """
        pending = self._in_flight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(ask())
            self._in_flight[key] = pending
            pending.add_done_callback(lambda _: self._in_flight.pop(key, None))
        return await asyncio.shield(pending)

    def _forget_expired(self, now: float) -> None:
        for key in [key for key, (expires, _) in self._answers.items() if expires <= now]:
            del self._answers[key]

    async def visible_namespaces(self, api: KubeApi, person: str, namespaces: Iterable[str]) -> set[str]:
        """The namespaces a person may see: all when they may list namespaces, else those they may read in.

        A person bound only inside some namespaces (a RoleBinding, e.g. a developer auto-scoped to
        `env-type=dev`) cannot list namespaces, yet must still find theirs: a SelfSubjectRulesReview per
        namespace tells whether they may read anything there.
        """
        names = list(namespaces)
        if await self.allowed(api, person, AccessQuestion("list", "namespaces")):
            return set(names)
        answers = await asyncio.gather(*(self._reads_in(api, person, name) for name in names))
        return {name for name, readable in zip(names, answers, strict=True) if readable}

    async def _reads_in(self, api: KubeApi, person: str, namespace: str) -> bool:
        key = (person, namespace)
        cached = self._namespace_reads.get(key)
        if cached and cached[0] > self._clock():
            return cached[1]
        return await self._shared(("rules", key), lambda: self._ask_rules(api, key))

    async def _ask_rules(self, api: KubeApi, key: tuple[str, str]) -> bool:
        try:
            answer = await api.post(
                _RULES_REVIEWS_PATH,
                {
                    "apiVersion": "authorization.k8s.io/v1",
                    "kind": "SelfSubjectRulesReview",
                    "spec": {"namespace": key[1]},
                },
            )
        except KubeApiError:
            return False
        rules = (answer.get("status") or {}).get("resourceRules") or []
        readable = any(
            _READ_VERBS & set(rule.get("verbs") or ()) and not set(rule.get("apiGroups") or ()) <= _SELF_REVIEW_GROUPS
            for rule in rules
        )
        self._namespace_reads[key] = (self._clock() + self._ttl, readable)
        return readable


async def review_access(api: KubeApi, question: AccessQuestion) -> tuple[bool, str]:
    """One SelfSubjectAccessReview as whoever `api` acts for, uncached: (allowed, the authorizer's reason).

    Raises:
        KubeApiError: the review itself failed.
    """
    answer = await api.post(_REVIEWS_PATH, question.review())
    status = answer.get("status") or {}
    return bool(status.get("allowed")), str(status.get("reason") or "")


async def may_exec(api: KubeApi, namespace: str, pod: str) -> tuple[bool, str]:
    """Whether the person `api` acts for may open a shell in the pod, and why not (the authorizer's words).

    Always a fresh review, never the cache: a shell is the most powerful thing the console offers.
    """
    question = AccessQuestion("create", "pods", namespace=namespace, name=pod, subresource="exec")
    try:
        return await review_access(api, question)
    except KubeApiError as error:
        return False, f"the access review failed: {error.message}"


async def visible_objects(
    reviews: AccessReviews,
    api: KubeApi,
    person: str,
    resource: ResourcePath,
    namespaced: bool,
    objects: list[JsonObject],
) -> list[JsonObject]:
    """The cached objects of one resource type this person may list, decided as the person."""
    return await visible_items(reviews, api, person, resource, namespaced, objects, name_of, namespace_of)


async def visible_items(
    reviews: AccessReviews,
    api: KubeApi,
    person: str,
    resource: ResourcePath,
    namespaced: bool,
    items: list[T],
    name: Callable[[T], str],
    namespace: Callable[[T], str],
) -> list[T]:
    """The items (objects, or rows rendered from them) of one resource type this person may list.

    Namespaces are their own case: a person bound inside a few namespaces still gets those.
    """
    if not resource.group and resource.plural == "namespaces":
        visible = await reviews.visible_namespaces(api, person, (name(item) for item in items))
        return [item for item in items if name(item) in visible]
    question = AccessQuestion("list", resource.plural, group=resource.group)
    if await reviews.allowed(api, person, question):
        return items
    if not namespaced:
        return []
    namespaces = sorted({namespace(item) for item in items})
    answers = await asyncio.gather(
        *(
            reviews.allowed(api, person, AccessQuestion("list", resource.plural, group=resource.group, namespace=ns))
            for ns in namespaces
        )
    )
    allowed = {ns for ns, ok in zip(namespaces, answers, strict=True) if ok}
    return [item for item in items if namespace(item) in allowed]
