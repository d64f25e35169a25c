"""A grant's status as the reconciler words it (console/rbac/reconciler_status.py), and its work queue."""

from __future__ import annotations

import asyncio
import json

from console.rbac.bindings import BindingRef, desired_bindings
from console.rbac.reconciler_queue import WorkQueue
from console.rbac.reconciler_status import (
    bindings_condition,
    enforced_condition,
    invalid_conditions,
    merge_conditions,
    status_document,
    tier_missing_conditions,
)
from console.rbac.tiers import tier_named
from console.rbac.useraccess import UserAccess

DEVELOPER_ROLE = {
    "metadata": {
        "annotations": {
            "catalyst.openova.io/enforced-scopes": json.dumps([{"key": "openova.io/env-type", "value": "dev"}])
        }
    }
}


def _grant(tier: str, scopes: list[dict]) -> UserAccess:
    return UserAccess.from_object(
        {
            "metadata": {"name": "g", "namespace": "catalyst-system"},
            "spec": {"user": {"keycloakSubject": "s"}, "sovereignRef": "x", "tier": tier, "scopes": scopes},
        }
    )


def test_enforced_scope_reasons():
    injected = desired_bindings(_grant("developer", []), DEVELOPER_ROLE, {})
    assert enforced_condition(injected, tier_named("developer")) == {
        "type": "EnforcedScopeApplied",
        "status": "True",
        "reason": "AutoInjected",
        "message": "merged enforced scope openova.io/env-type=dev",
    }
    present = desired_bindings(_grant("developer", [{"key": "env-type", "value": "dev"}]), DEVELOPER_ROLE, {})
    assert enforced_condition(present, tier_named("developer"))["reason"] == "AlreadyPresent"
    none = desired_bindings(_grant("viewer", []), {"metadata": {}}, {})
    assert enforced_condition(none, tier_named("viewer"))["message"] == "openova:tier-viewer enforces no scopes"


def test_binding_counts_and_failures_are_worded_for_people():
    scoped = desired_bindings(_grant("viewer", [{"key": "application", "value": "nothing"}]), {}, {"a": {}})
    assert bindings_condition(scoped)["message"] == (
        "0 binding(s) reconciled: no namespace matches openova.io/application=nothing"
    )
    failed = bindings_condition(scoped, "create RoleBinding a/b: forbidden")
    assert (failed["status"], failed["reason"]) == ("False", "ApplyFailed")
    missing = tier_missing_conditions(tier_named("operator"))
    assert [(c["type"], c["status"], c["reason"]) for c in missing] == [
        ("EnforcedScopeApplied", "False", "TierClusterRoleNotFound"),
        ("TierResolved", "False", "TierClusterRoleNotFound"),
        ("BindingsReconciled", "False", "TierClusterRoleNotFound"),
    ]
    assert [c["reason"] for c in invalid_conditions("spec.sovereignRef is required", tier_named=True)] == [
        "InvalidSpec"
    ]
    assert [c["reason"] for c in invalid_conditions("unknown tier", tier_named=False)] == ["NoTierLabel", "InvalidSpec"]


def test_transition_times_move_only_when_the_status_does():
    before = [
        {"type": "A", "status": "True", "reason": "x", "message": "old", "lastTransitionTime": "2026-01-01T00:00:00Z"},
        {"type": "B", "status": "True", "reason": "x", "message": "m", "lastTransitionTime": "2026-01-01T00:00:00Z"},
    ]
    wanted = [
        {"type": "A", "status": "True", "reason": "y", "message": "new"},
        {"type": "B", "status": "False", "reason": "z", "message": "m"},
        {"type": "C", "status": "True", "reason": "z", "message": "m"},
    ]
    merged = merge_conditions(before, wanted, "2026-02-02T00:00:00Z")
    assert [c["lastTransitionTime"] for c in merged] == [
        "2026-01-01T00:00:00Z",
        "2026-02-02T00:00:00Z",
        "2026-02-02T00:00:00Z",
    ]
    assert merged[0]["message"] == "new"


def test_an_unchanged_status_comes_out_identical():
    conditions = [{"type": "A", "status": "True", "reason": "x", "message": "m"}]
    refs = [BindingRef("RoleBinding", "b", "n"), BindingRef("ClusterRoleBinding", "", "n")]
    first = status_document({"extra": 1}, 3, refs, conditions)
    assert first["bindings"] == [
        {"kind": "ClusterRoleBinding", "name": "n"},
        {"kind": "RoleBinding", "namespace": "b", "name": "n"},
    ]
    assert status_document(first, 3, reversed(refs), conditions) == first and first["extra"] == 1


async def test_the_queue_hands_a_key_to_one_worker_at_a_time_and_requeues_what_moved_meanwhile():
    queue = WorkQueue(base_delay=0.01)
    queue.add("a")
    queue.add("a")
    assert len(queue) == 1 and not queue.idle
    key = await queue.get()
    queue.add("a")  # changed while being worked on
    assert len(queue) == 0
    queue.done(key)
    assert len(queue) == 1 and await queue.get() == "a"
    queue.done("a")
    assert queue.idle
    assert queue.retry("a") == 0.01 and queue.retry("a") == 0.01  # a pending retry is not doubled up
    assert await asyncio.wait_for(queue.get(), 1) == "a"
    queue.done("a")
    assert queue.retry("a") == 0.02  # the second failure in a row (the pending retry did not count)
    queue.forget("a")
    queue.close()
