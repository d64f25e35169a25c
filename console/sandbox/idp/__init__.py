"""The sandbox's Keycloak-compatible identity provider (realm `sovereign`); start it with `IdentityProvider`."""

from console.sandbox.idp.app import create_idp_app
from console.sandbox.idp.realm import Realm
from console.sandbox.idp.seed import build_realm
from console.sandbox.idp.server import DEFAULT_REDIRECT_URIS, IdentityProvider

__all__ = ["DEFAULT_REDIRECT_URIS", "IdentityProvider", "Realm", "build_realm", "create_idp_app"]
