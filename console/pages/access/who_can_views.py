"""What the who-can page offers and shows, as plain data: the verbs and resources to ask about (from the kind
registry and its capabilities), the question read from a URL, and the rows of an answer or a matrix. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from console.kube.capabilities import Capability
from console.kube.kinds import Kind
from console.kube.registry import KINDS
from console.rbac.person_rules import RulesMatrix
from console.rbac.useraccess import SUBJECT_PREFIX
from console.rbac.who_can import WhoCanAnswer, WhoCanPerson, WhoCanSubject

__all__ = [
    "MAX_PEOPLE",
    "RESOURCE_OPTIONS",
    "VERBS",
    "ResourceOption",
    "WhoCanForm",
    "exec_question_href",
    "form_from_query",
    "form_problem",
    "matrix_rows",
    "people_rows",
    "subject_rows",
]

VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
MAX_PEOPLE = 200  # people listed in one answer (a grant to every signed-in person could name thousands)
ROUTE = "/rbac/who-can"

# The subresources behind the console's own features, by the capability that offers them.
_SUBRESOURCES: Mapping[Capability, str] = {Capability.EXEC: "exec", Capability.SCALE: "scale"}
_LOGS_OF_OWN_CONTAINERS = "pod"  # `Kind.log_source` of a kind whose objects have logs of their own


@dataclass(frozen=True, slots=True)
class ResourceOption:
    group: str
    plural: str
    subresource: str = ""

    @property
    def value(self) -> str:
        """The select's value: group|plural|subresource."""
        return f"{self.group}|{self.plural}|{self.subresource}"

    @property
    def label(self) -> str:
        base = f"{self.plural}.{self.group}" if self.group else self.plural
        return f"{base}/{self.subresource}" if self.subresource else base


def _subresources(kind: Kind) -> list[str]:
    found = [sub for capability, sub in _SUBRESOURCES.items() if capability in kind.capabilities]
    if Capability.LOGS in kind.capabilities and kind.log_source == _LOGS_OF_OWN_CONTAINERS:
        found.append("log")
    return sorted(found)


def _resource_options(kinds: Iterable[Kind]) -> tuple[ResourceOption, ...]:
    options: dict[str, ResourceOption] = {}
    for kind in kinds:
        if kind.resource is None:
            continue
        group, plural = kind.resource.group, kind.resource.plural
        for option in (ResourceOption(group, plural), *(ResourceOption(group, plural, s) for s in _subresources(kind))):
            options.setdefault(option.value, option)
    return tuple(sorted(options.values(), key=lambda option: (option.label.partition("/")[0], option.subresource)))


RESOURCE_OPTIONS = _resource_options(KINDS.values())
_BY_VALUE = {option.value: option for option in RESOURCE_OPTIONS}


@dataclass(frozen=True, slots=True)
class WhoCanForm:
    verb: str = "get"
    resource: str = ""  # a ResourceOption value
    namespace: str = ""  # "": cluster-wide
    name: str = ""


def form_from_query(query: Mapping[str, str]) -> tuple[WhoCanForm, bool]:
    """The question a URL asks (?verb=&group=&resource=&subresource=&namespace=&name=) and whether it asks one
    (a resource is named). A resource without a group is the core group's, else the first of that plural."""
    plural, sub = str(query.get("resource", "")).strip(), str(query.get("subresource", "")).strip()
    if "/" in plural and not sub:
        plural, _, sub = plural.partition("/")
    group = query.get("group")
    matching = [o for o in RESOURCE_OPTIONS if o.plural == plural and o.subresource == sub]
    chosen = next((o for o in matching if group is not None and o.group == group), None)
    chosen = chosen or next((o for o in matching if o.group == ""), None) or next(iter(matching), None)
    form = WhoCanForm(
        verb=str(query.get("verb", "get")).strip() or "get",
        resource=chosen.value if chosen else "",
        namespace=str(query.get("namespace", "")).strip(),
        name=str(query.get("name", "")).strip(),
    )
    return form, bool(plural)


def form_problem(form: WhoCanForm, namespaces: Iterable[str]) -> str:
    """Why the form cannot be asked, "" when it can."""
    if form.verb not in VERBS:
        return f"“{form.verb}” is not a verb this page asks about: choose one of {', '.join(VERBS)}."
    if form.resource not in _BY_VALUE:
        return "Choose a resource from the list."
    if form.namespace and form.namespace not in set(namespaces):
        return f"There is no namespace “{form.namespace}”."
    if len(form.name) > 253 or any(c.isspace() or c == "/" for c in form.name):
        return f"“{form.name}” is not an object name."
    return ""


def option_of(form: WhoCanForm) -> ResourceOption:
    return _BY_VALUE[form.resource]


def exec_question_href(kind: Kind, namespace: str = "", name: str = "") -> str:
    """The who-can page asking who may open a shell in an object of `kind` ("" when it offers none)."""
    if Capability.EXEC not in kind.capabilities or kind.resource is None:
        return ""
    query = {"verb": "create", "group": kind.resource.group, "resource": kind.resource.plural, "subresource": "exec"}
    query |= {key: value for key, value in (("namespace", namespace), ("name", name)) if value}
    return f"{ROUTE}?{urlencode(query)}"


_SUBJECT_LABELS = {"User": "user", "Group": "group", "ServiceAccount": "service account"}


def _via(subject: WhoCanSubject, person: WhoCanPerson) -> str:
    """How a subject reaches the person: "directly" (their own user), or "group /acme/admins"."""
    if subject.name == person.user_name:
        return "directly"
    label = _SUBJECT_LABELS.get(subject.kind, subject.kind)
    return f"{label} {subject.name.removeprefix(SUBJECT_PREFIX)}"


def _person_row(person: WhoCanPerson) -> dict[str, str]:
    user = person.user
    name = " ".join(part for part in (user.first_name, user.last_name) if part) if user else ""
    confirmed = {True: "yes", False: "no", None: "unknown"}[person.confirmed]
    return {
        "user_name": person.user_name,
        "username": user.username if user else person.user_name,
        "name": name or (user.username if user else person.user_name),
        "email": user.email if user else "",
        "via": " · ".join(_via(subject, person) for subject in person.subjects),
        "grants": "\n".join(str(grant) for grant in person.grants),
        "confirmed": confirmed,
    }


def people_rows(answer: WhoCanAnswer) -> list[dict[str, str]]:
    """At most MAX_PEOPLE rows, in the answer's order (Keycloak people by name, then raw users)."""
    return [_person_row(person) for person in answer.people[:MAX_PEOPLE]]


def subject_rows(answer: WhoCanAnswer) -> list[dict[str, str]]:
    """The RBAC subjects; a user subject Keycloak knows is named after the person too."""
    people = {person.user_name: person for person in answer.people if person.user is not None}
    return [
        {
            "kind": subject.kind,
            "name": subject.name,
            "namespace": subject.namespace,
            "person": people[subject.name].display if subject.name in people else "",
            "grants": "\n".join(str(grant) for grant in subject.grants),
        }
        for subject in answer.subjects
    ]


def matrix_rows(matrix: RulesMatrix, only_allowed: bool = False) -> list[dict[str, str]]:
    """One row per resource: per verb "yes", "named: a, b" (only those objects) or "" (not allowed)."""
    rows = []
    for row in matrix.rows:
        cells = {
            verb: "yes" if row.allows(verb) else ("named: " + ", ".join(row.named[verb]) if verb in row.named else "")
            for verb in matrix.verbs
        }
        if only_allowed and not any(cells.values()):
            continue
        rows.append({"resource": row.label, **cells})
    return rows
