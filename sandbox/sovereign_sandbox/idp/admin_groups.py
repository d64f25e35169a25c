"""Admin REST: groups (tree, members, role mappings), realm roles, clients and their roles."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sovereign_sandbox.idp.admin_support import (
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
from sovereign_sandbox.idp.realm import Client, Group, Role
from sovereign_sandbox.idp.representations import (
    client_representation,
    group_representation,
    role_representation,
    user_representation,
)

__all__ = ["GroupsApi"]


class GroupsApi:
    def __init__(self, provider: Provider):
        self.provider = provider
        self.realm = provider.realm

    def table(self) -> list[tuple[str, str, Any, str]]:
        group = "/groups/{group_id}"
        role = "/roles/{role_name}"
        client = "/clients/{client_uuid}"
        return [
            ("GET", "/groups", self.list_groups, "groups.view"),
            ("GET", "/groups/count", self.count_groups, "groups.view"),
            ("POST", "/groups", self.create_group, "users.manage"),
            ("GET", group, self.get_group, "groups.view"),
            ("PUT", group, self.update_group, "users.manage"),
            ("DELETE", group, self.delete_group, "users.manage"),
            ("GET", f"{group}/children", self.children, "groups.view"),
            ("POST", f"{group}/children", self.create_group, "users.manage"),
            ("GET", f"{group}/members", self.members, "users.view"),
            ("GET", f"{group}/role-mappings/realm", self.group_realm_mappings, "groups.view"),
            ("POST", f"{group}/role-mappings/realm", self.group_realm_mappings, "users.manage"),
            ("DELETE", f"{group}/role-mappings/realm", self.group_realm_mappings, "users.manage"),
            ("GET", "/group-by-path/{path:path}", self.group_by_path, "groups.view"),
            ("GET", "/roles", self.list_roles, "roles.view"),
            ("POST", "/roles", self.create_role, "roles.manage"),
            ("GET", role, self.get_role, "roles.view"),
            ("DELETE", role, self.delete_role, "roles.manage"),
            ("GET", f"{role}/users", self.role_users, "users.view"),
            ("GET", f"{role}/groups", self.role_groups, "groups.view"),
            ("GET", f"{role}/composites", self.role_composites, "roles.view"),
            ("GET", "/roles-by-id/{role_id}", self.role_by_id, "roles.view"),
            ("GET", "/clients", self.list_clients, "clients.view"),
            ("GET", client, self.get_client, "clients.view"),
            ("PUT", client, self.update_client, "clients.manage"),
            ("GET", f"{client}/roles", self.client_roles, "clients.view"),
            ("POST", f"{client}/roles", self.create_role, "roles.manage"),
            ("GET", f"{client}/roles/{{role_name}}", self.get_role, "clients.view"),
            ("GET", f"{client}/service-account-user", self.service_account_user, "users.view"),
        ]

    def _group(self, request: Request) -> Group:
        group = self.realm.groups.get(request.path_params["group_id"])
        if group is None:
            raise not_found("Could not find group by id")
        return group

    def _pruned(self, group: Group, search: str, exact: bool) -> dict[str, Any] | None:
        """The group with only the branches that lead to a match (how Keycloak's search fills `subGroups`)."""
        hits = group.name == search if exact else search.lower() in group.name.lower()
        children = [pruned for child in self.realm.children(group.id) if (pruned := self._pruned(child, search, exact))]
        if not hits and not children:
            return None
        return group_representation(self.realm, group, sub_groups=children)

    async def list_groups(self, request: Request) -> Response:
        brief = flag(request, "briefRepresentation", True)
        top = self.realm.children(None)
        if search := request.query_params.get("search"):
            exact = flag(request, "exact", False)
            found = [pruned for group in top if (pruned := self._pruned(group, search, exact))]
            return JSONResponse(page(found, request))
        return JSONResponse([group_representation(self.realm, group, brief=brief) for group in page(top, request)])

    async def count_groups(self, request: Request) -> Response:
        top = self.realm.children(None)
        if search := request.query_params.get("search"):
            top = [group for group in top if self._pruned(group, search, False)]
        return JSONResponse({"count": len(top)})

    async def create_group(self, request: Request) -> Response:
        parent = self._group(request) if "group_id" in request.path_params else None
        body = await read_json(request)
        name = str(body.get("name") or "").strip()
        if not name:
            raise bad_request("Group name is missing")
        if any(sibling.name == name for sibling in self.realm.children(parent.id if parent else None)):
            raise conflict(
                f"Sibling group named '{name}' already exists."
                if parent
                else f"Top level group named '{name}' already exists."
            )
        group = self.realm.add_group(name, parent)
        group.attributes = {key: list(value) for key, value in (body.get("attributes") or {}).items()}
        return created(request, f"/admin/realms/{self.realm.name}/groups/{group.id}")

    async def get_group(self, request: Request) -> Response:
        group = self._group(request)
        return JSONResponse(group_representation(self.realm, group, brief=False))

    async def update_group(self, request: Request) -> Response:
        group = self._group(request)
        body = await read_json(request)
        name = str(body.get("name") or group.name).strip()
        if name != group.name and any(sibling.name == name for sibling in self.realm.children(group.parent_id)):
            raise conflict(f"Sibling group named '{name}' already exists.")
        group.name = name
        if isinstance(body.get("attributes"), dict):
            group.attributes = {key: list(value) for key, value in body["attributes"].items()}
        return Response(status_code=204)

    async def delete_group(self, request: Request) -> Response:
        self.realm.delete_group(self._group(request))
        return Response(status_code=204)

    async def children(self, request: Request) -> Response:
        group = self._group(request)
        brief = flag(request, "briefRepresentation", True)
        children = self.realm.children(group.id)
        return JSONResponse([group_representation(self.realm, child, brief=brief) for child in page(children, request)])

    async def members(self, request: Request) -> Response:
        brief = flag(request, "briefRepresentation", False)
        members = self.realm.members(self._group(request))
        return JSONResponse([user_representation(user, brief=brief) for user in page(members, request)])

    async def group_realm_mappings(self, request: Request) -> Response:
        group = self._group(request)
        if request.method == "GET":
            roles = [role for role in self.realm.realm_roles() if role.id in group.role_ids]
            return JSONResponse([role_representation(self.realm, role, brief=True) for role in roles])
        for role in resolve_roles(await read_json(request, list), self.realm.realm_role):
            if request.method == "POST":
                group.role_ids.add(role.id)
            else:
                group.role_ids.discard(role.id)
        return Response(status_code=204)

    async def group_by_path(self, request: Request) -> Response:
        group = self.realm.group_by_path(request.path_params["path"])
        if group is None:
            raise not_found("Group path does not exist")
        return JSONResponse(group_representation(self.realm, group, brief=False))

    def _client(self, request: Request) -> Client | None:
        if "client_uuid" not in request.path_params:
            return None
        client = self.realm.clients.get(request.path_params["client_uuid"])
        if client is None:
            raise not_found("Could not find client")
        return client

    def _role(self, request: Request) -> Role:
        client = self._client(request)
        name = request.path_params["role_name"]
        role = self.realm.client_role(client, name) if client else self.realm.realm_role(name)
        if role is None:
            raise not_found("Could not find role")
        return role

    async def list_roles(self, request: Request) -> Response:
        roles = self.realm.realm_roles()
        if search := request.query_params.get("search"):
            roles = [role for role in roles if search.lower() in role.name.lower()]
        brief = flag(request, "briefRepresentation", True)
        return JSONResponse([role_representation(self.realm, role, brief=brief) for role in page(roles, request)])

    async def create_role(self, request: Request) -> Response:
        client = self._client(request)
        body = await read_json(request)
        name = str(body.get("name") or "").strip()
        if not name:
            raise bad_request("Role name is missing")
        if (self.realm.client_role(client, name) if client else self.realm.realm_role(name)) is not None:
            raise conflict(f"Role with name {name} already exists")
        role = self.realm.add_role(name, client=client, description=str(body.get("description") or ""))
        role.attributes = {key: list(value) for key, value in (body.get("attributes") or {}).items()}
        container = f"clients/{client.id}/roles" if client else "roles"
        return created(request, f"/admin/realms/{self.realm.name}/{container}/{name}")

    async def get_role(self, request: Request) -> Response:
        return JSONResponse(role_representation(self.realm, self._role(request)))

    async def delete_role(self, request: Request) -> Response:
        role = self._role(request)
        del self.realm.roles[role.id]
        for user in self.realm.users.values():
            user.role_ids.discard(role.id)
        for group in self.realm.groups.values():
            group.role_ids.discard(role.id)
        for other in self.realm.roles.values():
            other.composite_ids.discard(role.id)
        return Response(status_code=204)

    async def role_users(self, request: Request) -> Response:
        """Users holding the role by direct mapping only, as Keycloak's endpoint does (not through groups)."""
        role = self._role(request)
        users = sorted(
            (user for user in self.realm.users.values() if role.id in user.role_ids), key=lambda user: user.username
        )
        brief = flag(request, "briefRepresentation", True)
        return JSONResponse([user_representation(user, brief=brief) for user in page(users, request)])

    async def role_groups(self, request: Request) -> Response:
        role = self._role(request)
        groups = sorted(
            (group for group in self.realm.groups.values() if role.id in group.role_ids), key=self.realm.group_path
        )
        brief = flag(request, "briefRepresentation", True)
        return JSONResponse([group_representation(self.realm, group, brief=brief) for group in page(groups, request)])

    async def role_composites(self, request: Request) -> Response:
        role = self._role(request)
        composites = sorted((self.realm.roles[role_id] for role_id in role.composite_ids), key=lambda role: role.name)
        return JSONResponse([role_representation(self.realm, composite) for composite in composites])

    async def role_by_id(self, request: Request) -> Response:
        role = self.realm.roles.get(request.path_params["role_id"])
        if role is None:
            raise not_found("Could not find role with id")
        return JSONResponse(role_representation(self.realm, role))

    async def list_clients(self, request: Request) -> Response:
        clients = sorted(self.realm.clients.values(), key=lambda client: client.client_id)
        if (client_id := request.query_params.get("clientId")) is not None:
            if flag(request, "search", False):
                clients = [client for client in clients if client_id.lower() in client.client_id.lower()]
            else:
                clients = [client for client in clients if client.client_id == client_id]
        return JSONResponse([client_representation(client) for client in page(clients, request)])

    async def get_client(self, request: Request) -> Response:
        client = self._client(request)
        assert client is not None
        return JSONResponse(client_representation(client))

    async def update_client(self, request: Request) -> Response:
        """`PUT clients/{id}`: a partial representation; redirect URIs, web origins and the logout attributes."""
        client = self._client(request)
        assert client is not None
        body = await read_json(request)
        if "clientId" in body and body["clientId"] != client.client_id:
            raise bad_request("Changing the clientId is not supported by the sandbox")
        for key, attribute in (("redirectUris", "redirect_uris"), ("webOrigins", "web_origins")):
            if isinstance(body.get(key), list):
                setattr(client, attribute, [str(value) for value in body[key]])
        attributes = body.get("attributes")
        if isinstance(attributes, dict):
            if "post.logout.redirect.uris" in attributes:
                uris = str(attributes["post.logout.redirect.uris"] or "")
                client.post_logout_redirect_uris = [uri for uri in uris.split("##") if uri]
            if "backchannel.logout.url" in attributes:
                client.backchannel_logout_url = str(attributes["backchannel.logout.url"] or "")
            if "backchannel.logout.session.required" in attributes:
                required = str(attributes["backchannel.logout.session.required"]).lower()
                client.backchannel_logout_session_required = required == "true"
        return Response(status_code=204)

    async def client_roles(self, request: Request) -> Response:
        client = self._client(request)
        assert client is not None
        brief = flag(request, "briefRepresentation", True)
        roles = self.realm.client_roles(client)
        return JSONResponse([role_representation(self.realm, role, brief=brief) for role in page(roles, request)])

    async def service_account_user(self, request: Request) -> Response:
        client = self._client(request)
        user = next(
            (user for user in self.realm.users.values() if client and user.service_account_of == client.id), None
        )
        if user is None:
            raise bad_request("Service account not enabled for the client")
        return JSONResponse(user_representation(user))
