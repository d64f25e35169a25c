"""API errors as exceptions that render to real Kubernetes `Status` bodies."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "already_exists",
    "bad_request",
    "conflict",
    "expired",
    "forbidden",
    "invalid",
    "method_not_allowed",
    "namespace_terminating",
    "precondition_failed",
    "not_found",
    "qualified",
    "status_body",
    "unauthorized",
    "unsupported_media_type",
]


class ApiError(Exception):
    """A failed API call; `status` is the full `Status` object sent to the client."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    @property
    def status(self) -> dict[str, Any]:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `Status` failure body in the field order the real server uses."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:  # an empty StatusDetails still serializes, as `"details":{}`
        body["details"] = details
    body["code"] = code
    return body


def qualified(plural: str, group: str) -> str:
    """`pods` for the core group, `deployments.apps` otherwise (apimachinery's GroupResource.String)."""
    return f"{plural}.{group}" if group else plural


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    return details


def not_found(plural: str, group: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{qualified(plural, group)} "{name}" not found', _details(name, group, plural))


def already_exists(plural: str, group: str, name: str) -> ApiError:
    message = f'{qualified(plural, group)} "{name}" already exists'
    return ApiError(409, "AlreadyExists", message, _details(name, group, plural))


def conflict(plural: str, group: str, name: str) -> ApiError:
    message = (
        f'Operation cannot be fulfilled on {qualified(plural, group)} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(name, group, plural))


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> ApiError:
    """422 Invalid; causes are {reason, message, field}; the message names `Kind.group` and lists `field: message`."""
    summary = ", ".join(f"{cause['field']}: {cause['message']}" for cause in causes)
    if len(causes) > 1:
        summary = f"[{summary}]"
    details = _details(name, group, kind)
    details["causes"] = causes
    qualified_kind = f"{kind}.{group}" if group else kind
    return ApiError(422, "Invalid", f'{qualified_kind} "{name}" is invalid: {summary}', details)


def namespace_terminating(plural: str, group: str, name: str, namespace: str) -> ApiError:
    """403 for a create in a namespace being deleted (the NamespaceLifecycle admission plugin)."""
    message = (
        f'{qualified(plural, group)} "{name}" is forbidden: unable to create new content in namespace {namespace} '
        "because it is being terminated"
    )
    details = _details(name, group, plural)
    details["causes"] = [
        {
            "reason": "NamespaceTerminating",
            "message": f"namespace {namespace} is being terminated",
            "field": "metadata.namespace",
        }
    ]
    return ApiError(403, "Forbidden", message, details)


def precondition_failed(plural: str, group: str, name: str, label: str, wanted: str, actual: str) -> ApiError:
    """409 for a delete whose preconditions (uid, resourceVersion) do not hold."""
    error = conflict(plural, group, name)
    error.message = (
        f'Operation cannot be fulfilled on {qualified(plural, group)} "{name}": Precondition failed: '
        f"{label} in precondition: {wanted}, {label} in object meta: {actual}"
    )
    return error


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(message: str, plural: str, group: str, name: str = "") -> ApiError:
    return ApiError(403, "Forbidden", message, _details(name, group, plural))


def method_not_allowed(action: str, plural: str, group: str) -> ApiError:
    message = f'{action} is not supported on resources of kind "{qualified(plural, group)}"'
    return ApiError(405, "MethodNotAllowed", message, _details("", group, plural))


def unsupported_media_type(content_type: str, accepted: list[str]) -> ApiError:
    message = f"the body of the request was in an unknown format - accepted media types include: {', '.join(accepted)}"
    return ApiError(415, "UnsupportedMediaType", message)
