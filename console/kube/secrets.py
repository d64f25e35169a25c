"""Revealing a Secret's values: an explicit, audited read made as the person.

The overview shows key names only. Values are read only when the person asks, through their own `KubeApi`
(so the API server's RBAC decides), and every attempt is audited as `secret.reveal` with ok, denied or
error. Values never go into the audit record or any log line: only the key names do.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from console.audit.log import AuditLog, Result
from console.kube.access import AccessQuestion, AccessReviews
from console.kube.api import KubeApi, KubeApiError

ACTION = "secret.reveal"


class RevealFailed(Exception):
    """The values could not be read; `message` says why in plain words, `denied` when RBAC refused."""

    def __init__(self, message: str, denied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.denied = denied


@dataclass(frozen=True, slots=True)
class SecretValue:
    key: str
    value: str  # the decoded text, or a note for binary data
    binary: bool = False


def secret_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{namespace}/secrets/{name}"


def audit_target(namespace: str, name: str) -> str:
    return f"secrets/{namespace}/{name}"


def reveal_question(namespace: str, name: str) -> AccessQuestion:
    return AccessQuestion("get", "secrets", namespace=namespace, name=name)


async def may_reveal(api: KubeApi, reviews: AccessReviews, person: str, namespace: str, name: str) -> bool:
    """Whether to offer "Reveal values": a SelfSubjectAccessReview (as the person) for `get` on this secret."""
    return await reviews.allowed(api, person, reveal_question(namespace, name))


def decode(data: dict[str, object] | None) -> list[SecretValue]:
    """The Secret's `data` decoded, sorted by key; binary values are described, not shown."""
    values = []
    for key in sorted(data or {}):
        raw = data[key] if isinstance(data[key], str) else ""  # type: ignore[index]
        try:
            decoded = base64.b64decode(str(raw), validate=True)
        except (binascii.Error, ValueError):
            values.append(SecretValue(key, "(not valid base64)", binary=True))
            continue
        try:
            values.append(SecretValue(key, decoded.decode("utf-8")))
        except UnicodeDecodeError:
            values.append(SecretValue(key, f"(binary, {len(decoded)} bytes)", binary=True))
    return values


async def reveal(api: KubeApi, namespace: str, name: str, *, audit: AuditLog, actor: str) -> list[SecretValue]:
    """Read the Secret as the person and decode its values; audit the attempt (never the values).

    Raises:
        RevealFailed: the API server refused (403: `denied`) or failed; the attempt is audited either way.
    """
    target = audit_target(namespace, name)
    await audit.ensure_writable()  # no reveal the audit log could not record
    try:
        obj = await api.get(secret_path(namespace, name))
    except KubeApiError as error:
        result: Result = "denied" if error.status == 403 else "error"
        await audit.record(actor, ACTION, target, result, error.message)
        if error.status == 403:
            raise RevealFailed(f"You may not read this Secret's values: {error.message}", denied=True) from error
        if error.status == 404:
            raise RevealFailed("Not Found") from error
        raise RevealFailed(error.message) from error
    values = decode(obj.get("data"))  # type: ignore[arg-type]
    await audit.record(actor, ACTION, target, "ok", "keys=" + ",".join(value.key for value in values))
    return values


__all__ = ["ACTION", "RevealFailed", "SecretValue", "decode", "may_reveal", "reveal", "reveal_question", "secret_path"]
