""" "Who can <verb> <resource> in <namespace>?": the subjects the cluster's RBAC allows, the Keycloak people
behind them, and each person confirmed by a SubjectAccessReview.

The subjects come from the RBAC objects (`RbacIndex`); people come from Keycloak: a User `oidc:<sub>` is
that Keycloak user, a Group `oidc:<path>` its direct members (the API server sees a person's direct group
paths only: Keycloak's groups claim does not carry parent groups, so members of subgroups are not
members), `system:authenticated` everyone. The review then asks the API server itself, as that person
with their groups, so what the page shows is what the cluster would decide.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from console.kube.access import AccessQuestion
from console.kube.api import JsonObject, KubeApi, KubeApiError
from console.rbac.keycloak_admin import KcUser, KeycloakAdmin, KeycloakAdminError
from console.rbac.rbac_index import RbacIndex, WhoCanGrant, WhoCanSubject
from console.rbac.useraccess import SUBJECT_PREFIX

__all__ = [
    "AUTHENTICATED",
    "ConfirmFn",
    "WhoCanAnswer",
    "WhoCanGrant",
    "WhoCanPerson",
    "WhoCanSubject",
    "load_index",
    "review_confirmer",
    "who_can",
]

AUTHENTICATED = "system:authenticated"  # every signed-in person is in it
_RBAC = "/apis/rbac.authorization.k8s.io/v1"
_REVIEWS_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
_AT_ONCE = 8  # concurrent Keycloak reads, and concurrent reviews
_LIST_PAGE = 500
_Result = TypeVar("_Result")

# Asks the API server whether (user, groups) may do what the question asks.
ConfirmFn = Callable[[str, tuple[str, ...], AccessQuestion], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class WhoCanPerson:
    """A person who can, and the subjects through which."""

    user_name: str  # what the API server calls them: `oidc:<sub>`, or the name of a user subject
    user: KcUser | None  # None: a user subject Keycloak does not know (a static token's user, a typo)
    subjects: tuple[WhoCanSubject, ...]  # their user subject and/or the groups they are in
    groups: tuple[str, ...] = ()  # their Keycloak group paths, as their token's groups claim carries them
    confirmed: bool | None = None  # the SubjectAccessReview's answer; None: not asked, or it failed

    @property
    def display(self) -> str:
        return self.user.display if self.user else self.user_name

    @property
    def grants(self) -> tuple[WhoCanGrant, ...]:
        return tuple(sorted({grant for subject in self.subjects for grant in subject.grants}))

    def review_groups(self) -> tuple[str, ...]:
        """The groups the API server would see for them: their Keycloak groups prefixed, and everyone's."""
        return (*(SUBJECT_PREFIX + path for path in self.groups), AUTHENTICATED)


@dataclass(frozen=True, slots=True)
class WhoCanAnswer:
    verb: str
    group: str
    resource: str
    subresource: str
    namespace: str  # "": a cluster-wide request
    name: str
    subjects: tuple[WhoCanSubject, ...]
    people: tuple[WhoCanPerson, ...]
    incomplete: str = ""  # why people may be missing or unconfirmed (Keycloak unreachable, reviews failed)

    @property
    def question(self) -> AccessQuestion:
        return AccessQuestion(self.verb, self.resource, self.group, self.namespace, self.name, self.subresource)


@dataclass
class _Gathering:
    """People as they are found, by user name, with the subjects that led to each."""

    users: dict[str, KcUser | None] = field(default_factory=dict)
    subjects: dict[str, list[WhoCanSubject]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, user_name: str, user: KcUser | None, subject: WhoCanSubject) -> None:
        if user is not None or user_name not in self.users:
            self.users[user_name] = user
        found = self.subjects.setdefault(user_name, [])
        if subject not in found:
            found.append(subject)


async def _bounded(calls: Iterable[Awaitable[_Result]], limit: asyncio.Semaphore) -> list[_Result | Exception]:
    """Each call's result or its Keycloak/Kubernetes error, at most `limit` at a time."""

    async def run(call: Awaitable[_Result]) -> _Result | Exception:
        async with limit:
            try:
                return await call
            except (KeycloakAdminError, KubeApiError) as error:
                return error

    return list(await asyncio.gather(*(run(call) for call in calls)))


async def _expand(subjects: Iterable[WhoCanSubject], keycloak: KeycloakAdmin | None) -> _Gathering:
    """Who is behind each User and Group subject; service accounts and non-Keycloak groups stay subjects."""
    gathering = _Gathering()
    users = [subject for subject in subjects if subject.kind == "User"]
    groups = [subject for subject in subjects if subject.kind == "Group"]
    if keycloak is None:
        for subject in users:
            gathering.add(subject.name, None, subject)
        return gathering
    limit = asyncio.Semaphore(_AT_ONCE)

    async def lookup(subject: WhoCanSubject) -> KcUser | None:
        if not subject.name.startswith(SUBJECT_PREFIX):
            return None
        try:
            return await keycloak.get_user(subject.name.removeprefix(SUBJECT_PREFIX))
        except KeycloakAdminError as error:
            if error.status == 404:
                return None  # not a Keycloak id: kept as the raw user it is
            raise

    async def members(subject: WhoCanSubject) -> list[KcUser]:
        if subject.name == AUTHENTICATED:
            return await keycloak.all_users()
        if not subject.name.startswith(SUBJECT_PREFIX):
            return []
        group = await keycloak.group_by_path(subject.name.removeprefix(SUBJECT_PREFIX))
        return await keycloak.group_members(group.id) if group else []

    found_users = await _bounded((lookup(subject) for subject in users), limit)
    for subject, user in zip(users, found_users, strict=True):
        if isinstance(user, Exception):
            gathering.problems.append(str(user))
            user = None
        gathering.add(SUBJECT_PREFIX + user.id if user else subject.name, user, subject)
    found_members = await _bounded((members(subject) for subject in groups), limit)
    for subject, group_members in zip(groups, found_members, strict=True):
        if isinstance(group_members, Exception):
            gathering.problems.append(str(group_members))
            continue
        for member in group_members:
            gathering.add(SUBJECT_PREFIX + member.id, member, subject)
    return gathering


async def _people(gathering: _Gathering, keycloak: KeycloakAdmin | None) -> list[WhoCanPerson]:
    """The gathered people with their Keycloak group paths (what a review of them must carry)."""
    names = list(gathering.users)
    limit = asyncio.Semaphore(_AT_ONCE)

    async def group_paths(user: KcUser | None) -> tuple[str, ...]:
        if user is None or keycloak is None:
            return ()
        return tuple(sorted(group.path for group in await keycloak.user_groups(user.id)))

    paths = await _bounded((group_paths(gathering.users[name]) for name in names), limit)
    people = []
    for name, groups in zip(names, paths, strict=True):
        if isinstance(groups, Exception):
            gathering.problems.append(str(groups))
            groups = ()
        people.append(WhoCanPerson(name, gathering.users[name], tuple(gathering.subjects[name]), groups))
    return sorted(people, key=lambda person: (person.user is None, person.display.lower(), person.user_name))


async def _confirmed(
    people: list[WhoCanPerson], question: AccessQuestion, confirm: ConfirmFn
) -> tuple[list[WhoCanPerson], str]:
    answers = await _bounded(
        (confirm(person.user_name, person.review_groups(), question) for person in people), asyncio.Semaphore(_AT_ONCE)
    )
    failures = [str(answer) for answer in answers if isinstance(answer, Exception)]
    confirmed = [
        replace(person, confirmed=None if isinstance(answer, Exception) else bool(answer))
        for person, answer in zip(people, answers, strict=True)
    ]
    problem = f"{len(failures)} access review(s) failed: {failures[0]}" if failures else ""
    return confirmed, problem


async def who_can(
    index: RbacIndex,
    verb: str,
    group: str,
    resource: str,
    namespace: str,
    *,
    subresource: str = "",
    name: str = "",
    keycloak: KeycloakAdmin | None = None,
    confirm: ConfirmFn | None = None,
) -> WhoCanAnswer:
    """Who can do it: the subjects RBAC allows, the people behind them and, with `confirm`, the API
    server's own answer per person.

    Args:
        index: the cluster's RBAC objects (`load_index`).
        verb, group, resource: the request, e.g. "create", "", "pods".
        namespace: where; "" asks about a cluster-wide request.
        subresource: e.g. "exec" for pods/exec.
        name: one object's name (rules limited to resourceNames allow only named requests).
        keycloak: expands `oidc:` subjects into people; None leaves user subjects as they are.
        confirm: asks the API server per person (`review_confirmer`); None skips the reviews.

    Returns:
        The answer; `incomplete` says why people may be missing or unconfirmed. Never raises for Keycloak
        or review failures.
    """
    subjects = index.subjects_that_can(verb, group, resource, namespace, subresource=subresource, name=name)
    gathering = await _expand(subjects, keycloak)
    people = await _people(gathering, keycloak)
    question = AccessQuestion(verb, resource, group, namespace, name, subresource)
    problems = [f"people may be missing: {gathering.problems[0]}"] if gathering.problems else []
    if confirm is not None:
        people, problem = await _confirmed(people, question, confirm)
        problems += [problem] if problem else []
    incomplete = "; ".join(problems)
    return WhoCanAnswer(verb, group, resource, subresource, namespace, name, tuple(subjects), tuple(people), incomplete)


def review_confirmer(api: KubeApi) -> ConfirmFn:
    """A ConfirmFn making SubjectAccessReviews with `api` (the console's own identity, which may create them)."""

    async def confirm(user: str, groups: tuple[str, ...], question: AccessQuestion) -> bool:
        spec = question.review()["spec"] | {"user": user, "groups": list(groups)}
        body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}
        answer = await api.post(_REVIEWS_PATH, body)
        return bool((answer.get("status") or {}).get("allowed"))

    return confirm


async def _list_all(api: KubeApi, plural: str) -> list[JsonObject]:
    items: list[JsonObject] = []
    query: dict[str, Any] = {"limit": _LIST_PAGE}
    while True:
        page = await api.get(f"{_RBAC}/{plural}", query)
        items += [item for item in page.get("items") or () if isinstance(item, dict)]
        token = (page.get("metadata") or {}).get("continue")
        if not token:
            return items
        query = {"limit": _LIST_PAGE, "continue": token}


async def load_index(api: KubeApi) -> RbacIndex:
    """The index of the cluster's RBAC objects, listed with `api` (the console's identity reads them all).

    Raises:
        KubeApiError: a list failed.
    """
    cluster_roles, roles, cluster_bindings, bindings = await asyncio.gather(
        _list_all(api, "clusterroles"),
        _list_all(api, "roles"),
        _list_all(api, "clusterrolebindings"),
        _list_all(api, "rolebindings"),
    )
    return RbacIndex.from_objects(cluster_roles, roles, cluster_bindings, bindings)
