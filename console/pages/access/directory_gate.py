"""Who may open the directory pages (groups, roles, who can, audit) and who may change Keycloak groups.

Admins and owners see the pages; only owners change groups (rbac.md: `rbac.*` is the owner tier's). The
tier is always read from the session on the server, never from anything the browser sends.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from console.identity.claims import Identity
from console.kube.api import ActingAs
from console.rbac.tiers import at_least
from console.state.session import current_person

__all__ = ["NEEDS_ADMIN", "NEEDS_OWNER", "DirectoryGateState", "Visitor", "visitor"]

NEEDS_ADMIN = "This page is shown to tier-admin and tier-owner; you are signed in with {tier}."
NEEDS_OWNER = "Only a tier-owner changes Keycloak groups; you are signed in with {tier}."


@dataclass(frozen=True, slots=True)
class Visitor:
    """The signed-in person on a directory page."""

    identity: Identity
    acting_as: ActingAs

    @property
    def actor(self) -> str:
        """How the audit log names them (the Kubernetes user name, `oidc:<sub>`)."""
        return self.identity.kube_user

    @property
    def may_view(self) -> bool:
        return at_least(self.identity.tier, "admin")

    @property
    def may_change_groups(self) -> bool:
        return at_least(self.identity.tier, "owner")

    def refusal(self, message: str) -> str:
        """`message` (NEEDS_ADMIN, NEEDS_OWNER) for this person's tier."""
        return message.format(tier=f"tier-{self.identity.tier}" if self.identity.tier else "no tier")


async def visitor(cookie_header: str) -> Visitor | None:
    """The person behind the tab's session cookie (read by the server at the socket's handshake), else None."""
    person = await current_person(cookie_header)
    return None if person is None else Visitor(*person)


class DirectoryGateState(rx.State, mixin=True):
    """The tier gate of a directory page, read from the session when the page opens (each change reads it
    again): admins and owners see the page, anyone else is told why not (`needs_tier_notice`)."""

    checked: bool = False  # the session's tier was read
    allowed: bool = False  # … and it is admin or owner
    refusal: str = ""  # why not, for anyone else

    async def _check_tier(self) -> Visitor | None:
        """Who is looking, from the session now, and the gate set for their tier; None when signed out (the
        caller sends them to sign in)."""
        person = await visitor(self.router.headers.cookie)
        if person is None:
            self.checked = False
            return None
        self.checked, self.allowed = True, person.may_view
        self.refusal = "" if person.may_view else person.refusal(NEEDS_ADMIN)
        return person

    def _lose_access(self, person: Visitor | None) -> None:
        """Close the page to a person who may no longer see it: signed out, or their tier went below admin."""
        self.allowed = False
        self.refusal = person.refusal(NEEDS_ADMIN) if person else ""
