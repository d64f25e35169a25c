"""Who a request is: bearer tokens, static ones first and then OIDC access tokens, as the real server's
union authenticator does (`sovereign_sandbox.auth.oidc` verifies the OIDC ones).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sovereign_sandbox import errors
from sovereign_sandbox.errors import ApiError

__all__ = [
    "ANONYMOUS_ADMIN",
    "AUTHENTICATED",
    "TokenVerifier",
    "User",
    "authenticate",
    "authenticate_request",
]

AUTHENTICATED = "system:authenticated"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    # (key, values) pairs rather than a dict so a User stays hashable.
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()


# Who plain-HTTP requests without a token act as (in-process tests only; kubectl never sends tokens over http).
ANONYMOUS_ADMIN = User("system:admin", ("system:masters", AUTHENTICATED))


class TokenVerifier(Protocol):
    """Turns a bearer token it recognises into a user (None: not one of its tokens, or not valid)."""

    def __call__(self, token: str) -> Awaitable[User | None]: ...


def _with_authenticated(user: User) -> User:
    if AUTHENTICATED in user.groups:
        return user
    return User(user.name, (*user.groups, AUTHENTICATED), user.uid, user.extra)


def authenticate(authorization: str | None, tokens: Mapping[str, User], anonymous: User | None) -> User:
    """The user a request's `Authorization` header names, by static token only.

    Raises:
        ApiError: 401 for an unknown token, or no token where anonymous access is off.
    """
    if authorization:
        scheme, _, token = authorization.partition(" ")
        user = tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise errors.unauthorized()
        return _with_authenticated(user)
    if anonymous is None:
        raise errors.unauthorized()
    return anonymous


async def authenticate_request(
    authorization: str | None,
    tokens: Mapping[str, User],
    anonymous: User | None,
    verifier: TokenVerifier | None = None,
) -> User:
    """Like `authenticate`, falling back to `verifier` (OIDC) for bearer tokens that are not static ones.

    Raises:
        ApiError: 401 when no authenticator accepts the token.
    """
    try:
        return authenticate(authorization, tokens, anonymous)
    except ApiError:
        scheme, _, token = (authorization or "").partition(" ")
        if verifier is None or scheme.lower() != "bearer" or not token.strip():
            raise
        user = await verifier(token.strip())
        if user is None:
            raise
        return _with_authenticated(user)
