"""Impersonation: the identity a request acts as once its `Impersonate-*` headers are honoured, as
`apiserver/pkg/endpoints/filters/impersonation` does it (each requested identity is itself authorized).
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.datastructures import Headers

from sovereign_sandbox import errors
from sovereign_sandbox.auth.authentication import AUTHENTICATED, User
from sovereign_sandbox.auth.authorization import Attributes, Authorizer, forbidden_error

__all__ = ["impersonate"]

_ANONYMOUS = "system:anonymous"
_UNAUTHENTICATED = "system:unauthenticated"
_SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
_EXTRA_HEADER_PREFIX = "impersonate-extra-"


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
