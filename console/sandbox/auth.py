"""Who a request is: bearer-token authentication, impersonation headers, and the 403 the authorizer's no becomes.

Authentication order follows the real server's union authenticator: static tokens first, then OIDC access
tokens (`console.sandbox.oidc`). Impersonation follows `apiserver/pkg/endpoints/filters/impersonation`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote

from starlette.datastructures import Headers

from console.sandbox import errors
from console.sandbox.errors import ApiError

__all__ = [
    "ANONYMOUS_ADMIN",
    "AUTHENTICATED",
    "Attributes",
    "Authorizer",
    "Decision",
    "TokenVerifier",
    "User",
    "allow_all",
    "authenticate",
    "authenticate_request",
    "forbidden_error",
    "impersonate",
]

AUTHENTICATED = "system:authenticated"
_ANONYMOUS = "system:anonymous"
_UNAUTHENTICATED = "system:unauthenticated"
_SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
_EXTRA_HEADER_PREFIX = "impersonate-extra-"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    # (key, values) pairs rather than a dict so a User stays hashable.
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


# Who plain-HTTP requests without a token act as (in-process tests only; kubectl never sends tokens over http).
ANONYMOUS_ADMIN = User("system:admin", ("system:masters", AUTHENTICATED))


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


class TokenVerifier(Protocol):
    """Turns a bearer token it recognises into a user (None: not one of its tokens, or not valid)."""

    def __call__(self, token: str) -> Awaitable[User | None]: ...


def allow_all(user: User, attributes: Attributes) -> Decision:
    """An authorizer that allows everything; the cluster uses RBAC (`console.sandbox.rbac`) unless told otherwise."""
    return Decision(True)


def _with_authenticated(user: User) -> User:
    if AUTHENTICATED in user.groups:
        return user
    return User(user.name, (*user.groups, AUTHENTICATED), user.uid, user.extra)


def authenticate(authorization: str | None, tokens: Mapping[str, User], anonymous: User | None) -> User:
    """The user a request's `Authorization` header names, by static token only.

    Raises:
        ApiError: 401 for an unknown token, or no token where anonymous access is off.
    """
    if authorization:
        scheme, _, token = authorization.partition(" ")
        user = tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise errors.unauthorized()
        return _with_authenticated(user)
    if anonymous is None:
        raise errors.unauthorized()
    return anonymous


async def authenticate_request(
    authorization: str | None,
    tokens: Mapping[str, User],
    anonymous: User | None,
    verifier: TokenVerifier | None = None,
) -> User:
    """Like `authenticate`, falling back to `verifier` (OIDC) for bearer tokens that are not static ones.

    Raises:
        ApiError: 401 when no authenticator accepts the token.
    """
    try:
        return authenticate(authorization, tokens, anonymous)
    except ApiError:
        scheme, _, token = (authorization or "").partition(" ")
        if verifier is None or scheme.lower() != "bearer" or not token.strip():
            raise
        user = await verifier(token.strip())
        if user is None:
            raise
        return _with_authenticated(user)


def _header_reference(kind: str, name: str, namespace: str = "", field_path: str = "") -> str:
    """An ObjectReference as Go's `%v` prints it, for the message the real filter writes."""
    return "{" + " ".join((kind, namespace, name, "", "", "", field_path)) + "}"


def impersonate(headers: Headers, requestor: User, authorize: Authorizer) -> User:
    """The identity a request acts as once its `Impersonate-*` headers are honoured (the requestor if none).

    Each requested user, group, uid and extra value needs the `impersonate` verb for the requestor.

    Raises:
        ApiError: 403 when the requestor may not impersonate one of them; 400 for groups, uid or extras
            without a user.
    """
    requested_user = headers.get("impersonate-user", "")
    groups = headers.getlist("impersonate-group")
    requested_uid = headers.get("impersonate-uid", "")
    extras: dict[str, list[str]] = {}
    for header, value in headers.items():
        if header.lower().startswith(_EXTRA_HEADER_PREFIX):
            extras.setdefault(unquote(header.lower()[len(_EXTRA_HEADER_PREFIX) :]), []).append(value)
    if not (requested_user or groups or requested_uid or extras):
        return requestor
    checks: list[Attributes] = []
    default_groups: list[str] = []
    if requested_user.startswith(_SERVICE_ACCOUNT_PREFIX) and requested_user.count(":") == 3:
        _, _, namespace, name = requested_user.split(":")
        checks.append(Attributes("impersonate", "", "serviceaccounts", namespace=namespace, name=name))
        default_groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    elif requested_user:
        checks.append(Attributes("impersonate", "", "users", name=requested_user))
    checks += [Attributes("impersonate", "", "groups", name=group) for group in groups]
    for key, values in extras.items():
        checks += [Attributes("impersonate", "authentication.k8s.io", "userextras", key, name=v) for v in values]
    if requested_uid:
        checks.append(Attributes("impersonate", "authentication.k8s.io", "uids", name=requested_uid))
    if not requested_user:
        references = [_header_reference("Group", group) for group in groups]
        references += [_header_reference("UserExtra", v, field_path=k) for k, vs in extras.items() for v in vs]
        if requested_uid:
            references.append(_header_reference("UID", requested_uid))
        raise errors.bad_request(f"requested [{' '.join(references)}] without impersonating a user")
    for attributes in checks:
        if not authorize(requestor, attributes).allowed:
            raise forbidden_error(requestor, attributes)
    resolved_groups = list(groups) or default_groups
    marker = _UNAUTHENTICATED if requested_user == _ANONYMOUS else AUTHENTICATED
    if marker not in resolved_groups:
        resolved_groups.append(marker)
    extra = tuple((key, tuple(values)) for key, values in extras.items())
    return User(requested_user, tuple(resolved_groups), requested_uid, extra)


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
