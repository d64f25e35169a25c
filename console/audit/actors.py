"""Who is behind an audit actor: `oidc:<sub>` is a Keycloak user, shown by name and email where known.

`ActorNames` asks a lookup (the Keycloak Admin API, given by the caller) once per subject and keeps the answer
for a while, so a live audit page costs no lookups for actors it already showed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping

__all__ = ["OIDC_PREFIX", "ActorNames", "matching_actors", "subject_of_actor"]

OIDC_PREFIX = "oidc:"  # the API server's --oidc-username-prefix: what the console records as the actor
_LOOKUPS_AT_ONCE = 8


def subject_of_actor(actor: str) -> str:
    """The Keycloak subject of an `oidc:<sub>` actor, "" for any other actor (service accounts, raw names)."""
    return actor.removeprefix(OIDC_PREFIX) if actor.startswith(OIDC_PREFIX) else ""


def matching_actors(text: str, actors: Iterable[str], names: Mapping[str, str]) -> tuple[str, ...]:
    """The actors whose raw name or known person (name, email) contains `text`, case-insensitively."""
    needle = text.strip().casefold()
    return tuple(actor for actor in actors if needle in actor.casefold() or needle in names.get(actor, "").casefold())


class ActorNames:
    """Display names of actors, looked up by Keycloak subject and kept `ttl` seconds (unknown ones less)."""

    def __init__(
        self,
        lookup: Callable[[str], Awaitable[str | None]],
        *,
        ttl: float = 300.0,
        unknown_ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup  # subject → "First Last <email>", None when there is no such user
        self._ttl = ttl
        self._unknown_ttl = unknown_ttl
        self._clock = clock
        self._known: dict[str, tuple[str, float]] = {}  # subject → (name, good until)

    async def _name_of(self, subject: str, limit: asyncio.Semaphore) -> str:
        async with limit:
            try:
                name = await self._lookup(subject)
            except Exception:  # noqa: BLE001  # a name is a courtesy: the raw actor is shown instead
                name = None
        good_for = self._ttl if name else self._unknown_ttl
        self._known[subject] = (name or "", self._clock() + good_for)
        return name or ""

    async def names(self, actors: Iterable[str]) -> dict[str, str]:
        """actor → the person's name and email ("" when not known: not an `oidc:` actor, or no such user)."""
        now = self._clock()
        wanted = {actor: subject_of_actor(actor) for actor in set(actors)}
        stale = sorted(
            {subject for subject in wanted.values() if subject and self._known.get(subject, ("", 0.0))[1] <= now}
        )
        if stale:
            limit = asyncio.Semaphore(_LOOKUPS_AT_ONCE)
            await asyncio.gather(*(self._name_of(subject, limit) for subject in stale))
        return {actor: self._known.get(subject, ("", 0.0))[0] if subject else "" for actor, subject in wanted.items()}
