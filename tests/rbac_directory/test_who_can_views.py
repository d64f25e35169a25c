"""The who-can page as data: resources to ask about come from the kind registry and its capabilities, a URL
prefills the question, bad input is refused in words, and answers and matrices become rows."""

from __future__ import annotations

from console.kube.capabilities import Capability
from console.kube.registry import KINDS
from console.pages.access.who_can_views import (
    RESOURCE_OPTIONS,
    WhoCanForm,
    exec_question_href,
    form_from_query,
    form_problem,
    matrix_rows,
    people_rows,
    subject_rows,
)
from console.rbac.keycloak_admin import KcUser
from console.rbac.person_rules import matrix_of
from console.rbac.who_can import WhoCanAnswer, WhoCanGrant, WhoCanPerson, WhoCanSubject

LABELS = {option.label for option in RESOURCE_OPTIONS}


def test_resources_are_the_registrys_with_the_subresources_its_capabilities_imply():
    served = {(k.resource.group, k.resource.plural) for k in KINDS.values() if k.resource is not None}
    assert {(o.group, o.plural) for o in RESOURCE_OPTIONS} == served
    assert {"pods", "pods/exec", "pods/log", "deployments.apps", "deployments.apps/scale", "secrets"} <= LABELS
    exec_kinds = {k.resource.plural for k in KINDS.values() if Capability.EXEC in k.capabilities and k.resource}
    assert {o.plural for o in RESOURCE_OPTIONS if o.subresource == "exec"} == exec_kinds
    assert len(LABELS) == len(RESOURCE_OPTIONS)  # no duplicates (several kinds read nodes)


def test_a_url_prefills_the_question():
    form, asks = form_from_query(
        {"verb": "create", "resource": "pods", "subresource": "exec", "namespace": "acme-dev-wordpress", "name": "x"}
    )
    assert asks and form == WhoCanForm("create", "|pods|exec", "acme-dev-wordpress", "x")
    assert form_from_query({"resource": "pods/log"})[0].resource == "|pods|log"
    assert form_from_query({"resource": "deployments", "group": "apps"})[0].resource == "apps|deployments|"
    assert form_from_query({"resource": "deployments"})[0].resource == "apps|deployments|"  # the only group
    unknown, asks_unknown = form_from_query({"resource": "widgets"})
    assert asks_unknown and unknown.resource == ""
    assert form_from_query({}) == (WhoCanForm(), False)


def test_bad_input_is_refused_in_words():
    namespaces = ["default", "acme-dev-wordpress"]
    ok = WhoCanForm("create", "|pods|exec", "default", "")
    assert form_problem(ok, namespaces) == ""
    assert form_problem(WhoCanForm("create", "|pods|exec", "", ""), namespaces) == ""  # cluster-wide
    assert "not a verb" in form_problem(WhoCanForm("destroy", "|pods|", "", ""), namespaces)
    assert form_problem(WhoCanForm("get", "|widgets|", "", ""), namespaces) == "Choose a resource from the list."
    assert form_problem(WhoCanForm("get", "|pods|", "nope", ""), namespaces) == "There is no namespace “nope”."
    assert "not an object name" in form_problem(WhoCanForm("get", "|pods|", "", "a b"), namespaces)


def test_the_detail_pages_exec_question_comes_from_the_kinds_capability():
    for kind in KINDS.values():
        href = exec_question_href(kind, "ns", "obj")
        assert bool(href) == (Capability.EXEC in kind.capabilities and kind.resource is not None)
    href = exec_question_href(KINDS["pods"], "acme-dev-wordpress", "wordpress-0")
    assert href == (
        "/rbac/who-can?verb=create&group=&resource=pods&subresource=exec&namespace=acme-dev-wordpress&name=wordpress-0"
    )


def test_an_answer_becomes_people_and_subject_rows():
    grant = WhoCanGrant("ClusterRoleBinding", "", "useraccess-owner-owner", "ClusterRole", "openova:tier-owner")
    group_grant = WhoCanGrant("RoleBinding", "acme-dev", "useraccess-acme-admin", "ClusterRole", "openova:tier-admin")
    user = WhoCanSubject("User", "oidc:u1", grants=(grant,))
    group = WhoCanSubject("Group", "oidc:/acme/admins", grants=(group_grant,))
    robot = WhoCanSubject("ServiceAccount", "deployer", "ci", (grant,))
    people = (
        WhoCanPerson("oidc:u1", KcUser("u1", "owner", "owner@x", "Amira", "Al-Balushi"), (user, group), (), True),
        WhoCanPerson("oidc:raw", None, (user,), (), None),
    )
    answer = WhoCanAnswer("create", "", "pods", "exec", "acme-dev", "", (user, group, robot), people)

    rows = people_rows(answer)
    assert rows[0]["name"] == "Amira Al-Balushi" and rows[0]["confirmed"] == "yes"
    assert rows[0]["via"] == "directly · group /acme/admins"
    assert rows[0]["grants"].splitlines() == sorted(str(g) for g in (grant, group_grant))
    assert rows[1]["username"] == "oidc:raw" and rows[1]["confirmed"] == "unknown" and rows[1]["email"] == ""
    assert [(r["kind"], r["namespace"], r["name"], r["person"]) for r in subject_rows(answer)] == [
        ("User", "", "oidc:u1", "Amira Al-Balushi <owner@x>"),
        ("Group", "", "oidc:/acme/admins", ""),
        ("ServiceAccount", "ci", "deployer", ""),
    ]


def test_a_rules_matrix_becomes_rows_of_allowed_verbs():
    matrix = matrix_of(
        "acme-dev",
        [
            {"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
            {"verbs": ["create"], "apiGroups": [""], "resources": ["pods/exec"]},
            {"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]},
        ],
    )
    rows = {row["resource"]: row for row in matrix_rows(matrix, only_allowed=True)}
    assert set(rows) == {"pods", "pods/exec", "secrets"}
    assert (rows["pods"]["get"], rows["pods"]["list"], rows["pods"]["delete"]) == ("yes", "yes", "")
    assert rows["pods/exec"]["create"] == "yes"
    assert rows["secrets"]["get"] == "named: db"
    assert len(matrix_rows(matrix)) == len(matrix.rows)
