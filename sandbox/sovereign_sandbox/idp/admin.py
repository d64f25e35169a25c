"""Admin REST: users, their groups and their role mappings (base `/admin/realms/<realm>`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sovereign_sandbox.idp.admin_groups import GroupsApi
from sovereign_sandbox.idp.admin_support import (
    admin_route,
    bad_request,
    conflict,
    created,
    flag,
    not_found,
    page,
    read_json,
    resolve_roles,
)
from sovereign_sandbox.idp.provider import Provider
from sovereign_sandbox.idp.realm import Role, User
from sovereign_sandbox.idp.representations import group_representation, role_representation, user_representation
from sovereign_sandbox.idp.seed import add_user

__all__ = ["admin_routes"]


def _matches_search(user: User, search: str) -> bool:
    """Keycloak's `search`: prefix by default, `*x*` infix, `"x"` exact; over username, email, first, last name."""
    fields = [user.username, user.email.lower(), user.first_name.lower(), user.last_name.lower()]
    term = search.strip().lower()
    if len(term) >= 2 and term.startswith('"') and term.endswith('"'):
        return term[1:-1] in fields
    if term.startswith("*"):
        return any(term.strip("*") in field for field in fields)
    return any(field.startswith(term.rstrip("*")) for field in fields)


class UsersApi:
    def __init__(self, provider: Provider):
        self.provider = provider
        self.realm = provider.realm

    def _user(self, request: Request) -> User:
        user = self.realm.users.get(request.path_params["user_id"])
        if user is None:
            raise not_found("User not found")
        return user

    def _filtered(self, request: Request) -> list[User]:
        query = request.query_params
        exact = flag(request, "exact", False)
        users = [user for user in self.realm.users.values() if user.service_account_of is None]
        if search := query.get("search"):
            users = [user for user in users if search == "*" or _matches_search(user, search)]
        for parameter, attribute in (
            ("username", "username"),
            ("email", "email"),
            ("firstName", "first_name"),
            ("lastName", "last_name"),
        ):
            if (wanted := query.get(parameter)) is not None:
                wanted = wanted.lower()
                users = [
                    user
                    for user in users
                    if (
                        getattr(user, attribute).lower() == wanted
                        if exact
                        else wanted in getattr(user, attribute).lower()
                    )
                ]
        if (enabled := query.get("enabled")) is not None:
            users = [user for user in users if user.enabled == (enabled.lower() == "true")]
        for pair in (query.get("q") or "").split():
            key, _, value = pair.partition(":")
            users = [user for user in users if value in user.attributes.get(key, [])]
        return sorted(users, key=lambda user: user.username)

    async def list_users(self, request: Request) -> Response:
        brief = flag(request, "briefRepresentation", False)
        return JSONResponse([user_representation(user, brief=brief) for user in page(self._filtered(request), request)])

    async def count(self, request: Request) -> Response:
        return JSONResponse(len(self._filtered(request)))

    async def get(self, request: Request) -> Response:
        return JSONResponse(user_representation(self._user(request)))

    async def create(self, request: Request) -> Response:
        body = await read_json(request)
        username = str(body.get("username") or "").strip().lower()
        if not username:
            raise bad_request("User name is missing")
        if self.realm.user_by_username(username):
            raise conflict("User exists with same username")
        email = str(body.get("email") or "")
        if email and self.realm.user_by_email(email):
            raise conflict("User exists with same email")
        for path in body.get("groups") or []:
            if self.realm.group_by_path(path) is None:
                raise bad_request(f"Group {path} not found")
        password = next(
            (
                credential.get("value")
                for credential in body.get("credentials") or []
                if credential.get("type") == "password"
            ),
            None,
        )
        user = add_user(
            self.realm,
            username,
            user_id=str(uuid.uuid4()),
            password=password,
            first_name=str(body.get("firstName") or ""),
            last_name=str(body.get("lastName") or ""),
            email=email,
            group_paths=body.get("groups") or [],
            attributes={
                key: list(value) if isinstance(value, list) else [str(value)]
                for key, value in (body.get("attributes") or {}).items()
            },
        )
        user.email_verified = bool(body.get("emailVerified", False))
        user.enabled = bool(body.get("enabled", True))
        return created(request, f"/admin/realms/{self.realm.name}/users/{user.id}")

    async def update(self, request: Request) -> Response:
        user = self._user(request)
        body = await read_json(request)
        if "username" in body and str(body["username"]).lower() != user.username:
            raise bad_request("error-user-attribute-read-only")
        if "email" in body:
            other = self.realm.user_by_email(str(body["email"] or "")) if body["email"] else None
            if other is not None and other.id != user.id:
                raise conflict("User exists with same email")
            user.email = str(body["email"] or "").lower()
        for key, attribute in (("firstName", "first_name"), ("lastName", "last_name")):
            if key in body:
                setattr(user, attribute, str(body[key] or ""))
        for key, attribute in (("enabled", "enabled"), ("emailVerified", "email_verified")):
            if key in body:
                setattr(user, attribute, bool(body[key]))
        if isinstance(body.get("attributes"), dict):
            user.attributes = {
                key: list(value) if isinstance(value, list) else [str(value)]
                for key, value in body["attributes"].items()
            }
        if not user.enabled:
            self.realm.sessions.end_user_sessions(user.id)
        return Response(status_code=204)

    async def delete(self, request: Request) -> Response:
        self.realm.delete_user(self._user(request))
        return Response(status_code=204)

    async def reset_password(self, request: Request) -> Response:
        user = self._user(request)
        body = await read_json(request)
        if not body.get("value"):
            raise bad_request("Password is missing")  # never echo the value
        user.password = str(body["value"])
        return Response(status_code=204)

    async def logout(self, request: Request) -> Response:
        self.realm.sessions.end_user_sessions(self._user(request).id)
        return Response(status_code=204)

    async def groups(self, request: Request) -> Response:
        user = self._user(request)
        brief = flag(request, "briefRepresentation", True)
        groups = sorted((self.realm.groups[group_id] for group_id in user.group_ids), key=self.realm.group_path)
        if search := request.query_params.get("search"):
            groups = [group for group in groups if search.lower() in group.name.lower()]
        return JSONResponse([group_representation(self.realm, group, brief=brief) for group in page(groups, request)])

    async def groups_count(self, request: Request) -> Response:
        return JSONResponse({"count": len(self._user(request).group_ids)})

    async def join_group(self, request: Request) -> Response:
        user = self._user(request)
        group = self.realm.groups.get(request.path_params["group_id"])
        if group is None:
            raise not_found("Group not found")
        if request.method == "PUT":
            user.group_ids.add(group.id)
        else:
            user.group_ids.discard(group.id)
        return Response(status_code=204)

    async def role_mappings(self, request: Request) -> Response:
        user = self._user(request)
        roles = [self.realm.roles[role_id] for role_id in user.role_ids]
        body: dict[str, object] = {}
        realm_roles = [role_representation(self.realm, role, brief=True) for role in roles if role.client_uuid is None]
        if realm_roles:
            body["realmMappings"] = sorted(realm_roles, key=lambda role: str(role["name"]))
        client_mappings: dict[str, dict[str, Any]] = {}
        for role in sorted((role for role in roles if role.client_uuid), key=lambda role: role.name):
            client = self.realm.clients[role.client_uuid or ""]
            entry = client_mappings.setdefault(
                client.client_id, {"id": client.id, "client": client.client_id, "mappings": []}
            )
            entry["mappings"].append(role_representation(self.realm, role, brief=True))
        if client_mappings:
            body["clientMappings"] = client_mappings
        return JSONResponse(body)

    def _container_roles(self, request: Request) -> tuple[list[Role], Callable[[str], Role | None]]:
        client_uuid = request.path_params.get("client_uuid")
        if client_uuid is None:
            return self.realm.realm_roles(), self.realm.realm_role
        client = self.realm.clients.get(client_uuid)
        if client is None:
            raise not_found("Could not find client")
        return self.realm.client_roles(client), lambda name: self.realm.client_role(client, name)  # noqa: B023

    async def realm_mappings(self, request: Request) -> Response:
        """GET/POST/DELETE of the direct realm (or one client's) role mappings, plus /available and /composite."""
        user = self._user(request)
        container_roles, lookup = self._container_roles(request)
        view = request.path_params.get("view", "")
        if request.method == "GET":
            if view == "composite":
                effective = self.realm.effective_role_ids(user)
                roles = [role for role in container_roles if role.id in effective]
            elif view == "available":
                roles = [role for role in container_roles if role.id not in user.role_ids]
            else:
                roles = [role for role in container_roles if role.id in user.role_ids]
            return JSONResponse([role_representation(self.realm, role, brief=True) for role in roles])
        roles = resolve_roles(await read_json(request, list), lookup)
        for role in roles:
            if request.method == "POST":
                user.role_ids.add(role.id)
            else:
                user.role_ids.discard(role.id)
        return Response(status_code=204)


def admin_routes(provider: Provider) -> list[Route]:
    users, groups = UsersApi(provider), GroupsApi(provider)
    user = "/users/{user_id}"
    table = [
        ("GET", "/users", users.list_users, "users.view"),
        ("POST", "/users", users.create, "users.manage"),
        ("GET", "/users/count", users.count, "users.view"),
        ("GET", user, users.get, "users.view"),
        ("PUT", user, users.update, "users.manage"),
        ("DELETE", user, users.delete, "users.manage"),
        ("PUT", f"{user}/reset-password", users.reset_password, "users.manage"),
        ("POST", f"{user}/logout", users.logout, "users.manage"),
        ("GET", f"{user}/groups", users.groups, "users.view"),
        ("GET", f"{user}/groups/count", users.groups_count, "users.view"),
        ("PUT", f"{user}/groups/{{group_id}}", users.join_group, "users.manage"),
        ("DELETE", f"{user}/groups/{{group_id}}", users.join_group, "users.manage"),
        ("GET", f"{user}/role-mappings", users.role_mappings, "users.view"),
    ]
    for base in (f"{user}/role-mappings/realm", f"{user}/role-mappings/clients/{{client_uuid}}"):
        table += [
            ("GET", base, users.realm_mappings, "users.view"),
            ("GET", f"{base}/{{view:str}}", users.realm_mappings, "users.view"),
            ("POST", base, users.realm_mappings, "users.manage"),
            ("DELETE", base, users.realm_mappings, "users.manage"),
        ]
    table += groups.table()
    return [admin_route(provider, method, path, handler, permission) for method, path, handler, permission in table]
