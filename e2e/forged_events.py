"""Send a state's events over Reflex's socket.io connection as a hand-written client would: on a signed-in
tab's token and cookies, bypassing whatever the UI offered. The browser tests of refused actions use it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import leak_watch
import pytest
import socketio
from playwright.sync_api import BrowserContext

from console.audit.log import AuditRecord
from console.database.runtime import open_database

# The socket.io path and namespace the front-end connects to (`.web/env.json` EVENT: ws://…/_event).
EVENT_PATH = "/_event"
T = TypeVar("T")


def run_on_own_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to its end on its own thread: Playwright's sync API holds this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def dispatch(
    console_url: str,
    token: str,
    cookie: str,
    path: str,
    state: str,
    events: list[tuple[str, dict]],
    until: str,
    timeout: float = 15.0,
) -> list[Any]:
    """Emit `state`'s events (`emit("event", {name, payload, router_data})` on `/_event`) and stay connected
    until a delta mentioning `until` arrives (the backend handles a token's events in order, so the last
    handler has then run to its end). Returns every frame received, for failure messages."""
    client = socketio.AsyncClient(reconnection=False)
    answers: list[Any] = []
    arrived = asyncio.Event()

    def received(event: str, data: Any = None) -> None:
        answers.append((event, data))
        if until in repr(data):
            arrived.set()

    client.on("*", received, namespace=EVENT_PATH)
    await client.connect(
        f"{console_url}?token={token}",
        headers={"Cookie": cookie, "Origin": console_url},
        transports=["websocket"],
        socketio_path=EVENT_PATH,
        namespaces=[EVENT_PATH],
    )
    try:
        for handler, payload in events:
            router_data = {"pathname": path, "asPath": path, "query": {}}
            await client.emit(
                "event",
                {"name": f"{state}.{handler}", "payload": payload, "router_data": router_data},
                namespace=EVENT_PATH,
            )
        await asyncio.wait_for(arrived.wait(), timeout)
    finally:
        await client.disconnect()
    return answers


async def _recent(database: Path) -> list[AuditRecord]:
    opened = await open_database(f"sqlite:///{database}", install=False)
    try:
        return await opened.audit_log.recent(limit=1000)
    finally:
        opened.close()


def audit_records_about(tmp_path_factory: pytest.TempPathFactory, name: str) -> list[AuditRecord]:
    """This object's records from the e2e consoles' `<CONSOLE_STATE_DIR>/console.db` (a tmp path per module)."""
    records: list[AuditRecord] = []
    for database in {path.resolve() for path in Path(tmp_path_factory.getbasetemp()).glob("console*/console.db")}:
        records += [r for r in run_on_own_thread(_recent(database)) if r.target.endswith(f"/{name}")]
    return records


def tab_token_and_cookie(context: BrowserContext, console_url: str) -> tuple[str, str]:
    """A signed-in tab's Reflex token and the browser's cookies; closes the context so the token is free (a
    second socket on a live token would be handed a fresh token and an empty state)."""
    token = context.pages[0].evaluate("() => window.sessionStorage.getItem('token')")
    assert token
    leak_watch.remember_session_ids(context.cookies(console_url))
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(console_url))
    context.close()
    return token, cookie
