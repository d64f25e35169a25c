"""A KeycloakAdmin whose HTTP requests are counted (an httpx event hook: test plumbing, not a mock)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx

from console.rbac.keycloak_admin import KeycloakAdmin

TOKEN_PATH = "/protocol/openid-connect/token"


@dataclass
class CountedAdmin:
    """A KeycloakAdmin and what went over its wire: requests per URL path, and the bearer tokens used."""

    admin: KeycloakAdmin
    http: httpx.AsyncClient
    paths: Counter[str] = field(default_factory=Counter)
    bearers: list[str] = field(default_factory=list)

    @property
    def token_requests(self) -> int:
        return sum(count for path, count in self.paths.items() if path.endswith(TOKEN_PATH))

    async def aclose(self) -> None:
        await self.http.aclose()


def counted_admin(issuer: str, client_id: str, secret: str, *, page_size: int = 100) -> CountedAdmin:
    paths: Counter[str] = Counter()
    bearers: list[str] = []

    async def record(request: httpx.Request) -> None:
        paths[request.url.path] += 1
        if authorization := request.headers.get("authorization"):
            bearers.append(authorization.removeprefix("Bearer "))

    http = httpx.AsyncClient(timeout=10, event_hooks={"request": [record]})
    admin = KeycloakAdmin(issuer, client_id, secret, http=http, page_size=page_size)
    return CountedAdmin(admin, http, paths, bearers)
