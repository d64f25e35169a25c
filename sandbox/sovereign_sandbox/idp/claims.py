"""Token payloads in Keycloak's claim layout, including the Catalyst mappers (tier, org, openova_scopes, groups).

Claims are computed from the realm at issue time, so group and role changes show up in the next token.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sovereign_sandbox.idp.realm import Client, Realm, User

__all__ = ["access_claims", "id_token_claims", "refresh_claims", "subject_claims", "user_claims"]


def user_claims(realm: Realm, user: User) -> dict[str, Any]:
    """Profile, email and Catalyst mapper claims; shared by access token, ID token and userinfo."""
    claims: dict[str, Any] = {"email_verified": user.email_verified}
    if user.full_name:
        claims["name"] = user.full_name
    claims["preferred_username"] = user.username
    if user.first_name:
        claims["given_name"] = user.first_name
    if user.last_name:
        claims["family_name"] = user.last_name
    if user.email:
        claims["email"] = user.email
    if user.service_account_of is None:
        # Group Membership mapper (full.path=true) and the user-attribute mappers; an unset
        # attribute produces no claim, as Keycloak's mappers do.
        claims["groups"] = realm.group_paths(user)
        if tier := realm.tier_of(user):
            claims["tier"] = tier
        if org := user.attributes.get("org"):
            claims["org"] = org[0]
        if scopes := user.attributes.get("openova_scopes"):
            claims["openova_scopes"] = list(scopes)
    return claims


def _audience(client: Client, resource_access: dict[str, list[str]]) -> str | list[str]:
    # Keycloak puts every client whose roles are in the token into `aud`, plus audience-mapper values.
    audience = [*client.audience, *(name for name in resource_access if name != client.client_id)]
    unique = list(dict.fromkeys(audience))
    return unique[0] if len(unique) == 1 else unique


def access_claims(
    realm: Realm,
    issuer: str,
    client: Client,
    user: User,
    *,
    scope: str,
    session_id: str | None,
    auth_time: int | None,
    fresh_login: bool = True,
    client_address: str | None = None,
) -> dict[str, Any]:
    now = int(time.time())
    realm_roles, resource_access = realm.effective_roles(user)
    claims: dict[str, Any] = {"exp": now + realm.lifetimes.access_token_seconds, "iat": now}
    if auth_time is not None:
        claims["auth_time"] = auth_time
    claims |= {
        "jti": f"{'trrtcc' if user.service_account_of else 'onrtac'}:{uuid.uuid4()}",
        "iss": issuer,
        "aud": _audience(client, resource_access),
        "sub": user.id,
        "typ": "Bearer",
        "azp": client.client_id,
    }
    if session_id is not None:
        claims["sid"] = session_id
    claims["acr"] = "1" if fresh_login else "0"
    if client.web_origins:
        claims["allowed-origins"] = list(client.web_origins)
    claims["realm_access"] = {"roles": realm_roles}
    claims["resource_access"] = {name: {"roles": roles} for name, roles in resource_access.items()}
    claims["scope"] = scope
    if user.service_account_of is not None:
        address = client_address or "127.0.0.1"
        claims |= {"clientHost": address, "clientAddress": address, "client_id": client.client_id}
    return claims | user_claims(realm, user)


def id_token_claims(realm: Realm, issuer: str, client: Client) -> dict[str, Any]:
    """The ID token's own claims; authlib's OpenIDToken adds nonce, at_hash and then `subject_claims`."""
    now = int(time.time())
    return {
        "exp": now + realm.lifetimes.access_token_seconds,
        "iat": now,
        "jti": f"ntrtid:{uuid.uuid4()}",
        "iss": issuer,
        "aud": client.client_id,
        "typ": "ID",
        "azp": client.client_id,
    }


def subject_claims(
    realm: Realm, user: User, *, session_id: str, auth_time: int, fresh_login: bool, nonce: str | None
) -> dict[str, Any]:
    """Who signed in and in which SSO session: the ID token's `sub`, `sid`, `acr` and the person's claims."""
    claims: dict[str, Any] = {"sub": user.id, "auth_time": auth_time}
    if nonce:
        claims["nonce"] = nonce
    claims |= {"sid": session_id, "acr": "1" if fresh_login else "0"}
    return claims | user_claims(realm, user)


def refresh_claims(
    realm: Realm, issuer: str, client: Client, user: User, *, session_id: str, scope: str, expires: int
) -> dict[str, Any]:
    now = int(time.time())
    return {
        "exp": expires,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "aud": issuer,
        "sub": user.id,
        "typ": "Refresh",
        "azp": client.client_id,
        "sid": session_id,
        "scope": scope,
    }
