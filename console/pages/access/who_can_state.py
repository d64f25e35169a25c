"""`/rbac/who-can`: "who can <verb> <resource> in <namespace>?", "what can this person do here?", and, for
everyone, "what can I do here?".

Answers come from `console.rbac.who_can` (the cluster's RBAC objects read as the console, people from Keycloak,
each confirmed by a SubjectAccessReview) and `console.rbac.person_rules` (a SelfSubjectRulesReview made as the
person, by impersonation). Asking about others is for admins and owners; one's own matrix is for everyone.
"""

from __future__ import annotations

import reflex as rx

from console.kube import runtime as kube_runtime
from console.kube.api import ActingAs, KubeApiError
from console.kube.watch_cache import resource_from_id
from console.pages.access.directory_gate import DirectoryGateState, visitor
from console.pages.access.groups_state import KeycloakProblem, keycloak_admin
from console.pages.access.groups_tree import member_row
from console.pages.access.who_can_views import (
    MAX_PEOPLE,
    RESOURCE_OPTIONS,
    VERBS,
    WhoCanForm,
    form_from_query,
    form_problem,
    matrix_rows,
    option_of,
    people_rows,
    subject_rows,
)
from console.rbac.keycloak_admin import KeycloakAdminError
from console.rbac.person_rules import rules_matrix
from console.rbac.useraccess import SUBJECT_PREFIX
from console.rbac.who_can import AUTHENTICATED, load_index, review_confirmer, who_can
from console.state.session import SessionState
from console.state.timing import timed_event

ROUTE = "/rbac/who-can"
CLUSTER_WIDE = "_cluster"  # the namespace select's value for "cluster-wide" (Radix selects cannot hold "")
_NAMESPACES = resource_from_id("v1/namespaces")
SUGGESTIONS = 8


async def namespace_names() -> list[str]:
    """The cluster's namespaces, from the shared cache (listed as the console when it has none yet).

    Raises:
        KubeUnavailable: no cluster connection.
        KubeApiError: the list failed.
    """
    kube = kube_runtime.current()
    watch = kube.cache.peek(_NAMESPACES)
    objects = watch.objects() if watch is not None else []
    if not objects:
        objects = (await kube.api.get("/api/v1/namespaces")).get("items") or []
    return sorted(str((obj.get("metadata") or {}).get("name") or "") for obj in objects)


def _namespace_value(choice: str) -> str:
    return "" if choice == CLUSTER_WIDE else choice


class WhoCanState(DirectoryGateState, rx.State):
    """Admins and owners ask about others (`allowed`); everyone sees what they can do themselves."""

    namespaces: list[str] = []
    verb: str = "get"
    resource: str = ""  # a ResourceOption value
    namespace: str = CLUSTER_WIDE
    object_name: str = ""
    asking: bool = False
    problem: str = ""
    question: str = ""  # the question the answer below answers, in words
    people: list[dict[str, str]] = []
    people_note: str = ""
    subjects: list[dict[str, str]] = []
    incomplete: str = ""
    answered: bool = False
    person_search: str = ""
    person_suggestions: list[dict[str, str]] = []
    person_id: str = ""
    person_label: str = ""
    person_namespace: str = CLUSTER_WIDE
    person_matrix: list[dict[str, str]] = []
    person_note: str = ""
    person_problem: str = ""
    my_namespace: str = CLUSTER_WIDE
    my_matrix: list[dict[str, str]] = []
    my_note: str = ""
    my_problem: str = ""

    @timed_event
    async def open_who_can(self):
        """Page load: check the tier, read the namespaces, prefill the form from the URL and ask at once."""
        self.problem, self.answered, self.people, self.subjects, self.incomplete = "", False, [], [], ""
        self.my_matrix, self.my_problem, self.person_matrix, self.person_problem = [], "", [], ""
        if await self._check_tier() is None:
            return SessionState.check
        try:
            self.namespaces = await namespace_names()
        except (kube_runtime.KubeUnavailable, KubeApiError) as problem:
            self.problem = f"The cluster cannot be read: {problem}"
            return None
        form, asks = form_from_query(self.router.url.query_parameters)
        self.verb, self.resource, self.object_name = form.verb, form.resource, form.name
        self.namespace = form.namespace or CLUSTER_WIDE
        self.my_namespace = self.person_namespace = form.namespace or CLUSTER_WIDE
        if asks and self.allowed:
            return [WhoCanState.ask, WhoCanState.show_mine]
        return WhoCanState.show_mine

    @timed_event
    def set_verb(self, value: str):
        self.verb = str(value)

    @timed_event
    def set_resource(self, value: str):
        self.resource = str(value)

    @timed_event
    def set_namespace(self, value: str):
        self.namespace = str(value)

    @timed_event
    def set_object_name(self, value: str):
        self.object_name = str(value)[:300]

    def _form(self) -> WhoCanForm:
        return WhoCanForm(self.verb, self.resource, _namespace_value(self.namespace), self.object_name.strip())

    @rx.event(background=True)
    async def ask(self):
        """Who can: the subjects RBAC allows, the people behind them, each confirmed by an access review."""
        async with self:
            form, cookie = self._form(), self.router.headers.cookie
            problem = form_problem(form, self.namespaces)
            if problem or self.asking:
                self.problem = problem or self.problem
                return
            self.asking, self.problem = True, ""
        try:
            person = await visitor(cookie)
            if person is None or not person.may_view:
                async with self:
                    self._lose_access(person)
                    self.people, self.subjects, self.answered = [], [], False
                if person is None:
                    yield SessionState.check
                return
            option = option_of(form)
            try:
                kube = kube_runtime.current()
                index = await load_index(kube.api)
            except (kube_runtime.KubeUnavailable, KubeApiError) as error:
                async with self:
                    self.problem = f"The cluster's RBAC cannot be read: {error}"
                return
            try:
                keycloak = keycloak_admin()
                keycloak_note = ""
            except KeycloakProblem as error:
                keycloak, keycloak_note = None, f"people are not expanded: {error}"
            answer = await who_can(
                index,
                form.verb,
                option.group,
                option.plural,
                form.namespace,
                subresource=option.subresource,
                name=form.name,
                keycloak=keycloak,
                confirm=review_confirmer(kube.api),
            )
            where = f"in {form.namespace}" if form.namespace else "cluster-wide"
            named = f" named {form.name}" if form.name else ""
            async with self:
                self.question = f"Who can {form.verb} {option.label}{named} {where}?"
                self.people, self.subjects = people_rows(answer), subject_rows(answer)
                more = len(answer.people) - MAX_PEOPLE
                self.people_note = f"… and {more} more people (not listed)." if more > 0 else ""
                self.incomplete = answer.incomplete or keycloak_note
                self.answered = True
        finally:
            async with self:
                self.asking = False

    @timed_event
    def set_my_namespace(self, value: str):
        self.my_namespace = str(value)
        return WhoCanState.show_mine

    @timed_event
    async def show_mine(self):
        """What can I do here: the signed-in person's own rules review (any tier)."""
        namespace = _namespace_value(self.my_namespace)
        if namespace and namespace not in self.namespaces:
            self.my_problem = f"There is no namespace “{namespace}”."
            return None
        person = await visitor(self.router.headers.cookie)
        if person is None:
            return SessionState.check
        try:
            api = kube_runtime.current().api.as_person(person.acting_as)
            matrix = await rules_matrix(api, namespace)
        except (kube_runtime.KubeUnavailable, KubeApiError) as error:
            self.my_matrix, self.my_problem = [], f"Your rules cannot be read: {error}"
            return None
        self.my_matrix, self.my_problem, self.my_note = matrix_rows(matrix, only_allowed=True), "", _note(matrix)
        return None

    @timed_event
    async def search_person(self, value: str):
        self.person_search = str(value)[:100]
        text = self.person_search.strip()
        if not text or not self.allowed:
            self.person_suggestions = []
            return
        try:
            found = await keycloak_admin().search_users(text, 0, SUGGESTIONS)
        except (KeycloakProblem, KeycloakAdminError) as error:
            self.person_suggestions, self.person_problem = [], str(error)
            return
        self.person_suggestions = [member_row(user) for user in found]

    @timed_event
    def choose_person(self, user_id: str):
        chosen = next((row for row in self.person_suggestions if row["id"] == user_id), None)
        if chosen is None:
            return None
        self.person_id, self.person_suggestions, self.person_search = user_id, [], ""
        self.person_label = f"{chosen['name']} <{chosen['email'] or chosen['username']}>"
        return WhoCanState.show_person

    @timed_event
    def set_person_namespace(self, value: str):
        self.person_namespace = str(value)
        return WhoCanState.show_person

    @timed_event
    async def show_person(self):
        """What can this person do here: their rules review, made as them (their Keycloak groups included)."""
        if not self.person_id:
            return None
        namespace = _namespace_value(self.person_namespace)
        if namespace and namespace not in self.namespaces:
            self.person_problem = f"There is no namespace “{namespace}”."
            return None
        person = await visitor(self.router.headers.cookie)
        if person is None:
            return SessionState.check
        if not person.may_view:
            self._lose_access(person)
            self.person_matrix = []
            return None
        try:
            groups = await keycloak_admin().user_groups(self.person_id)
            acting = ActingAs(
                user=SUBJECT_PREFIX + self.person_id,
                groups=(*(SUBJECT_PREFIX + group.path for group in groups), AUTHENTICATED),
            )
            matrix = await rules_matrix(kube_runtime.current().api.as_person(acting), namespace)
        except (KeycloakProblem, KeycloakAdminError, kube_runtime.KubeUnavailable, KubeApiError) as error:
            self.person_matrix, self.person_problem = [], f"Their rules cannot be read: {error}"
            return None
        self.person_matrix, self.person_problem = matrix_rows(matrix, only_allowed=True), ""
        self.person_note = _note(matrix)
        return None


def _note(matrix) -> str:
    if matrix.evaluation_error:
        return f"The API server could not read every rule: {matrix.evaluation_error}"
    if matrix.incomplete:
        return "The API server says this list is incomplete: something not shown may still be allowed."
    return ""


__all__ = ["CLUSTER_WIDE", "RESOURCE_OPTIONS", "ROUTE", "VERBS", "WhoCanState", "namespace_names"]
