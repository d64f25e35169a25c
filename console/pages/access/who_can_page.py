"""`/rbac/who-can`: who can do something (admins, owners), what a person can do, and what I can do."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    CHECKING_TIER,
    access_header,
    loading_line,
    needs_tier_notice,
    panel,
    problem_notice,
)
from console.pages.access.components.who_can_answer import people_table, subjects_table
from console.pages.access.components.who_can_matrix import rules_matrix_table
from console.pages.access.who_can_state import CLUSTER_WIDE, RESOURCE_OPTIONS, ROUTE, VERBS, WhoCanState
from console.rbac.person_rules import MATRIX_VERBS

__all__ = ["ROUTE", "who_can_page"]

State = WhoCanState


def _section(title: str, *children: rx.Component, test_id: str) -> rx.Component:
    return panel(rx.heading(title, size="4"), *children, width="100%", data_testid=test_id)


def _namespace_select(value: rx.Var[str], on_change, test_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Namespace", data_testid=test_id, width="240px"),
        rx.select.content(
            rx.select.item("Cluster-wide", value=CLUSTER_WIDE),
            rx.foreach(State.namespaces, lambda name: rx.select.item(name, value=name)),
        ),
        value=value,
        on_change=on_change,
        size="2",
    )


def _field(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", weight="bold", color_scheme="gray"), control, gap="1")


def _ask_form() -> rx.Component:
    return rx.hstack(
        _field(
            "Verb",
            rx.select.root(
                rx.select.trigger(aria_label="Verb", data_testid="who-can-verb", width="150px"),
                rx.select.content(*(rx.select.item(verb, value=verb) for verb in VERBS)),
                value=State.verb,
                on_change=State.set_verb,
                size="2",
            ),
        ),
        _field(
            "Resource",
            rx.select.root(
                rx.select.trigger(
                    placeholder="Choose…", aria_label="Resource", data_testid="who-can-resource", width="260px"
                ),
                rx.select.content(*(rx.select.item(o.label, value=o.value) for o in RESOURCE_OPTIONS)),
                value=State.resource,
                on_change=State.set_resource,
                size="2",
            ),
        ),
        _field("Namespace", _namespace_select(State.namespace, State.set_namespace, "who-can-namespace")),
        _field(
            "Name (optional)",
            rx.input(
                value=State.object_name,
                on_change=State.set_object_name,
                placeholder="any object",
                width="200px",
                aria_label="Object name",
                data_testid="who-can-name",
            ),
        ),
        rx.button(
            rx.cond(State.asking, rx.spinner(size="1"), rx.icon("search", size=14)),
            "Ask",
            on_click=State.ask,
            disabled=State.asking,
            data_testid="who-can-ask",
        ),
        align="end",
        gap="3",
        wrap="wrap",
    )


def _answer() -> rx.Component:
    return rx.vstack(
        rx.heading(State.question, size="3", data_testid="who-can-question"),
        rx.cond(
            State.incomplete != "",
            rx.callout(State.incomplete, icon="info", color_scheme="amber", data_testid="who-can-incomplete"),
        ),
        rx.text("People", weight="bold", size="2"),
        people_table(State.people),
        rx.cond(State.people_note != "", rx.text(State.people_note, size="1", color_scheme="gray")),
        rx.text("RBAC subjects", weight="bold", size="2"),
        subjects_table(State.subjects),
        width="100%",
        gap="2",
        data_testid="who-can-answer",
    )


def _who_can() -> rx.Component:
    return _section(
        "Who can…?",
        _ask_form(),
        problem_notice(State.problem, "who-can-problem"),
        rx.cond(State.asking & ~State.answered, loading_line("Reading RBAC, Keycloak and access reviews…")),
        rx.cond(State.answered, _answer()),
        test_id="who-can-section",
    )


def _person_picker() -> rx.Component:
    return rx.vstack(
        rx.input(
            rx.input.slot(rx.icon("user-search", size=14)),
            placeholder="Find a person: username, email or name",
            value=State.person_search,
            on_change=State.search_person.debounce(250),
            width="320px",
            aria_label="Find a person",
            data_testid="person-search",
        ),
        rx.foreach(
            State.person_suggestions,
            lambda user: rx.button(
                rx.text(user["name"], weight="medium"),
                rx.text(user["email"], size="1", color_scheme="gray"),
                variant="ghost",
                size="1",
                on_click=State.choose_person(user["id"]),
                data_testid="person-suggestion",
                data_username=user["username"],
            ),
        ),
        gap="1",
    )


def _person() -> rx.Component:
    return _section(
        "What can this person do?",
        rx.hstack(
            _person_picker(),
            _field("Namespace", _namespace_select(State.person_namespace, State.set_person_namespace, "person-ns")),
            align="start",
            gap="4",
            wrap="wrap",
        ),
        problem_notice(State.person_problem, "person-problem"),
        rx.cond(
            State.person_id != "",
            rx.vstack(
                rx.text(
                    "As ", rx.text.strong(State.person_label), " (impersonated, with their Keycloak groups)", size="2"
                ),
                rx.cond(State.person_note != "", rx.text(State.person_note, size="1", color_scheme="amber")),
                rules_matrix_table(State.person_matrix, MATRIX_VERBS, "person-matrix"),
                width="100%",
                gap="2",
            ),
        ),
        test_id="person-section",
    )


def _mine() -> rx.Component:
    return _section(
        "What can I do here?",
        _field("Namespace", _namespace_select(State.my_namespace, State.set_my_namespace, "my-ns")),
        problem_notice(State.my_problem, "my-problem"),
        rx.cond(State.my_note != "", rx.text(State.my_note, size="1", color_scheme="amber")),
        rules_matrix_table(State.my_matrix, MATRIX_VERBS, "my-matrix"),
        test_id="my-section",
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header(
            "Who can?",
            description=(
                "Answers come from the cluster's RBAC and Keycloak, "
                "each person confirmed by the API server's own access review."
            ),
        ),
        # Not `tier_gated`: what I can do here is for everyone; only asking about others is behind the gate.
        rx.cond(
            State.checked,
            rx.vstack(
                rx.cond(State.allowed, rx.fragment(_who_can(), _person()), needs_tier_notice(State.refusal)),
                _mine(),
                width="100%",
                gap="4",
            ),
            loading_line(CHECKING_TIER),
        ),
        width="100%",
        gap="3",
        data_testid="who-can-page",
    )


def who_can_page() -> rx.Component:
    return page_shell(_body(), active="access-who-can")
