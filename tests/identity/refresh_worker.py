"""One console worker process for the cross-process refresh test: resolves one session when told to go.

Run as `python refresh_worker.py <sessions.db> <session id>` with OIDC_ISSUER, OIDC_CLIENT_ID and
OIDC_CLIENT_SECRET set. Prints `ready` once connected, waits for a line on stdin, then prints the tokens
it ended with as JSON (`null` when the person was signed out).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from console.identity.oidc import OidcClient, OidcConfig
from console.identity.service import SessionService
from console.identity.sessions import SqliteSessionStore


async def main(database: Path, session_id: str) -> None:
    oidc = OidcClient(
        OidcConfig(
            issuer=os.environ["OIDC_ISSUER"],
            client_id=os.environ["OIDC_CLIENT_ID"],
            client_secret=os.environ["OIDC_CLIENT_SECRET"],
            redirect_uri="http://127.0.0.1:3000/auth/callback",
        )
    )
    store = SqliteSessionStore(database)
    service = SessionService(store, oidc)
    session = await store.get(session_id)
    assert session is not None
    # Discovery and keys fetched beforehand, so the two workers race on the refresh itself.
    await oidc.verify_access_token(session.access_token)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    resolved = await service.resolve(session_id)
    tokens = None if resolved is None else {"access": resolved[0].access_token, "refresh": resolved[0].refresh_token}
    print(json.dumps(tokens), flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
