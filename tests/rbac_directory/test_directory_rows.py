"""Rows the roles and audit pages show: tier roles first with their level; audit records with the person's
name where known, the result's tone, and which rows are new since the last push."""

from __future__ import annotations

from datetime import UTC, datetime

from console.audit import AuditPage, AuditRecord, StoredRecord
from console.pages.access.audit_state import audit_rows
from console.pages.access.roles_state import role_rows
from console.rbac.keycloak_admin import KcRole


def test_tier_roles_come_first_highest_tier_first():
    roles = [
        KcRole("1", "offline_access"),
        KcRole("2", "catalyst-viewer", "Catalyst tier viewer", attributes={"tier-level": ("10",)}),
        KcRole("3", "catalyst-owner", "Catalyst tier owner", composite=True, attributes={"tier-level": ("50",)}),
        KcRole("4", "catalyst-admin", composite=True, attributes={"tier-level": ("40",)}),
        KcRole("5", "default-roles-sovereign", composite=True),
    ]
    rows = role_rows(roles)
    assert [row["name"] for row in rows] == [
        "catalyst-owner",
        "catalyst-admin",
        "catalyst-viewer",
        "default-roles-sovereign",
        "offline_access",
    ]
    assert (rows[0]["tier_level"], rows[0]["composite"]) == ("50", "yes")
    assert (rows[-1]["tier_level"], rows[-1]["composite"]) == ("", "no")


def test_audit_rows_name_the_person_tone_the_result_and_mark_new_rows():
    moment = datetime(2026, 12, 4, 5, 6, 7, tzinfo=UTC)
    page = AuditPage(
        (
            StoredRecord(12, AuditRecord(moment, "oidc:u1", "keycloak-group-created", "keycloak-group:/acme/x", "ok")),
            StoredRecord(11, AuditRecord(moment, "oidc:u2", "scale", "deployments.apps/a/b", "denied", "forbidden")),
            StoredRecord(10, AuditRecord(moment, "system:admin", "apply", "x", "error", "boom")),
        ),
        3,
    )
    rows = audit_rows(page, {"oidc:u1": "Amira Al-Balushi <owner@x>", "oidc:u2": ""}, newer_than=11)

    assert [row["actor"] for row in rows] == ["Amira Al-Balushi <owner@x>", "oidc:u2", "system:admin"]
    assert [row["actor_raw"] for row in rows] == ["oidc:u1", "oidc:u2", "system:admin"]
    assert [row["tone"] for row in rows] == ["ok", "warn", "err"]
    assert [row["fresh"] for row in rows] == ["true", "false", "false"]
    assert rows[0]["time"] == "2026-12-04 05:06:07"
    assert {row["fresh"] for row in audit_rows(page, {}, newer_than=None)} == {"false"}  # the first push marks none
    assert {row["fresh"] for row in audit_rows(page, {}, newer_than=0)} == {"true"}  # the log was empty then
