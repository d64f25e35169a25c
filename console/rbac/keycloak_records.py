"""What the Keycloak Admin REST API answers, as the console keeps it: users, groups, roles, clients; its
errors and the names it accepts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = [
    "KcClient",
    "KcGroup",
    "KcRole",
    "KcUser",
    "KeycloakAdminError",
    "admin_base_of",
    "checked_group_name",
    "client_from",
    "error_detail",
    "group_from",
    "group_path_segments",
    "role_from",
    "user_from",
]


class KeycloakAdminError(Exception):
    """A Keycloak Admin call that failed; `str(error)` is a sentence for people, `status` the HTTP status
    (0 when Keycloak could not be reached or is not configured)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def admin_base_of(issuer: str) -> str:
    """`https://kc/realms/<realm>` → `https://kc/admin/realms/<realm>` (a `/auth` context path is kept)."""
    root, separator, realm = issuer.rstrip("/").rpartition("/realms/")
    if not separator or not realm or "/" in realm:
        raise KeycloakAdminError(
            0, f"the OIDC issuer {issuer or '(empty)'} is not a Keycloak realm URL (…/realms/<realm>)"
        )
    return f"{root}/admin/realms/{realm}"


def checked_group_name(name: str, what: str = "group") -> str:
    """`name` trimmed; refused (before any request) when empty or holding a '/'."""
    plain = name.strip()
    if not plain:
        raise KeycloakAdminError(400, f"a {what} name is required")
    if "/" in plain:
        raise KeycloakAdminError(400, f"a {what} name cannot contain '/': {plain}")
    return plain


def group_path_segments(path: str) -> list[str]:
    """The names along a group path ("/tiers/developer" → tiers, developer); refused when empty."""
    segments = path.strip().strip("/").split("/")
    if not path.strip().strip("/") or any(not segment.strip() for segment in segments):
        raise KeycloakAdminError(400, f"a group path looks like /tiers/developer, not {path.strip() or '(empty)'}")
    return [segment.strip() for segment in segments]


def error_detail(response: httpx.Response) -> str:
    """Keycloak's own words: `errorMessage` (model errors) or `error_description`/`error` (JAX-RS errors)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].strip()
    if isinstance(body, dict):
        for key in ("errorMessage", "error_description", "error"):
            if body.get(key) and body[key] != "For more on this error consult the server log.":
                return str(body[key])
    return ""


@dataclass(frozen=True, slots=True)
class KcUser:
    id: str  # Keycloak's user id, the token's `sub`
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    enabled: bool = True

    @property
    def display(self) -> str:
        """ "First Last <email>", or whichever parts exist, else the username."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        contact = self.email or self.username
        return f"{name} <{contact}>" if name else contact


@dataclass(frozen=True, slots=True)
class KcGroup:
    id: str
    name: str
    path: str  # full path, "/tiers/developer"
    sub_groups: tuple[KcGroup, ...] = ()  # filled by group_tree; empty elsewhere unless Keycloak sent them
    sub_group_count: int = 0


@dataclass(frozen=True, slots=True)
class KcRole:
    id: str
    name: str
    description: str = ""
    composite: bool = False
    client_role: bool = False
    container_id: str = ""  # the realm's id, or the client's uuid for a client role
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KcClient:
    id: str  # the client's uuid (what /clients/{uuid}/roles takes)
    client_id: str  # the name applications use, "sovereign-console"
    name: str = ""


def user_from(body: Mapping[str, Any]) -> KcUser:
    return KcUser(
        id=str(body.get("id") or ""),
        username=str(body.get("username") or ""),
        email=str(body.get("email") or ""),
        first_name=str(body.get("firstName") or ""),
        last_name=str(body.get("lastName") or ""),
        enabled=bool(body.get("enabled", True)),
    )


def group_from(body: Mapping[str, Any], sub_groups: tuple[KcGroup, ...] | None = None) -> KcGroup:
    nested = body.get("subGroups") or []
    children = sub_groups if sub_groups is not None else tuple(group_from(child) for child in nested)
    count = body.get("subGroupCount")
    return KcGroup(
        id=str(body.get("id") or ""),
        name=str(body.get("name") or ""),
        path=str(body.get("path") or ""),
        sub_groups=children,
        sub_group_count=int(count) if isinstance(count, int) else len(children),
    )


def role_from(body: Mapping[str, Any]) -> KcRole:
    attributes = body.get("attributes") or {}
    return KcRole(
        id=str(body.get("id") or ""),
        name=str(body.get("name") or ""),
        description=str(body.get("description") or ""),
        composite=bool(body.get("composite", False)),
        client_role=bool(body.get("clientRole", False)),
        container_id=str(body.get("containerId") or ""),
        attributes={
            str(key): tuple(str(value) for value in (values if isinstance(values, list) else [values]))
            for key, values in attributes.items()
        },
    )


def client_from(body: Mapping[str, Any]) -> KcClient:
    return KcClient(
        id=str(body.get("id") or ""), client_id=str(body.get("clientId") or ""), name=str(body.get("name") or "")
    )
