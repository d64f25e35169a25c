"""Resource actions (scale, restart, delete, Flux reconcile/suspend/resume) and which of them to offer.

Which actions a kind supports is the kind's own declaration (`Kind.capabilities`). Each action is made
through the person's own `KubeApi`, so the API server enforces RBAC again whatever the UI offered; each
attempt lands in the audit log when one is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from console.audit.log import AuditLog, Result
from console.kube.access import AccessQuestion, AccessReviews
from console.kube.api import JsonObject, KubeApi, KubeApiError
from console.kube.capabilities import Capability
from console.kube.edits import Forbidden, WriteFailed, audit_target, object_path, write_error
from console.kube.kinds import Kind

MERGE_PATCH = "application/merge-patch+json"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
RECONCILE_REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"

T = TypeVar("T")


class ActionRefused(ValueError):
    """The request is not valid as given (bad replicas, wrong confirmation, wrong kind); nothing was sent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Deleted:
    finalizing: bool  # True: still present with a deletionTimestamp (graceful deletion or finalizers)


def _now() -> str:
    """RFC 3339 in UTC, as `kubectl rollout restart` and `flux reconcile` write it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_replicas(replicas: object) -> int:
    """A non-negative int from an int or its decimal text; raises `ActionRefused`."""
    if isinstance(replicas, bool):
        raise ActionRefused("Replicas must be a non-negative integer.")
    if isinstance(replicas, str) and replicas.strip().isdecimal() and replicas.strip().isascii():
        replicas = int(replicas.strip())
    if not isinstance(replicas, int) or replicas < 0:
        raise ActionRefused("Replicas must be a non-negative integer.")
    return replicas


async def _audited(
    action: str,
    kind: Kind,
    namespace: str,
    name: str,
    work: Awaitable[T],
    detail: str,
    audit: AuditLog | None,
    actor: str,
) -> T:
    """Run one write; record its result (denied on 403) and turn an API error into a `WriteFailed`."""
    target = audit_target(kind, namespace, name)
    if audit is not None:
        await audit.ensure_writable()  # no change the audit log could not record
    try:
        try:
            result = await work
        except KubeApiError as error:
            raise write_error(error) from error
    except (WriteFailed, ActionRefused) as failure:
        if audit is not None:
            outcome: Result = "denied" if isinstance(failure, Forbidden) else "error"
            await audit.record(actor, action, target, outcome, failure.message)
        raise
    if audit is not None:
        await audit.record(actor, action, target, "ok", detail)
    return result


async def _refused(message: str) -> Any:
    raise ActionRefused(message)


async def scale(
    api: KubeApi,
    kind: Kind,
    namespace: str,
    name: str,
    replicas: object,
    *,
    audit: AuditLog | None = None,
    actor: str = "",
) -> int:
    """Set replicas through the scale subresource; returns the replicas the server now wants.

    Raises:
        ActionRefused: the kind cannot be scaled, or not a non-negative integer. Forbidden, WriteFailed: the
            API server's answer.
    """
    try:
        if Capability.SCALE not in kind.capabilities:
            raise ActionRefused(f"{kind.kind} cannot be scaled.")
        wanted = parse_replicas(replicas)
    except ActionRefused as refused:
        return await _audited("scale", kind, namespace, name, _refused(refused.message), "", audit, actor)
    path = f"{object_path(kind, namespace, name)}/scale"
    answer = await _audited(
        "scale",
        kind,
        namespace,
        name,
        api.patch(path, {"spec": {"replicas": wanted}}, MERGE_PATCH),
        f"replicas={wanted}",
        audit,
        actor,
    )
    return int((answer.get("spec") or {}).get("replicas", wanted))


async def restart(
    api: KubeApi, kind: Kind, namespace: str, name: str, *, audit: AuditLog | None = None, actor: str = ""
) -> str:
    """Roll the pods like `kubectl rollout restart`; returns the timestamp ("Restart requested at <ts>.")."""
    requested_at = _now()
    body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: requested_at}}}}}
    work = (
        api.patch(object_path(kind, namespace, name), body, MERGE_PATCH)
        if Capability.RESTART in kind.capabilities
        else _refused(f"{kind.kind} cannot be restarted.")
    )
    await _audited("restart", kind, namespace, name, work, f"restartedAt={requested_at}", audit, actor)
    return requested_at


async def delete(
    api: KubeApi,
    kind: Kind,
    namespace: str,
    name: str,
    confirmation: str,
    *,
    audit: AuditLog | None = None,
    actor: str = "",
) -> Deleted:
    """Delete once the person typed the object's name exactly.

    Raises:
        ActionRefused: "Type <name> to confirm." Forbidden, WriteFailed: the API server's answer.
    """
    work = (
        api.delete(object_path(kind, namespace, name)) if confirmation == name else _refused(f"Type {name} to confirm.")
    )
    answer: JsonObject = await _audited("delete", kind, namespace, name, work, "", audit, actor)
    finalizing = answer.get("kind") != "Status" and bool((answer.get("metadata") or {}).get("deletionTimestamp"))
    return Deleted(finalizing)


async def reconcile_now(
    api: KubeApi, kind: Kind, namespace: str, name: str, *, audit: AuditLog | None = None, actor: str = ""
) -> str:
    """Ask Flux to reconcile now (`reconcile.fluxcd.io/requestedAt`); returns the timestamp written."""
    requested_at = _now()
    body = {"metadata": {"annotations": {RECONCILE_REQUESTED_AT: requested_at}}}
    await _flux_patch("reconcile", api, kind, namespace, name, body, f"requestedAt={requested_at}", audit, actor)
    return requested_at


async def suspend(
    api: KubeApi, kind: Kind, namespace: str, name: str, *, audit: AuditLog | None = None, actor: str = ""
) -> None:
    """Set `spec.suspend: true`: Flux stops reconciling this object."""
    await _flux_patch("suspend", api, kind, namespace, name, {"spec": {"suspend": True}}, "", audit, actor)


async def resume(
    api: KubeApi, kind: Kind, namespace: str, name: str, *, audit: AuditLog | None = None, actor: str = ""
) -> None:
    """Set `spec.suspend: false`: Flux reconciles this object again."""
    await _flux_patch("resume", api, kind, namespace, name, {"spec": {"suspend": False}}, "", audit, actor)


async def _flux_patch(
    action: str,
    api: KubeApi,
    kind: Kind,
    namespace: str,
    name: str,
    body: JsonObject,
    detail: str,
    audit: AuditLog | None,
    actor: str,
) -> None:
    work = (
        api.patch(object_path(kind, namespace, name), body, MERGE_PATCH)
        if Capability.RECONCILE in kind.capabilities
        else _refused(f"{kind.kind} is not a Flux kind.")
    )
    await _audited(action, kind, namespace, name, work, detail, audit, actor)


def _questions(kind: Kind, namespace: str, name: str) -> dict[str, AccessQuestion]:
    """Each action the kind's capabilities allow → the access it needs (scoped to this object)."""
    resource = kind.resource
    if resource is None:
        return {}
    scope = {"group": resource.group, "namespace": namespace if kind.namespaced else "", "name": name}
    questions = {
        "edit": AccessQuestion("patch", resource.plural, **scope),
        "force-apply": AccessQuestion("update", resource.plural, **scope),
        "delete": AccessQuestion("delete", resource.plural, **scope),
    }
    if Capability.SCALE in kind.capabilities:
        questions["scale"] = AccessQuestion("update", resource.plural, subresource="scale", **scope)
    if Capability.RESTART in kind.capabilities:
        questions["restart"] = AccessQuestion("patch", resource.plural, **scope)
    if Capability.EXEC in kind.capabilities:
        questions["exec"] = AccessQuestion("create", resource.plural, subresource="exec", **scope)
    if Capability.RECONCILE in kind.capabilities:
        for action in ("reconcile", "suspend", "resume"):
            questions[action] = AccessQuestion("patch", resource.plural, **scope)
    return questions


async def allowed_actions(
    api: KubeApi, reviews: AccessReviews, person: str, kind: Kind, namespace: str, name: str
) -> set[str]:
    """The actions to offer this person on this object, decided by SelfSubjectAccessReviews as the person.

    Names: edit, force-apply, delete, scale, restart, exec, reconcile, suspend, resume (only those the
    kind supports). `api` must act as the person; `person` keys the review cache.
    """
    questions = _questions(kind, namespace, name)
    answers = await asyncio.gather(*(reviews.allowed(api, person, question) for question in questions.values()))
    return {action for action, allowed in zip(questions, answers, strict=True) if allowed}


__all__ = [
    "RECONCILE_REQUESTED_AT",
    "RESTARTED_AT",
    "ActionRefused",
    "Deleted",
    "allowed_actions",
    "delete",
    "parse_replicas",
    "reconcile_now",
    "restart",
    "resume",
    "scale",
    "suspend",
]
