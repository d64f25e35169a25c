"""What a request may do: its attributes in RBAC's terms, the authorizer's decision, and the 403 a no becomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sovereign_sandbox import errors
from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.errors import ApiError

__all__ = ["Attributes", "Authorizer", "Decision", "allow_all", "forbidden_error"]


@dataclass(frozen=True, slots=True)
class Attributes:
    """What a request asks to do, in the terms RBAC rules use."""

    verb: str  # get, list, watch, create, update, patch, delete, deletecollection; the HTTP method for paths
    group: str = ""
    resource: str = ""  # plural; empty for non-resource requests
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""  # for non-resource requests (/version, /healthz)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)


Authorizer = Callable[[User, Attributes], Decision]


def allow_all(user: User, attributes: Attributes) -> Decision:
    """An authorizer that allows everything; the cluster uses RBAC (`auth.rbac`) unless told otherwise."""
    return Decision(True)


def forbidden_error(user: User, attributes: Attributes) -> ApiError:
    """403 with the real message shape (`handlers/responsewriters/errors.go forbiddenMessage`)."""
    if not attributes.resource:
        message = f'forbidden: User "{user.name}" cannot {attributes.verb} path "{attributes.path}"'
        return ApiError(403, "Forbidden", message, {})
    resource = attributes.resource + (f"/{attributes.subresource}" if attributes.subresource else "")
    subject = errors.qualified(attributes.resource, attributes.group)
    if attributes.name:
        subject += f' "{attributes.name}"'
    scope = f'in the namespace "{attributes.namespace}"' if attributes.namespace else "at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user.name}" cannot {attributes.verb} resource "{resource}" '
        f'in API group "{attributes.group}" {scope}'
    )
    return errors.forbidden(message, attributes.resource, attributes.group, attributes.name)
