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

__all__ = ["NEEDS_ADMIN", "NEEDS_OWNER", "Visitor", "needs_tier_notice", "visitor"]

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


def needs_tier_notice(message: rx.Var[str]) -> rx.Component:
    """What a person below the page's tier sees instead of it."""
    return rx.callout(message, icon="lock", color_scheme="amber", data_testid="needs-tier")
