"""`/rbac/groups`: the Keycloak group tree; a group's members; add, rename and delete groups; add and remove
members (owners)."""

from __future__ import annotations

import reflex as rx

from console.layout.frame import page_shell
from console.pages.access.components.access_frame import (
    access_header,
    loading_line,
    panel,
    problem_callout,
    result_notice,
    tier_gated,
)
from console.pages.access.components.groups_members import add_member, members_table
from console.pages.access.components.groups_tree_view import group_tree
from console.pages.access.components.tables import pager_row
from console.pages.access.groups_state import MEMBERS_PAGE, ROUTE, GroupsState

__all__ = ["ROUTE", "groups_page"]

State = GroupsState


def _name_form(value: rx.Var[str], on_change, on_submit, placeholder: str, label: str, icon: str, test_id: str):
    return rx.hstack(
        rx.input(
            value=value,
            on_change=on_change,
            placeholder=placeholder,
            size="2",
            width="240px",
            aria_label=placeholder,
            data_testid=f"{test_id}-name",
        ),
        rx.button(rx.icon(icon, size=14), label, size="2", variant="soft", on_click=on_submit, data_testid=test_id),
        gap="2",
        align="center",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", State.selected_path, "?"),
            rx.alert_dialog.description(
                rx.cond(
                    State.selected_children > 0,
                    "Its " + State.selected_children.to_string() + " subgroup(s) are deleted with it. ",
                    "",
                ),
                "Its members lose what the group gave them (roles, and grants to the group).",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", data_testid="group-delete-cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Delete group",
                        color_scheme="red",
                        on_click=State.delete_group,
                        data_testid="group-delete-confirm",
                    )
                ),
                justify="end",
                gap="2",
                margin_top="12px",
            ),
            data_testid="group-delete-dialog",
        ),
        open=State.delete_open,
        on_open_change=State.set_delete_open,
    )


def _owner_tools() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _name_form(
                State.rename_to, State.set_rename_to, State.rename_group, "New name", "Rename", "pencil", "group-rename"
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=State.set_delete_open(True),
                data_testid="group-delete",
            ),
            gap="3",
            wrap="wrap",
        ),
        _name_form(
            State.new_group_name,
            State.set_new_group_name,
            State.add_group,
            "Subgroup name",
            "Add subgroup",
            "folder-plus",
            "group-add",
        ),
        gap="2",
    )


def _selected() -> rx.Component:
    return panel(
        rx.hstack(
            rx.icon("users", size=18),
            rx.heading(State.selected_path, size="4", data_testid="group-path"),
            align="center",
            gap="2",
        ),
        rx.cond(State.may_change, _owner_tools()),
        rx.heading("Members (" + State.members_total.to_string() + ")", size="3"),
        rx.text("Direct members only: members of its subgroups are listed there.", size="1", color_scheme="gray"),
        rx.cond(
            State.may_change, add_member(State.member_search, State.suggestions, State.search_members, State.add_member)
        ),
        members_table(State.members, State.may_change, State.remove_member),
        pager_row(State.members_page, State.members_pages, State.members_total, MEMBERS_PAGE, State.go_to_members_page),
        flex="1",
        min_width="0",
        data_testid="group-detail",
    )


def _nothing_selected() -> rx.Component:
    return panel(
        rx.text("Choose a group to see its members.", color_scheme="gray", data_testid="group-none"),
        rx.cond(
            State.may_change,
            _name_form(
                State.new_group_name,
                State.set_new_group_name,
                State.add_group,
                "Top-level group name",
                "Add group",
                "folder-plus",
                "group-add",
            ),
        ),
        flex="1",
    )


def _directory() -> rx.Component:
    return rx.vstack(
        result_notice(
            State.result, State.result_tone, "group-result", failed_icon="triangle-alert", data_tone=State.result_tone
        ),
        rx.cond(
            State.problem != "",
            problem_callout(State.problem, "groups-problem"),
            rx.cond(
                State.loading,
                loading_line("Reading Keycloak's groups…", "groups-loading"),
                rx.hstack(
                    panel(
                        rx.heading("Groups", size="3"),
                        group_tree(State.tree, State.toggle, State.select_group),
                        width="340px",
                        flex_shrink="0",
                    ),
                    rx.cond(State.selected_id != "", _selected(), _nothing_selected()),
                    align="start",
                    gap="4",
                    width="100%",
                ),
            ),
        ),
        _delete_dialog(),
        width="100%",
        gap="3",
    )


def _body() -> rx.Component:
    return rx.vstack(
        access_header(
            "Keycloak groups",
            description=(
                "The realm's groups and their members. A group's path is what tokens carry (oidc:<path> in bindings)."
            ),
        ),
        tier_gated(_directory(), checked=State.checked, allowed=State.allowed, refusal=State.refusal),
        width="100%",
        gap="3",
        data_testid="groups-page",
    )


def groups_page() -> rx.Component:
    return page_shell(_body(), active="access-groups")
