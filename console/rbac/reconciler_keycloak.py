"""The Keycloak side of a grant (rbac.md): its user is a member of `/tiers/<tier>` (created if missing), so the
token carries the tier's realm role; when the last grant of that tier for the user goes, so does the membership.

Memberships this process made are remembered for a while, so a resync does not call Keycloak for every grant.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from console.rbac.keycloak_admin import KcGroup, KeycloakAdmin, KeycloakAdminError
from console.rbac.tiers import Tier

__all__ = ["TierMembership"]

_RECHECK_SECONDS = 600.0  # a membership made (or seen) this long ago is made again on the next pass


class TierMembership:
    """Adds and removes grant users to and from the tier groups, as the console's service account."""

    def __init__(
        self,
        keycloak: KeycloakAdmin,
        *,
        recheck_seconds: float = _RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keycloak = keycloak
        self._recheck = recheck_seconds
        self._clock = clock
        self._groups: dict[str, KcGroup] = {}  # by path
        self._members: dict[tuple[str, str], float] = {}  # (user id, group path) → when it was made
        self.calls = 0  # Keycloak writes made (memberships added or removed, groups ensured)

    async def _group(self, path: str) -> KcGroup:
        group = self._groups.get(path)
        if group is None:
            self.calls += 1
            group = self._groups[path] = await self._keycloak.ensure_group_path(path)
        return group

    async def ensure(self, user_id: str, tier: Tier) -> None:
        """`user_id` is a member of the tier's group once this returns.

        Raises:
            KeycloakAdminError: Keycloak refused or could not be reached; or the user does not exist there.
        """
        path = tier.group_path
        made = self._members.get((user_id, path))
        if made is not None and self._clock() - made < self._recheck:
            return
        for attempt in range(2):
            group = await self._group(path)
            try:
                self.calls += 1
                await self._keycloak.add_user_to_group(user_id, group.id)
                break
            except KeycloakAdminError as error:
                if error.status != 404:
                    raise
                self._groups.pop(path, None)  # the group may have been deleted: ensure it once more
                if attempt:
                    raise KeycloakAdminError(404, f"user {user_id} not found in Keycloak") from error
        self._members[(user_id, path)] = self._clock()

    async def revoke(self, user_id: str, tier: Tier) -> None:
        """`user_id` is no longer a member of the tier's group (a user or group already gone is fine).

        Raises:
            KeycloakAdminError: Keycloak refused or could not be reached.
        """
        path = tier.group_path
        self._members.pop((user_id, path), None)
        group = self._groups.get(path) or await self._keycloak.group_by_path(path)
        if group is None:
            return
        try:
            self.calls += 1
            await self._keycloak.remove_user_from_group(user_id, group.id)
        except KeycloakAdminError as error:
            if error.status != 404:
                raise
