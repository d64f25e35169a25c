"""The sandbox's Keycloak-compatible identity provider (realm `sovereign`); start it with `IdentityProvider`."""

from sovereign_sandbox.idp.app import create_idp_app
from sovereign_sandbox.idp.realm import Realm
from sovereign_sandbox.idp.seed import build_realm
from sovereign_sandbox.idp.server import DEFAULT_REDIRECT_URIS, IdentityProvider

__all__ = ["DEFAULT_REDIRECT_URIS", "IdentityProvider", "Realm", "build_realm", "create_idp_app"]
