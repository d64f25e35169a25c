"""The Keycloak Admin REST client (rbac.md): users, groups, realm and client roles, clients.

Calls are made with the console's service-account token (client-credentials grant of its confidential
client), cached and refreshed before it expires. Every failure is a `KeycloakAdminError` whose message can be
shown to people as it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx

from console.observability.counters import upstream_error
from console.rbac.keycloak_records import (
    KcClient,
    KcGroup,
    KcRole,
    KcUser,
    KeycloakAdminError,
    admin_base_of,
    checked_group_name,
    client_from,
    error_detail,
    group_from,
    group_path_segments,
    role_from,
    user_from,
)
from console.settings import Settings

__all__ = [
    "REQUIRED_ROLES",
    "KcClient",
    "KcGroup",
    "KcRole",
    "KcUser",
    "KeycloakAdmin",
    "KeycloakAdminError",
    "admin_base_of",
]

# The realm-management client roles the console's service account needs for the pages of rbac.md.
REQUIRED_ROLES = ("view-users", "manage-users", "query-groups", "view-realm")
_REFRESH_MARGIN_SECONDS = 30.0  # a token with less left than this is renewed before use
_TIMEOUT_SECONDS = 15.0
_CHILDREN_AT_ONCE = 8  # concurrent /children reads while a group tree is walked
# After a token request found Keycloak unreachable, calls fail at once for this long instead of each
# waiting out its own connection timeout (many calls queue on the token lock while Keycloak is down).
_UNREACHABLE_HOLD_SECONDS = 5.0


class KeycloakAdmin:
    """One realm's Admin REST API, as the console's service account."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        *,
        http: httpx.AsyncClient | None = None,
        page_size: int = 100,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.base = admin_base_of(self.issuer)
        self._token_url = f"{self.issuer}/protocol/openid-connect/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._http = http or httpx.AsyncClient(timeout=_TIMEOUT_SECONDS)
        self._owns_http = http is None
        self._page_size = max(1, page_size)
        self._token = ""
        self._expires_at = 0.0  # time.monotonic() when the token stops being used
        self._token_lock = asyncio.Lock()  # one token request at a time, however many calls wait for it
        self._unreachable: tuple[float, KeycloakAdminError] | None = None  # (until when, the error)

    @classmethod
    def from_settings(cls, settings: Settings, *, http: httpx.AsyncClient | None = None) -> KeycloakAdmin:
        """The client of the console's own OIDC client (`OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`)."""
        if not settings.oidc_issuer:
            raise KeycloakAdminError(0, "Keycloak is not configured: OIDC_ISSUER is empty")
        return cls(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret, http=http)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _fetch_token(self) -> None:
        try:
            response = await self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._client_secret,
                },
            )
        except httpx.HTTPError as error:
            raise KeycloakAdminError(
                0, f"Keycloak is unreachable at {self.issuer}: {error or type(error).__name__}"
            ) from error
        if response.status_code in (400, 401):
            raise KeycloakAdminError(
                401,
                f"Keycloak rejected the console's credentials ({response.status_code}): check OIDC_CLIENT_ID and "
                f"OIDC_CLIENT_SECRET, and that the client {self._client_id} has service accounts enabled"
                + (f" — {detail}" if (detail := error_detail(response)) else ""),
            )
        if response.status_code != 200:
            raise KeycloakAdminError(
                response.status_code,
                f"Keycloak answered {response.status_code} to the console's token request: {error_detail(response)}",
            )
        body = response.json()
        self._token = str(body.get("access_token") or "")
        self._expires_at = time.monotonic() + float(body.get("expires_in") or 60)

    async def _bearer(self, stale: str = "") -> str:
        """A token with at least the refresh margin left; `stale` is one a 401 just refused (renewed unless
        another call renewed it meanwhile)."""
        async with self._token_lock:
            fresh = self._token and self._token != stale
            if fresh and time.monotonic() <= self._expires_at - _REFRESH_MARGIN_SECONDS:
                return self._token
            if self._unreachable and time.monotonic() < self._unreachable[0]:
                raise self._unreachable[1]
            try:
                await self._fetch_token()
            except KeycloakAdminError as error:
                if error.status == 0:
                    self._unreachable = (time.monotonic() + _UNREACHABLE_HOLD_SECONDS, error)
                raise
            self._unreachable = None
            return self._token

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """One Admin call; `what` names the target in messages ("Group /tiers", "User 1234")."""
        url = self.base + path
        token = await self._bearer()
        for attempt in range(2):
            try:
                response = await self._http.request(
                    method, url, params=params, json=body, headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError as error:
                upstream_error("keycloak", 0)
                raise KeycloakAdminError(
                    0, f"Keycloak is unreachable at {self.issuer}: {error or type(error).__name__}"
                ) from error
            if response.status_code == 401 and attempt == 0:
                token = await self._bearer(stale=token)  # revoked or expired early: renew once
                continue
            break
        status = response.status_code
        if status < 300:
            return response
        upstream_error("keycloak", status)
        detail = error_detail(response)
        if status == 401:
            message = "Keycloak rejected the console's credentials (401) even with a fresh token"
        elif status == 403:
            message = (
                "Keycloak refused the console's service account (403): it needs the realm-management roles "
                + ", ".join(REQUIRED_ROLES)
            )
        elif status == 404:
            message = f"{what} not found in Keycloak"
        elif status == 409:
            message = f"{what} already exists in Keycloak"
        else:
            message = f"Keycloak answered {status} for {what}" + (f": {detail}" if detail else "")
        raise KeycloakAdminError(status, message)

    async def _json(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> Any:
        response = await self._call("GET", path, what, params=params)
        try:
            return response.json()
        except ValueError as error:
            raise KeycloakAdminError(response.status_code, f"Keycloak's answer for {what} was not JSON") from error

    async def _paged(self, path: str, what: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a `first`/`max` paged list: pages until one comes back short."""
        items: list[dict[str, Any]] = []
        while True:
            page = await self._json(path, what, {**(params or {}), "first": len(items), "max": self._page_size})
            if not isinstance(page, list):
                raise KeycloakAdminError(200, f"Keycloak's answer for {what} was not a list")
            items += [item for item in page if isinstance(item, dict)]
            if len(page) != self._page_size:  # short (the last page), or longer (the server ignored `max`)
                return items

    @staticmethod
    def _created_id(response: httpx.Response) -> str:
        """The new object's id: the Location's last segment (Keycloak's creates answer 201 with no body)."""
        location = response.headers.get("location", "")
        if location:
            return location.rstrip("/").rpartition("/")[2]
        try:
            return str(response.json().get("id") or "")
        except (ValueError, AttributeError):
            return ""

    async def search_users(self, search: str, first: int = 0, max_results: int = 20) -> list[KcUser]:
        """Users whose username, email or names match `search` (Keycloak's prefix search; `*x*` for infix)."""
        params = {"search": search.strip(), "first": first, "max": max_results, "briefRepresentation": "true"}
        return [user_from(body) for body in await self._json("/users", "Users", params)]

    async def all_users(self) -> list[KcUser]:
        return [user_from(body) for body in await self._paged("/users", "Users", {"briefRepresentation": "true"})]

    async def get_user(self, user_id: str) -> KcUser:
        return user_from(await self._json(f"/users/{quote(user_id, safe='')}", f"User {user_id}"))

    async def user_groups(self, user_id: str) -> list[KcGroup]:
        """The groups `user_id` is a direct member of (what the token's `groups` claim carries)."""
        return [
            group_from(body)
            for body in await self._paged(f"/users/{quote(user_id, safe='')}/groups", f"User {user_id}")
        ]

    async def add_user_to_group(self, user_id: str, group_id: str) -> None:
        path = f"/users/{quote(user_id, safe='')}/groups/{quote(group_id, safe='')}"
        await self._call("PUT", path, f"User {user_id} or group {group_id}")

    async def remove_user_from_group(self, user_id: str, group_id: str) -> None:
        path = f"/users/{quote(user_id, safe='')}/groups/{quote(group_id, safe='')}"
        await self._call("DELETE", path, f"User {user_id} or group {group_id}")

    async def _children(self, group: Mapping[str, Any], limit: asyncio.Semaphore) -> KcGroup:
        """`group` with its subgroups filled, all the way down.

        Keycloak before 23 nests the whole tree in `subGroups`; 23+ sends `subGroupCount` and an empty list,
        the children coming from /groups/{id}/children.
        """
        nested = [child for child in group.get("subGroups") or [] if isinstance(child, dict)]
        count = group.get("subGroupCount")
        if isinstance(count, int) and count > len(nested):
            async with limit:
                nested = await self._paged(
                    f"/groups/{quote(str(group.get('id')), safe='')}/children",
                    f"Group {group.get('path') or group.get('id')}",
                    {"briefRepresentation": "true"},
                )
        children = await asyncio.gather(*(self._children(child, limit) for child in nested))
        return group_from(group, tuple(children))

    async def group_tree(self) -> list[KcGroup]:
        """The top-level groups with their subgroups filled recursively."""
        top = await self._paged("/groups", "Groups", {"briefRepresentation": "true"})
        limit = asyncio.Semaphore(_CHILDREN_AT_ONCE)
        return list(await asyncio.gather(*(self._children(group, limit) for group in top)))

    async def group_children(self, group_id: str) -> list[KcGroup]:
        """The direct subgroups of `group_id` (their own subgroups not filled)."""
        path = f"/groups/{quote(group_id, safe='')}/children"
        return [
            group_from(body) for body in await self._paged(path, f"Group {group_id}", {"briefRepresentation": "true"})
        ]

    async def get_group(self, group_id: str) -> KcGroup:
        return group_from(await self._json(f"/groups/{quote(group_id, safe='')}", f"Group {group_id}"))

    async def group_by_path(self, path: str) -> KcGroup | None:
        """The group at `path` ("/acme/admins"), None when there is none."""
        segments = group_path_segments(path)
        try:
            body = await self._json(
                "/group-by-path/" + "/".join(quote(segment, safe="") for segment in segments), f"Group {path}"
            )
        except KeycloakAdminError as error:
            if error.status == 404:
                return None
            raise
        return group_from(body)

    async def create_group(self, name: str, parent_id: str | None = None) -> KcGroup:
        """A new group at the top level or under `parent_id`; 409 when a sibling has that name."""
        plain = checked_group_name(name)
        if parent_id:
            path, what = f"/groups/{quote(parent_id, safe='')}/children", f"A group named {plain!r} under {parent_id}"
        else:
            path, what = "/groups", f"A top-level group named {plain!r}"
        try:
            response = await self._call("POST", path, what, body={"name": plain})
        except KeycloakAdminError as error:
            if error.status == 404 and parent_id:
                raise KeycloakAdminError(404, f"Parent group {parent_id} not found in Keycloak") from error
            raise
        return await self.get_group(self._created_id(response))

    async def ensure_group_path(self, path: str) -> KcGroup:
        """The group at `path`, creating each missing segment ("/tiers/developer"); safe to call again."""
        segments = group_path_segments(path)
        existing = await self.group_by_path(path)
        if existing is not None:
            return existing
        parent: KcGroup | None = None
        for depth, segment in enumerate(segments, start=1):
            prefix = "/" + "/".join(segments[:depth])
            found = await self.group_by_path(prefix)
            if found is None:
                try:
                    found = await self.create_group(segment, parent.id if parent else None)
                except KeycloakAdminError as error:
                    # another writer created it between our read and our create
                    if error.status != 409 or (found := await self.group_by_path(prefix)) is None:
                        raise
            parent = found
        assert parent is not None  # _path_segments never answers an empty list
        return parent

    async def rename_group(self, group_id: str, name: str) -> None:
        plain = checked_group_name(name)
        try:
            await self._call("PUT", f"/groups/{quote(group_id, safe='')}", f"Group {group_id}", body={"name": plain})
        except KeycloakAdminError as error:
            if error.status == 409:
                raise KeycloakAdminError(409, f"A sibling group named {plain!r} already exists in Keycloak") from error
            raise

    async def delete_group(self, group_id: str) -> None:
        """Deletes the group and its subgroups (Keycloak removes the whole branch)."""
        await self._call("DELETE", f"/groups/{quote(group_id, safe='')}", f"Group {group_id}")

    async def group_members(self, group_id: str) -> list[KcUser]:
        """The direct members of `group_id` (members of its subgroups are not listed, as in Keycloak)."""
        path = f"/groups/{quote(group_id, safe='')}/members"
        return [
            user_from(body) for body in await self._paged(path, f"Group {group_id}", {"briefRepresentation": "true"})
        ]

    async def realm_roles(self) -> list[KcRole]:
        return [
            role_from(body) for body in await self._paged("/roles", "Realm roles", {"briefRepresentation": "false"})
        ]

    async def role_users(self, role_name: str) -> list[KcUser]:
        """Users holding the realm role by direct mapping (Keycloak's endpoint leaves out group holders)."""
        path = f"/roles/{quote(role_name, safe='')}/users"
        return [user_from(body) for body in await self._paged(path, f"Realm role {role_name}")]

    async def role_groups(self, role_name: str) -> list[KcGroup]:
        """Groups the realm role is mapped to (the tier roles are mapped to `/tiers/<tier>`)."""
        path = f"/roles/{quote(role_name, safe='')}/groups"
        return [group_from(body) for body in await self._paged(path, f"Realm role {role_name}")]

    async def _members_below(self, group: KcGroup) -> list[KcUser]:
        children = await self.group_children(group.id) if group.sub_group_count else []
        found = await asyncio.gather(self.group_members(group.id), *(self._members_below(child) for child in children))
        return [user for users in found for user in users]

    async def role_holders(self, role_name: str) -> list[KcUser]:
        """Users holding the realm role directly or through a group (a group's roles reach its subgroups'
        members too), by username; holders through composite roles are not followed."""
        direct, groups = await asyncio.gather(self.role_users(role_name), self.role_groups(role_name))
        through_groups = await asyncio.gather(*(self._members_below(group) for group in groups))
        holders = {user.id: user for user in direct}
        holders |= {user.id: user for users in through_groups for user in users}
        return sorted(holders.values(), key=lambda user: user.username)

    async def clients(self) -> list[KcClient]:
        return [client_from(body) for body in await self._paged("/clients", "Clients")]

    async def client_roles(self, client_uuid: str) -> list[KcRole]:
        path = f"/clients/{quote(client_uuid, safe='')}/roles"
        return [
            role_from(body)
            for body in await self._paged(path, f"Client {client_uuid}", {"briefRepresentation": "false"})
        ]
