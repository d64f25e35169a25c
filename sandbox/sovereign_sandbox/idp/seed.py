"""The seeded realm `sovereign`: Keycloak's built-in clients and roles, Catalyst tiers, and the people of the world.

People, their tiers and groups come from `world.people.PEOPLE`, and their ids from `subject_of`, so the
RoleBindings seeded in the cluster (`oidc:<sub>`, `oidc:<group>`) name the same users the IdP signs in.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sovereign_sandbox.idp.realm import Client, Lifetimes, Realm, User, stable_id
from sovereign_sandbox.world.catalog import ORGANIZATIONS
from sovereign_sandbox.world.people import DISPLAY_NAMES, PEOPLE, Person, password_of, subject_of

__all__ = [
    "CONSOLE_CLIENT_ID",
    "REALM_NAME",
    "SERVICE_ACCOUNT_ROLES",
    "TIERS",
    "add_console_redirect_uri",
    "set_backchannel_logout_url",
    "add_user",
    "build_realm",
]

REALM_NAME = "sovereign"
CONSOLE_CLIENT_ID = "sovereign-console"
TIERS = {"viewer": 10, "developer": 20, "operator": 30, "admin": 40, "owner": 50}
# Roles the console's service account needs for the Admin REST calls of rbac.md (and role creation in tests).
SERVICE_ACCOUNT_ROLES = (
    "view-users",
    "query-users",
    "manage-users",
    "query-groups",
    "view-clients",
    "query-clients",
    "view-realm",
    "manage-realm",
)
_REALM_MANAGEMENT_ROLES = (
    "create-client",
    "impersonation",
    "manage-authorization",
    "manage-clients",
    "manage-events",
    "manage-identity-providers",
    "manage-realm",
    "manage-users",
    "query-clients",
    "query-groups",
    "query-realms",
    "query-users",
    "view-authorization",
    "view-clients",
    "view-events",
    "view-identity-providers",
    "view-realm",
    "view-users",
)
_ACCOUNT_ROLES = (
    "delete-account",
    "manage-account",
    "manage-account-links",
    "manage-consent",
    "view-applications",
    "view-consent",
    "view-groups",
    "view-profile",
)
_INTERNAL_ORGANIZATION = next(organization.slug for organization in ORGANIZATIONS if organization.kind == "internal")
_ENFORCED_SCOPES = {"developer": (("openova.io/env-type", "dev"),)}  # the developer ClusterRole's annotation


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def add_console_redirect_uri(client: Client, uri: str) -> None:
    """Register a callback URI; its origin becomes a web origin and a post-logout redirect prefix."""
    if uri not in client.redirect_uris:
        client.redirect_uris.append(uri)
    origin = _origin(uri)
    if origin not in client.web_origins:
        client.web_origins.append(origin)
    if f"{origin}/*" not in client.post_logout_redirect_uris:
        client.post_logout_redirect_uris.append(f"{origin}/*")


def set_backchannel_logout_url(client: Client, url: str) -> None:
    """Where the IdP POSTs logout tokens for this client ("" stops them); Keycloak's "Backchannel logout URL"."""
    client.backchannel_logout_url = url


def _role_id(realm: Realm, client: Client, name: str) -> str:
    role = realm.client_role(client, name)
    assert role is not None, f"{client.client_id} has no role {name}"
    return role.id


def _add_client(realm: Realm, client_id: str, **settings: object) -> Client:
    client = Client(id=stable_id("client", client_id), client_id=client_id, **settings)  # type: ignore[arg-type]
    realm.clients[client.id] = client
    return client


def _seed_roles(realm: Realm, account: Client, management: Client) -> None:
    for name in _ACCOUNT_ROLES:
        realm.add_role(name, client=account)
    realm.roles[_role_id(realm, account, "manage-account")].composite_ids.add(
        _role_id(realm, account, "manage-account-links")
    )
    for name in _REALM_MANAGEMENT_ROLES:
        realm.add_role(name, client=management)
    for parent, children in (("view-users", ("query-users", "query-groups")), ("view-clients", ("query-clients",))):
        composites = realm.roles[_role_id(realm, management, parent)].composite_ids
        composites |= {_role_id(realm, management, child) for child in children}
    admin_role = realm.add_role("realm-admin", client=management)
    admin_role.composite_ids |= {_role_id(realm, management, name) for name in _REALM_MANAGEMENT_ROLES}

    offline = realm.add_role("offline_access", description="${role_offline-access}")
    uma = realm.add_role("uma_authorization", description="${role_uma_authorization}")
    defaults = realm.add_role(f"default-roles-{realm.name}", description="${role_default-roles}")
    defaults.composite_ids |= {offline.id, uma.id}
    defaults.composite_ids |= {_role_id(realm, account, name) for name in ("view-profile", "manage-account")}

    lower = None
    for tier, level in TIERS.items():
        role = realm.add_role(f"catalyst-{tier}", description=f"Catalyst tier {tier}", tier_level=str(level))
        if lower is not None:
            role.composite_ids.add(lower.id)  # each tier contains the one below it
        lower = role
        group = realm.ensure_group_path(f"/tiers/{tier}")
        group.role_ids.add(role.id)


def add_user(
    realm: Realm,
    username: str,
    *,
    user_id: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    group_paths: Iterable[str] = (),
    attributes: dict[str, list[str]] | None = None,
) -> User:
    """A user with the realm's default roles, as Keycloak gives every new user."""
    user = User(
        id=user_id or stable_id("user", username),
        username=username.lower(),
        first_name=first_name,
        last_name=last_name,
        email=email.lower(),
        email_verified=bool(email),
        password=password,
        attributes=dict(attributes or {}),
    )
    default_role = realm.realm_role(f"default-roles-{realm.name}")
    if default_role is not None:
        user.role_ids.add(default_role.id)
    user.group_ids |= {realm.ensure_group_path(path).id for path in group_paths}
    realm.users[user.id] = user
    return user


def _add_person(realm: Realm, person: Person) -> None:
    first, last = DISPLAY_NAMES.get(person.username, (person.username.title(), ""))
    scopes = (*person.scopes, *_ENFORCED_SCOPES.get(person.tier or "", ()))
    organization = dict(person.scopes).get("openova.io/organization", _INTERNAL_ORGANIZATION)
    attributes = {"org": [organization]}
    if scopes:
        attributes["openova_scopes"] = [f"{key}={value}" for key, value in scopes]
    paths = ([f"/tiers/{person.tier}"] if person.tier else []) + list(person.groups)
    add_user(
        realm,
        person.username,
        user_id=subject_of(person.username),
        password=password_of(person.username),
        first_name=first,
        last_name=last,
        email=person.email,
        group_paths=paths,
        attributes=attributes,
    )


def build_realm(
    *, console_secret: str, console_redirect_uris: Iterable[str] = (), lifetimes: Lifetimes | None = None
) -> Realm:
    realm = Realm(REALM_NAME, lifetimes=lifetimes)
    account = _add_client(realm, "account", name="${client_account}", standard_flow=True)
    _add_client(realm, "account-console", name="${client_account-console}")
    _add_client(realm, "admin-cli", name="${client_admin-cli}", standard_flow=False, direct_access_grants=True)
    _add_client(realm, "broker", name="${client_broker}", bearer_only=True, standard_flow=False)
    management = _add_client(realm, "realm-management", name="${client_realm-management}", bearer_only=True)
    _add_client(realm, "security-admin-console", name="${client_security-admin-console}")
    console = _add_client(
        realm,
        CONSOLE_CLIENT_ID,
        name="Sovereign Console",
        secret=console_secret,
        direct_access_grants=True,
        service_accounts=True,
        pkce_method="S256",
        audience=(CONSOLE_CLIENT_ID,),
    )
    for uri in console_redirect_uris:
        add_console_redirect_uri(console, uri)
    _seed_roles(realm, account, management)
    for person in PEOPLE:
        _add_person(realm, person)
    service_account = add_user(
        realm, f"service-account-{CONSOLE_CLIENT_ID}", user_id=stable_id("service-account", CONSOLE_CLIENT_ID)
    )
    service_account.service_account_of = console.id
    service_account.role_ids |= {_role_id(realm, management, name) for name in SERVICE_ACCOUNT_ROLES}
    return realm
