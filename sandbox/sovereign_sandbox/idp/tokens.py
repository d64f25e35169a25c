"""Signing keys, JWKS and JWT encode/verify, with Keycloak's headers.

Access and ID tokens are RS256 with `typ: JWT` and the key's `kid` (what JWKS consumers such as the API server
and authlib look up). Refresh tokens are HS512 with a realm secret, as Keycloak signs them: only the IdP itself
ever reads them.
"""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey, RSAKey

__all__ = ["InvalidToken", "SigningKeys"]


class InvalidToken(Exception):
    """The token is malformed, has a bad signature, or (when checked) has expired."""


class SigningKeys:
    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(2048, private=True)
        self.kid = self.rsa.thumbprint()
        self.hmac = OctKey.generate_key(512)
        self.hmac_kid = self.hmac.thumbprint()

    def jwks(self) -> dict[str, Any]:
        public = self.rsa.as_dict(private=False)
        return {
            "keys": [{"kid": self.kid, "kty": "RSA", "alg": "RS256", "use": "sig", "n": public["n"], "e": public["e"]}]
        }

    def public_key_base64(self) -> str:
        """The DER SubjectPublicKeyInfo in base64, as `/realms/<realm>` publishes it under `public_key`."""
        pem = self.rsa.as_pem(private=False).decode()
        return "".join(line for line in pem.splitlines() if "-----" not in line)

    @property
    def header(self) -> dict[str, str]:
        """Keycloak's JOSE header for access and ID tokens."""
        return {"alg": "RS256", "typ": "JWT", "kid": self.kid}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(self.header, claims, self.rsa)

    def sign_refresh(self, claims: dict[str, Any]) -> str:
        return jwt.encode({"alg": "HS512", "typ": "JWT", "kid": self.hmac_kid}, claims, self.hmac, algorithms=["HS512"])

    def verify(self, token: str, *, refresh: bool = False, check_expiry: bool = True) -> dict[str, Any]:
        """The claims of a token this IdP signed; raises InvalidToken otherwise."""
        key, algorithm = (self.hmac, "HS512") if refresh else (self.rsa, "RS256")
        try:
            claims = dict(jwt.decode(token, key, algorithms=[algorithm]).claims)
        except (JoseError, ValueError) as error:
            raise InvalidToken(str(error)) from error
        if check_expiry and int(claims.get("exp", 0)) <= time.time():
            raise InvalidToken("expired")
        return claims
