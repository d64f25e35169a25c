"""Authentication by static bearer tokens and the authorization hook (allow-all until RBAC lands)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from console.sandbox import errors
from console.sandbox.errors import ApiError

__all__ = [
    "ANONYMOUS_ADMIN",
    "Attributes",
    "Authorizer",
    "Decision",
    "User",
    "allow_all",
    "authenticate",
    "forbidden_error",
]


@dataclass(frozen=True, slots=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""


# Who plain-HTTP requests without a token act as (in-process tests only; kubectl never sends tokens over http).
ANONYMOUS_ADMIN = User("system:admin", ("system:masters", "system:authenticated"))


@dataclass(frozen=True, slots=True)
class Attributes:
    """What a request asks to do, in the terms RBAC rules use."""

    verb: str  # get, list, watch, create, update, patch, delete, deletecollection
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
    """The authorizer until RBAC evaluation lands. TODO(#rbac): evaluate Roles and bindings from the store."""
    return Decision(True, "sandbox: authorization not enforced yet")


def authenticate(authorization: str | None, tokens: Mapping[str, User], anonymous: User | None) -> User:
    """The user a request's `Authorization` header names.

    Raises:
        ApiError: 401 for an unknown token, or no token where anonymous access is off.
    """
    if authorization:
        scheme, _, token = authorization.partition(" ")
        user = tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise errors.unauthorized()
        return User(user.name, (*user.groups, "system:authenticated"), user.uid)
    if anonymous is None:
        raise errors.unauthorized()
    return anonymous


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
