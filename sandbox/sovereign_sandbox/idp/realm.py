"""The realm model: users, groups, roles and clients, with Keycloak's role and group resolution rules.

Everything lives in memory and is touched only from the IdP's event loop, so no locking is needed.
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from authlib.oauth2.rfc6749 import ClientMixin

from sovereign_sandbox.idp.sessions import SessionStore

__all__ = ["Client", "Group", "Lifetimes", "Realm", "Role", "User", "response_scope", "stable_id", "uri_matches"]

TIER_PREFIX = "catalyst-"
# Keycloak's default client scopes (profile, email, roles, web-origins, acr, basic) always apply; only
# "openid" and the optional offline_access show up in `scope` because of what was requested.
_OPTIONAL_SCOPES = ("offline_access",)


def stable_id(kind: str, name: str) -> str:
    """A UUID derived from a name, so seeded ids stay the same across runs (links and tests can rely on them)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox-idp:{kind}:{name}"))


def uri_matches(uri: str, patterns: Iterable[str]) -> bool:
    """Keycloak's redirect URI check: exact match, or a prefix match for a pattern ending in `*`."""
    for pattern in patterns:
        if pattern.endswith("*") and uri.startswith(pattern[:-1]):
            return True
        if uri == pattern:
            return True
    return False


def response_scope(requested: str | None, *, service_account: bool = False) -> str:
    """The `scope` Keycloak reports: openid if asked for, then the default scopes that are listed in tokens."""
    asked = (requested or "").split()
    parts = ["openid"] if "openid" in asked and not service_account else []
    parts += ["profile", "email"]
    parts += [scope for scope in _OPTIONAL_SCOPES if scope in asked]
    return " ".join(parts)


@dataclass
class Role:
    id: str
    name: str
    description: str = ""
    client_uuid: str | None = None  # None: a realm role
    composite_ids: set[str] = field(default_factory=set)
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Group:
    id: str
    name: str
    parent_id: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    role_ids: set[str] = field(default_factory=set)


@dataclass
class User:
    id: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    email_verified: bool = False
    enabled: bool = True
    password: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)
    group_ids: set[str] = field(default_factory=set)
    role_ids: set[str] = field(default_factory=set)
    service_account_of: str | None = None  # client uuid for a service-account user
    created_timestamp: int = field(default_factory=lambda: int(time.time() * 1000))

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class Client(ClientMixin):
    """A Keycloak client; the `ClientMixin` methods are what authlib's authorization server asks of it."""

    id: str  # internal uuid, as in /admin/realms/<realm>/clients/{id}
    client_id: str
    name: str = ""
    secret: str | None = None  # None: a public (or bearer-only) client
    bearer_only: bool = False
    standard_flow: bool = True
    direct_access_grants: bool = False
    service_accounts: bool = False
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    web_origins: list[str] = field(default_factory=list)
    pkce_method: str | None = None  # "S256": a sent code_challenge must use S256
    audience: tuple[str, ...] = ()  # an audience mapper adds these to the aud of its tokens
    # OIDC Back-Channel Logout: where the IdP POSTs a logout token when a session of this client ends
    # (Keycloak's `backchannel.logout.url` and `backchannel.logout.session.required` attributes).
    backchannel_logout_url: str = ""
    backchannel_logout_session_required: bool = True

    @property
    def public(self) -> bool:
        return self.secret is None and not self.bearer_only

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required (Keycloak's "Invalid parameter: redirect_uri")

    def get_allowed_scope(self, scope: str | None) -> str:
        return response_scope(scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return uri_matches(redirect_uri, self.redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and hmac.compare_digest(client_secret.encode(), self.secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # A confidential client sends its secret (Basic or form); a public one only its client_id.
        if self.bearer_only:
            return False
        return method == "none" if self.public else method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.standard_flow and not self.bearer_only

    def check_grant_type(self, grant_type: str) -> bool:
        return self.grant_refusal(grant_type) is None

    def grant_refusal(self, grant_type: str) -> str | None:
        """Keycloak's reason for refusing this client `grant_type` at the token endpoint, or None."""
        if grant_type == "authorization_code" and not self.standard_flow:
            return "Client not allowed to exchange code"
        if grant_type == "password" and not self.direct_access_grants:
            return "Client not allowed for direct access grants"
        if grant_type == "client_credentials" and self.public:
            return "Public client not allowed to retrieve service account"
        if grant_type == "client_credentials" and not self.service_accounts:
            return "Client not enabled to retrieve service account"
        return None


@dataclass(frozen=True)
class Lifetimes:
    access_token_seconds: int = 300
    refresh_token_seconds: int = 1800  # also the SSO session idle timeout, as in Keycloak's defaults
    code_seconds: int = 60
    login_seconds: int = 1800


class Realm:
    """One realm's data plus its live sessions."""

    def __init__(self, name: str, *, lifetimes: Lifetimes | None = None):
        self.name = name
        self.id = stable_id("realm", name)
        self.lifetimes = lifetimes or Lifetimes()
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.roles: dict[str, Role] = {}
        self.clients: dict[str, Client] = {}
        self.sessions = SessionStore()

    def user_by_username(self, username: str) -> User | None:
        wanted = username.strip().lower()
        return next((user for user in self.users.values() if user.username == wanted), None)

    def user_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return next((user for user in self.users.values() if user.email and user.email.lower() == wanted), None)

    def client_by_client_id(self, client_id: str) -> Client | None:
        return next((client for client in self.clients.values() if client.client_id == client_id), None)

    def realm_role(self, name: str) -> Role | None:
        return next((role for role in self.roles.values() if role.client_uuid is None and role.name == name), None)

    def client_role(self, client: Client, name: str) -> Role | None:
        return next((role for role in self.roles.values() if role.client_uuid == client.id and role.name == name), None)

    def realm_roles(self) -> list[Role]:
        return sorted((role for role in self.roles.values() if role.client_uuid is None), key=lambda role: role.name)

    def client_roles(self, client: Client) -> list[Role]:
        return sorted(
            (role for role in self.roles.values() if role.client_uuid == client.id), key=lambda role: role.name
        )

    def group_path(self, group: Group) -> str:
        names = [group.name]
        while group.parent_id is not None:
            group = self.groups[group.parent_id]
            names.append(group.name)
        return "/" + "/".join(reversed(names))

    def children(self, parent_id: str | None) -> list[Group]:
        found = (group for group in self.groups.values() if group.parent_id == parent_id)
        return sorted(found, key=lambda group: group.name)

    def group_by_path(self, path: str) -> Group | None:
        parent_id: str | None = None
        group: Group | None = None
        for name in [part for part in path.split("/") if part]:
            group = next((child for child in self.children(parent_id) if child.name == name), None)
            if group is None:
                return None
            parent_id = group.id
        return group

    def descendants(self, group: Group) -> Iterator[Group]:
        for child in self.children(group.id):
            yield child
            yield from self.descendants(child)

    def add_group(self, name: str, parent: Group | None = None, *, group_id: str | None = None) -> Group:
        path = f"{self.group_path(parent)}/{name}" if parent else f"/{name}"
        group = Group(id=group_id or stable_id("group", path), name=name, parent_id=parent.id if parent else None)
        if group.id in self.groups:  # a re-created path gets a fresh id, as a new Keycloak group would
            group.id = str(uuid.uuid4())
        self.groups[group.id] = group
        return group

    def ensure_group_path(self, path: str) -> Group:
        parent: Group | None = None
        for name in [part for part in path.split("/") if part]:
            existing = next(
                (child for child in self.children(parent.id if parent else None) if child.name == name), None
            )
            parent = existing or self.add_group(name, parent)
        assert parent is not None, "a group path needs at least one name"
        return parent

    def delete_group(self, group: Group) -> None:
        doomed = [group, *self.descendants(group)]
        for gone in doomed:
            self.groups.pop(gone.id, None)
            for user in self.users.values():
                user.group_ids.discard(gone.id)

    def members(self, group: Group) -> list[User]:
        found = (user for user in self.users.values() if group.id in user.group_ids)
        return sorted(found, key=lambda user: user.username)

    def add_role(self, name: str, *, client: Client | None = None, description: str = "", **attributes: str) -> Role:
        container = client.client_id if client else "realm"
        role = Role(
            id=stable_id("role", f"{container}/{name}"),
            name=name,
            description=description,
            client_uuid=client.id if client else None,
            attributes={key.replace("_", "-"): [value] for key, value in attributes.items()},
        )
        self.roles[role.id] = role
        return role

    def expand(self, role_ids: Iterable[str]) -> set[str]:
        """Role ids plus everything they contain through composites (cycles are tolerated)."""
        found: set[str] = set()
        pending = list(role_ids)
        while pending:
            role_id = pending.pop()
            if role_id in found or role_id not in self.roles:
                continue
            found.add(role_id)
            pending.extend(self.roles[role_id].composite_ids)
        return found

    def effective_role_ids(self, user: User) -> set[str]:
        """Direct mappings, the roles of every group the user is in (and their parents), expanded."""
        direct = set(user.role_ids)
        for group_id in user.group_ids:
            group = self.groups.get(group_id)
            while group is not None:
                direct |= group.role_ids
                group = self.groups.get(group.parent_id) if group.parent_id else None
        return self.expand(direct)

    def effective_roles(self, user: User) -> tuple[list[str], dict[str, list[str]]]:
        """(realm role names, {clientId: client role names}) as they appear in tokens."""
        realm_names: list[str] = []
        client_names: dict[str, list[str]] = {}
        for role in sorted((self.roles[role_id] for role_id in self.effective_role_ids(user)), key=_role_order):
            if role.client_uuid is None:
                realm_names.append(role.name)
            elif (client := self.clients.get(role.client_uuid)) is not None:
                client_names.setdefault(client.client_id, []).append(role.name)
        return realm_names, client_names

    def tier_of(self, user: User) -> str | None:
        """The highest `catalyst-<tier>` role by its `tier-level` attribute, the session's tier."""
        best: tuple[int, str] | None = None
        for role_id in self.effective_role_ids(user):
            role = self.roles[role_id]
            level = role.attributes.get("tier-level")
            if role.client_uuid is None and role.name.startswith(TIER_PREFIX) and level:
                candidate = (int(level[0]), role.name.removeprefix(TIER_PREFIX))
                best = candidate if best is None or candidate > best else best
        return best[1] if best else None

    def group_paths(self, user: User) -> list[str]:
        return sorted(self.group_path(self.groups[group_id]) for group_id in user.group_ids if group_id in self.groups)

    def delete_user(self, user: User) -> None:
        self.users.pop(user.id, None)
        self.sessions.end_user_sessions(user.id)


def _role_order(role: Role) -> tuple[int, str]:
    # Keycloak lists default roles first in realm_access; a stable order keeps tokens easy to compare.
    defaults = ("default-roles-", "offline_access", "uma_authorization")
    return (0 if role.name.startswith(defaults) else 1, role.name)
