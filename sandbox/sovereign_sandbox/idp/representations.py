"""Admin REST representations (UserRepresentation, GroupRepresentation, RoleRepresentation, ClientRepresentation)."""

from __future__ import annotations

from typing import Any

from sovereign_sandbox.idp.realm import Client, Group, Realm, Role, User

__all__ = ["client_representation", "group_representation", "role_representation", "user_representation"]


def user_representation(user: User, *, brief: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
        "emailVerified": user.email_verified,
        "createdTimestamp": user.created_timestamp,
        "enabled": user.enabled,
    }
    body = {key: value for key, value in body.items() if value != ""}  # Keycloak omits unset names and email
    if user.service_account_of:
        body["serviceAccountClientId"] = user.service_account_of
    if not brief:
        if user.attributes:
            body["attributes"] = {key: list(values) for key, values in user.attributes.items()}
        body |= {
            "totp": False,
            "disableableCredentialTypes": [],
            "requiredActions": [],
            "notBefore": 0,
            "access": {
                "manageGroupMembership": True,
                "view": True,
                "mapRoles": True,
                "impersonate": False,
                "manage": True,
            },
        }
    return body


def group_representation(
    realm: Realm, group: Group, *, brief: bool = True, sub_groups: list[Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group.id, "name": group.name, "path": realm.group_path(group)}
    if group.parent_id:
        body["parentId"] = group.parent_id
    body["subGroupCount"] = len(realm.children(group.id))
    body["subGroups"] = sub_groups if sub_groups is not None else []
    if not brief:
        realm_roles = sorted(
            realm.roles[role_id].name for role_id in group.role_ids if realm.roles[role_id].client_uuid is None
        )
        client_roles: dict[str, list[str]] = {}
        for role_id in group.role_ids:
            role = realm.roles[role_id]
            if role.client_uuid is not None:
                client_roles.setdefault(realm.clients[role.client_uuid].client_id, []).append(role.name)
        body |= {
            "attributes": {key: list(values) for key, values in group.attributes.items()},
            "realmRoles": realm_roles,
            "clientRoles": client_roles,
            "access": {
                "view": True,
                "viewMembers": True,
                "manageMembers": True,
                "manage": True,
                "manageMembership": True,
            },
        }
    return body


def role_representation(realm: Realm, role: Role, *, brief: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"id": role.id, "name": role.name}
    if role.description:
        body["description"] = role.description
    body |= {
        "composite": bool(role.composite_ids),
        "clientRole": role.client_uuid is not None,
        "containerId": role.client_uuid or realm.id,
    }
    if not brief:
        body["attributes"] = {key: list(values) for key, values in role.attributes.items()}
    return body


def client_representation(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "clientId": client.client_id,
        "name": client.name,
        "surrogateAuthRequired": False,
        "enabled": True,
        "alwaysDisplayInConsole": False,
        "clientAuthenticatorType": "client-secret",
        "redirectUris": list(client.redirect_uris),
        "webOrigins": list(client.web_origins),
        "notBefore": 0,
        "bearerOnly": client.bearer_only,
        "consentRequired": False,
        "standardFlowEnabled": client.standard_flow,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": client.direct_access_grants,
        "serviceAccountsEnabled": client.service_accounts,
        "publicClient": client.public,
        "frontchannelLogout": True,
        "protocol": "openid-connect",
        "attributes": {
            "post.logout.redirect.uris": "##".join(client.post_logout_redirect_uris),
            **({"pkce.code.challenge.method": client.pkce_method} if client.pkce_method else {}),
            "backchannel.logout.url": client.backchannel_logout_url,
            "backchannel.logout.session.required": str(client.backchannel_logout_session_required).lower(),
            "backchannel.logout.revoke.offline.tokens": "false",
        },
        "fullScopeAllowed": True,
        "nodeReRegistrationTimeout": -1,
        "defaultClientScopes": ["web-origins", "acr", "profile", "roles", "basic", "email"],
        "optionalClientScopes": ["address", "phone", "offline_access", "organization", "microprofile-jwt"],
        "access": {"view": True, "configure": True, "manage": True},
    }
