"""What the reconcile tab shows of a Flux object (HelmRelease, Kustomization, GitRepository…)."""

from __future__ import annotations

from console.kube.actions import RECONCILE_REQUESTED_AT
from console.kube.api import JsonObject
from console.kube.tones import condition, reconcile_state


def _mapping(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def _applied_revision(status: JsonObject) -> str:
    """The revision Flux last applied: `lastAppliedRevision`, else the newest Helm history entry, else the
    source artifact's revision (GitRepository)."""
    if revision := _text(status.get("lastAppliedRevision")):
        return revision
    history = status.get("history")
    if isinstance(history, list) and history and isinstance(history[0], dict):
        entry = history[0]
        if chart_version := _text(entry.get("chartVersion")):
            return chart_version
    return _text(_mapping(status.get("artifact")).get("revision"))


def reconcile_facts(obj: JsonObject) -> dict[str, str]:
    """The reconcile tab's facts, every value text ("" when Flux has not written it).

    Keys: state, tone (Reconciled/ok, Reconciling/warn, Degraded/err, Suspended/muted), ready_status,
    ready_reason, ready_message, requested_at (`reconcile.fluxcd.io/requestedAt`), last_handled_at
    (`status.lastHandledReconcileAt`), applied_revision, attempted_revision, suspended ("true"/"false").
    """
    status = _mapping(obj.get("status"))
    annotations = _mapping(_mapping(obj.get("metadata")).get("annotations"))
    ready = condition(obj, "Ready") or {}
    state, tone = reconcile_state(obj)
    return {
        "state": state,
        "tone": tone,
        "ready_status": _text(ready.get("status")),
        "ready_reason": _text(ready.get("reason")),
        "ready_message": _text(ready.get("message")),
        "requested_at": _text(annotations.get(RECONCILE_REQUESTED_AT)),
        "last_handled_at": _text(status.get("lastHandledReconcileAt")),
        "applied_revision": _applied_revision(status),
        "attempted_revision": _text(status.get("lastAttemptedRevision")),
        "suspended": "true" if _mapping(obj.get("spec")).get("suspend") is True else "false",
    }


__all__ = ["reconcile_facts"]
