"""Status tones (spec cloud.md §2): always shown with their text, never colour alone."""

from __future__ import annotations

from console.kube.kinds import Tone

_TONE_BY_STATUS: dict[str, Tone] = {
    "active": "ok",
    "running": "ok",
    "ready": "ok",
    "bound": "ok",
    "available": "ok",
    "pending": "warn",
    "containercreating": "warn",
    "progressing": "warn",
    "failed": "err",
    "evicted": "err",
    "released": "err",
    "lost": "err",
    "oomkilled": "err",
    "imagepullbackoff": "err",
    "errimagepull": "err",
    "succeeded": "muted",
    "completed": "muted",
    "terminating": "muted",
    "unknown": "muted",
}


def tone_for_status(status: str) -> Tone:
    """The k9s-style tone of a status word (spec: cloud.md §2); unknown words are muted."""
    word = status.strip().lower()
    if word.startswith(("crashloop", "error")):
        return "err"
    return _TONE_BY_STATUS.get(word, "muted")


_TONE_BY_STATE: dict[str, Tone] = {
    "reconciled": "ok",
    "healthy": "ok",
    "passing": "ok",
    "applied": "ok",
    "secretsynced": "ok",
    "reconciling": "warn",
    "provisioning": "warn",
    "issuing": "warn",
    "switchingover": "warn",
    "failedover": "warn",
    "degraded": "err",
    "failing": "err",
    "secretsyncederror": "err",
    "suspended": "muted",
    "uninstalling": "muted",
    "disabled": "muted",
}


def tone_for_state(state: str) -> Tone:
    """The tone of a controller's state word (Reconciled, Degraded, Provisioning…), else as `tone_for_status`."""
    return _TONE_BY_STATE.get(state.strip().lower().replace(" ", ""), None) or tone_for_status(state)


def condition(obj: dict, condition_type: str) -> dict | None:
    """The `status.conditions` entry of this type, or None."""
    status = obj.get("status")
    conditions = status.get("conditions") if isinstance(status, dict) else None
    for entry in conditions if isinstance(conditions, list) else ():
        if isinstance(entry, dict) and entry.get("type") == condition_type:
            return entry
    return None


def reconcile_state(obj: dict) -> tuple[str, Tone]:
    """A Flux object's reconcile state (spec cloud.md §2) and its tone.

    `spec.suspend` → Suspended. Ready=True → Reconciled. Ready=False whose reason names a stall or exhausted
    retries (Flux writes `RetriesExceeded` with a `Stalled=True` condition) → Degraded. Anything else,
    including no Ready condition yet → Reconciling.
    """
    spec = obj.get("spec")
    if isinstance(spec, dict) and spec.get("suspend") is True:
        return "Suspended", "muted"
    ready = condition(obj, "Ready") or {}
    if ready.get("status") == "True":
        return "Reconciled", "ok"
    reason = str(ready.get("reason") or "").lower()
    stalled = (condition(obj, "Stalled") or {}).get("status") == "True"
    if ready.get("status") == "False" and (
        stalled or any(word in reason for word in ("stall", "retriesexhausted", "retriesexceeded"))
    ):
        return "Degraded", "err"
    return "Reconciling", "warn"


def cnpg_state(phase: str) -> tuple[str, Tone]:
    """A CloudNativePG cluster phase as a reconcile state (spec cloud.md §2): fail/unrecoverable → Degraded,
    healthy → Reconciled, anything else (setting up, upgrading, switching over) → Reconciling."""
    word = phase.lower()
    if "fail" in word or "unrecoverable" in word:
        return "Degraded", "err"
    if "healthy" in word:
        return "Reconciled", "ok"
    return "Reconciling", "warn"


def restarts_tone(count: int) -> Tone:
    """The RESTARTS cell's tone (spec cloud.md §2): 0 muted, 1–4 warn, 5 or more err."""
    if count <= 0:
        return "muted"
    return "warn" if count < 5 else "err"
