"""OIDC Back-Channel Logout 1.0, sending side: when an SSO session ends by logout, POST a logout token to every
client of the session that registered a back-channel logout URL, as Keycloak does.

Session ends that trigger it: logout at the end-session endpoint (browser or refresh token), the admin's
`POST users/{id}/logout`, disabling or deleting a user, and a different person signing in over the SSO cookie.
An idle session that simply expires sends nothing (nor does Keycloak's).

Delivery is asynchronous and best effort: each POST gets a short timeout, failures are logged, nothing retries.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from typing import Any

import httpx

from sovereign_sandbox.idp.provider import Provider
from sovereign_sandbox.idp.sessions import UserSession

__all__ = ["BACKCHANNEL_LOGOUT_EVENT", "DELIVERY_TIMEOUT_SECONDS", "BackchannelLogout", "logout_token_claims"]

log = logging.getLogger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
DELIVERY_TIMEOUT_SECONDS = 5.0
# How long a logout token is valid; the receiver refuses it afterwards (and may forget its jti).
LOGOUT_TOKEN_SECONDS = 120


def logout_token_claims(issuer: str, client_id: str, session: UserSession, *, with_sid: bool) -> dict[str, Any]:
    """Keycloak's logout token: iss, aud, sub, sid, the back-channel event, typ "Logout"; never a nonce."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "aud": client_id,
        "sub": session.user_id,
        "typ": "Logout",
    }
    if with_sid:
        claims["sid"] = session.id
    return claims | {"events": {BACKCHANNEL_LOGOUT_EVENT: {}}}


class BackchannelLogout:
    """Hooked into the realm's session store; sends one logout token per client with a back-channel URL."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self._tasks: set[asyncio.Task[None]] = set()
        provider.realm.sessions.on_end = self.session_ended

    def deliveries(self, session: UserSession) -> list[tuple[str, str]]:
        """(URL, signed logout token) for every client of the session that asked to be told."""
        out = []
        for client_id in session.clients:
            client = self.provider.realm.client_by_client_id(client_id)
            if client is None or not client.backchannel_logout_url:
                continue
            claims = logout_token_claims(
                self.provider.issuer, client.client_id, session, with_sid=client.backchannel_logout_session_required
            )
            out.append((client.backchannel_logout_url, self.provider.keys.sign(claims)))
        return out

    def session_ended(self, session: UserSession) -> None:
        deliveries = self.deliveries(session)
        if not deliveries:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the realm changed outside the IdP's loop (before start, or in a unit test)
            threading.Thread(target=lambda: asyncio.run(_deliver_all(deliveries)), daemon=True).start()
            return
        task = loop.create_task(_deliver_all(deliveries))
        self._tasks.add(task)  # keep a reference until done, or the loop may drop it
        task.add_done_callback(self._tasks.discard)


async def _deliver_all(deliveries: list[tuple[str, str]]) -> None:
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as http:
        await asyncio.gather(*(_deliver(http, url, token) for url, token in deliveries))


async def _deliver(http: httpx.AsyncClient, url: str, token: str) -> None:
    try:
        response = await http.post(url, data={"logout_token": token})
    except httpx.HTTPError as error:
        log.warning("back-channel logout to %s failed: %s", url, error or type(error).__name__)
        return
    if response.status_code >= 300:
        log.warning("back-channel logout to %s answered HTTP %d: %s", url, response.status_code, response.text[:200])
