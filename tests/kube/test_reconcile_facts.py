"""The reconcile tab's facts of a Flux object."""

from __future__ import annotations

from console.kube.reconcile import reconcile_facts


def _release(**status) -> dict:
    return {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "grafana", "annotations": {"reconcile.fluxcd.io/requestedAt": "2026-01-01T00:00:00Z"}},
        "spec": {},
        "status": status,
    }


def test_a_ready_release_is_reconciled_with_its_revisions_and_reconcile_times():
    facts = reconcile_facts(
        _release(
            conditions=[{"type": "Ready", "status": "True", "reason": "InstallSucceeded", "message": "Helm install"}],
            lastHandledReconcileAt="2026-01-01T00:00:00Z",
            lastAppliedRevision="7.3.0",
            lastAttemptedRevision="7.3.1",
        )
    )
    assert facts == {
        "state": "Reconciled",
        "tone": "ok",
        "ready_status": "True",
        "ready_reason": "InstallSucceeded",
        "ready_message": "Helm install",
        "requested_at": "2026-01-01T00:00:00Z",
        "last_handled_at": "2026-01-01T00:00:00Z",
        "applied_revision": "7.3.0",
        "attempted_revision": "7.3.1",
        "suspended": "false",
    }


def test_a_suspended_object_says_so_and_missing_facts_are_empty():
    obj = _release()
    obj["spec"]["suspend"] = True
    facts = reconcile_facts(obj)
    assert (facts["state"], facts["tone"], facts["suspended"]) == ("Suspended", "muted", "true")
    assert facts["last_handled_at"] == facts["applied_revision"] == facts["ready_reason"] == ""


def test_a_stalled_release_is_degraded():
    facts = reconcile_facts(_release(conditions=[{"type": "Ready", "status": "False", "reason": "RetriesExceeded"}]))
    assert (facts["state"], facts["tone"]) == ("Degraded", "err")


def test_revisions_come_from_helm_history_or_the_source_artifact():
    assert reconcile_facts(_release(history=[{"chartVersion": "1.2.3"}]))["applied_revision"] == "1.2.3"
    repo = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": {}, "spec": {}}
    repo["status"] = {"artifact": {"revision": "main@sha1:abc"}}
    assert reconcile_facts(repo)["applied_revision"] == "main@sha1:abc"
