"""The people of the seeded Sovereign: who they are, the tier the cluster grants them, their Keycloak groups
and the demo passwords the sandbox IdP accepts for them.

The realm (`idp.seed`), the seeded RBAC (`world.access`) and the persona tokens of the API server all read
them from here; the API server's token check (`auth.oidc`) knows nothing of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.world.context import DOMAIN

__all__ = ["DISPLAY_NAMES", "PEOPLE", "Person", "password_of", "persona_user", "subject_of"]


@dataclass(frozen=True)
class Person:
    """A seeded realm user and the grant the cluster holds for them (None: no access yet)."""

    username: str
    tier: str | None
    scopes: tuple[tuple[str, str], ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.username}@{DOMAIN}"


PEOPLE = (
    Person("owner", "owner", groups=("/sovereign-admins",)),
    Person("admin", "admin", groups=("/sovereign-admins",)),
    Person("sre", "operator"),
    Person("secops", "admin"),
    Person("developer", "developer"),
    Person("viewer", "viewer"),
    Person("acme-admin", "admin", scopes=(("openova.io/organization", "acme"),), groups=("/acme/admins",)),
    Person("newcomer", None),
)


def subject_of(username: str) -> str:
    """The Keycloak `sub` of a seeded person: a UUID derived from the username, stable across runs.

    The sandbox IdP should issue these subs so `oidc:<sub>` in the seeded bindings names the same user.
    """
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{DOMAIN}/realms/sovereign/users/{username}"))


# (first name, last name) per seeded username; `Person` only knows usernames.
DISPLAY_NAMES = {
    "owner": ("Amira", "Al-Balushi"),
    "admin": ("Khalid", "Al-Harthi"),
    "sre": ("Sara", "Lindqvist"),
    "secops": ("Omar", "Al-Rawahi"),
    "developer": ("Daniel", "Okafor"),
    "viewer": ("Mei", "Tanaka"),
    "acme-admin": ("Ana", "Costa"),
    "newcomer": ("Noah", "Fischer"),
}


def password_of(username: str) -> str:
    """The demo password of a seeded person: known on purpose, which is why the sandbox never ships with the console."""
    return f"demo-{username}"


def persona_user(username: str, *, prefix: str = "oidc:") -> User:
    """Who the API server takes a seeded person's Keycloak access token for (before `system:authenticated`).

    The token's `groups` claim holds the full paths of the person's Keycloak groups: `/tiers/<tier>`
    (the grant reconciler adds it) and the groups the realm seeds them in; `prefix` is the API server's
    `--oidc-username-prefix` and `--oidc-groups-prefix`.
    """
    person = next(person for person in PEOPLE if person.username == username)
    groups = ([f"/tiers/{person.tier}"] if person.tier else []) + list(person.groups)
    return User(f"{prefix}{subject_of(username)}", tuple(f"{prefix}{group}" for group in groups))
