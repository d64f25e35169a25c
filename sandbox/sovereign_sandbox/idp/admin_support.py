"""Shared plumbing of the Admin REST API: bearer checks with realm-management roles, errors, paging, bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sovereign_sandbox.idp.provider import Provider
from sovereign_sandbox.idp.realm import Role
from sovereign_sandbox.idp.tokens import InvalidToken

__all__ = [
    "PERMISSIONS",
    "AdminError",
    "admin_route",
    "bad_request",
    "conflict",
    "created",
    "flag",
    "not_found",
    "page",
    "read_json",
    "resolve_roles",
]

# Which realm-management client roles allow what; any one role of the tuple is enough.
PERMISSIONS = {
    "users.view": ("view-users", "query-users", "manage-users"),
    "users.manage": ("manage-users",),
    "groups.view": ("query-groups", "view-users", "manage-users"),
    "roles.view": ("view-realm", "manage-realm", "view-users", "manage-users"),
    "roles.manage": ("manage-realm",),
    "clients.view": ("view-clients", "query-clients", "manage-clients"),
    "clients.manage": ("manage-clients",),
}
_SERVER_LOG = "For more on this error consult the server log."
_Item = TypeVar("_Item")
Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status_code: int, body: dict[str, Any]):
        super().__init__(str(body))
        self.status_code, self.body = status_code, body

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, self.status_code)


def not_found(message: str) -> AdminError:
    return AdminError(404, {"error": message, "error_description": _SERVER_LOG})


def bad_request(message: str) -> AdminError:
    return AdminError(400, {"errorMessage": message})


def conflict(message: str) -> AdminError:
    """Model conflicts (duplicates) carry `errorMessage`, unlike JAX-RS errors."""
    return AdminError(409, {"errorMessage": message})


def created(request: Request, path: str) -> Response:
    """201 with an empty body and an absolute Location, as every Keycloak create does."""
    return Response(status_code=201, headers={"Location": f"{str(request.base_url).rstrip('/')}{path}"})


def flag(request: Request, name: str, default: bool) -> bool:
    value = request.query_params.get(name)
    return default if value is None else value.lower() == "true"


def page(items: Sequence[_Item], request: Request, default_max: int = 100) -> list[_Item]:
    """Keycloak's `first`/`max` paging (a negative max means no limit)."""
    try:
        first = max(int(request.query_params.get("first", 0)), 0)
        limit = int(request.query_params.get("max", default_max))
    except ValueError as error:
        raise bad_request("Invalid paging parameters") from error
    return list(items[first:] if limit < 0 else items[first : first + limit])


async def read_json(request: Request, expected: type = dict) -> Any:
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError as error:
        raise AdminError(400, {"error": "unknown_error", "error_description": "Invalid JSON body"}) from error
    if not isinstance(body, expected):
        raise AdminError(400, {"error": "unknown_error", "error_description": "Unexpected JSON body"})
    return body


def resolve_roles(body: list[Any], lookup: Callable[[str], Role | None]) -> list[Role]:
    """Roles named in a mapping body; each must match by name AND id (`RoleMapperResource`), else 404."""
    roles = []
    for entry in body:
        role = lookup(str(entry.get("name", ""))) if isinstance(entry, dict) else None
        if role is None or not isinstance(entry, dict) or entry.get("id") != role.id:
            raise not_found("Role not found")
        roles.append(role)
    return roles


def _authorize(provider: Provider, request: Request, permission: str) -> None:
    try:
        bearer = provider.verify_bearer(request.headers.get("authorization"))
    except InvalidToken as error:
        raise AdminError(401, {"error": "HTTP 401 Unauthorized"}) from error
    granted = set(bearer.claims.get("resource_access", {}).get("realm-management", {}).get("roles", []))
    if not granted.intersection(PERMISSIONS[permission]):
        raise AdminError(403, {"error": "HTTP 403 Forbidden"})


def admin_route(provider: Provider, method: str, path: str, handler: Handler, permission: str) -> Route:
    """A route under `/admin/realms/<realm>` that checks the bearer token's permission before `handler`."""

    async def endpoint(request: Request) -> Response:
        try:
            _authorize(provider, request, permission)
            return await handler(request)
        except AdminError as error:
            return error.response()

    return Route(f"/admin/realms/{provider.realm.name}{path}", endpoint, methods=[method])
