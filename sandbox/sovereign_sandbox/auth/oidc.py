"""OIDC access-token authentication, as `kube-apiserver --oidc-*` does it against a Keycloak realm.

A token is an RS256 JWT signed by a key from the issuer's JWKS. The JWKS address comes from the issuer's
discovery document (`jwks_uri`), or Keycloak's fixed path when there is none; keys are cached and fetched
again when a token names a `kid` the cache lacks (the IdP rotated its keys).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from sovereign_sandbox.auth.authentication import User

__all__ = ["OidcVerifier"]

_ALGORITHMS = ["RS256"]
# Verified tokens are remembered (until they expire) so a busy client does not pay for RSA on every call.
_VERIFIED_LIMIT = 4096


class OidcVerifier:
    """Verifies OIDC access tokens from one issuer; call it with a token to get its user, or None.

    Args:
        issuer: the exact `iss` tokens must carry (`https://<kc>/realms/<realm>`).
        audience: the client id: accepted in `aud` (a string or a list) or as `azp`, since Keycloak access
            tokens name the requesting client there and often carry `aud: account`.
        username_prefix, groups_prefix: what the user and group names get (`--oidc-*-prefix`).
        verify: TLS verification for the JWKS fetch (a CA bundle path, an SSLContext or a bool).
        transport: an httpx transport to fetch through (tests pass an `httpx.MockTransport`).
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        *,
        username_claim: str = "sub",
        groups_claim: str = "groups",
        username_prefix: str = "oidc:",
        groups_prefix: str = "oidc:",
        verify: Any = True,
        transport: httpx.AsyncBaseTransport | None = None,
        leeway_seconds: int = 0,
    ):
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.username_claim = username_claim
        self.groups_claim = groups_claim
        self.username_prefix = username_prefix
        self.groups_prefix = groups_prefix
        self._verify = verify
        self._transport = transport
        self._leeway = leeway_seconds
        self._keys: KeySet | None = None
        self._jwks_uri = ""
        self._fetching = asyncio.Lock()
        self._verified: dict[str, tuple[User, float]] = {}

    async def __call__(self, token: str) -> User | None:
        remembered = self._verified.get(token)
        if remembered is not None and remembered[1] > time.time():
            return remembered[0]
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError):
            return None  # not a JWT at all: some other authenticator's token
        if header.get("alg") not in _ALGORITHMS:
            return None
        key = await self._key(header.get("kid"))
        if key is None:
            return None
        try:
            claims = jwt.decode(token, key, algorithms=_ALGORITHMS).claims
        except (JoseError, ValueError):
            return None
        if not self._valid(claims):
            return None
        user = self._user(claims)
        if user is not None:
            if len(self._verified) >= _VERIFIED_LIMIT:
                self._verified.clear()
            self._verified[token] = (user, float(claims["exp"]))
        return user

    def _valid(self, claims: dict[str, Any]) -> bool:
        now = time.time()
        if claims.get("iss") != self.issuer:
            return False
        expiry, not_before = claims.get("exp"), claims.get("nbf")
        if not isinstance(expiry, int | float) or expiry + self._leeway <= now:
            return False
        if isinstance(not_before, int | float) and not_before - self._leeway > now:
            return False
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or ())
        return self.audience in audiences or claims.get("azp") == self.audience

    def _user(self, claims: dict[str, Any]) -> User | None:
        name = claims.get(self.username_claim)
        if not isinstance(name, str) or not name:
            return None
        groups = claims.get(self.groups_claim) or []
        if isinstance(groups, str):
            groups = [groups]
        return User(f"{self.username_prefix}{name}", tuple(f"{self.groups_prefix}{group}" for group in groups))

    async def _key(self, kid: str | None) -> RSAKey | None:
        key = self._find(kid)
        if key is not None:
            return key
        seen = self._keys
        async with self._fetching:
            if self._keys is seen:  # nobody refreshed while this request waited
                try:
                    self._keys = await self._fetch()
                except (httpx.HTTPError, ValueError, JoseError):
                    return None
        return self._find(kid)

    def _find(self, kid: str | None) -> RSAKey | None:
        if self._keys is None:
            return None
        signing = [
            key
            for key in self._keys.keys
            if isinstance(key, RSAKey) and key.get("use", "sig") == "sig" and (kid is None or key.kid == kid)
        ]
        return signing[0] if len(signing) == 1 or (signing and kid is not None) else None

    async def _fetch(self) -> KeySet:
        async with httpx.AsyncClient(verify=self._verify, transport=self._transport, timeout=5) as http:
            if not self._jwks_uri:
                self._jwks_uri = await self._discover(http)
            response = await http.get(self._jwks_uri)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())

    async def _discover(self, http: httpx.AsyncClient) -> str:
        try:
            response = await http.get(f"{self.issuer}/.well-known/openid-configuration")
            if response.status_code == 200:
                uri = response.json().get("jwks_uri")
                if isinstance(uri, str) and uri:
                    return uri
        except (httpx.HTTPError, ValueError):
            pass
        return f"{self.issuer}/protocol/openid-connect/certs"
