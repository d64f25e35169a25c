"""The SQLite session store's index by person: every session of one subject goes at once, others stay."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from console.identity.sessions import Session, SqliteSessionStore, new_session_id


def _session(subject: str, **overrides) -> Session:
    values = {
        "access_token": f"at-{subject}",
        "refresh_token": f"rt-{subject}",
        "id_token": "it",
        "access_expires_at": time.time() + 300,
        "refresh_expires_at": time.time() + 1800,
        "claims": {"sub": subject, "preferred_username": subject},
    }
    values.update(overrides)
    return Session(**values)


async def test_deleting_a_subject_ends_all_of_their_sessions_and_no_one_elses(tmp_path: Path):
    store = SqliteSessionStore(tmp_path / "sessions.db")
    alice = [new_session_id() for _ in range(3)]
    bob = new_session_id()
    for session_id in alice:
        await store.put(session_id, _session("alice"))
    await store.put(bob, _session("bob"))

    assert await store.delete_for_subject("alice") == 3

    assert [await store.get(session_id) for session_id in alice] == [None, None, None]
    assert (await store.get(bob)) is not None
    assert await store.delete_for_subject("alice") == 0


async def test_taking_a_subjects_sessions_returns_them_for_revocation(tmp_path: Path):
    store = SqliteSessionStore(tmp_path / "sessions.db")
    await store.put(new_session_id(), _session("alice", refresh_token="one"))
    await store.put(new_session_id(), _session("alice", refresh_token="two"))
    taken = await store.take_for_subject("alice")
    assert sorted(session.refresh_token for session in taken) == ["one", "two"]
    assert await store.take_for_subject("") == []


async def test_idle_sessions_are_not_counted(tmp_path: Path):
    store = SqliteSessionStore(tmp_path / "sessions.db", idle_timeout=60)
    await store.put(new_session_id(), _session("alice", last_seen=time.time() - 61))
    await store.put(new_session_id(), _session("alice"))
    assert await store.delete_for_subject("alice") == 1


async def test_an_update_never_revives_a_deleted_session(tmp_path: Path):
    """A touch or refresh that read the session before "sign out everywhere" must not write it back."""
    store = SqliteSessionStore(tmp_path / "sessions.db")
    session_id = new_session_id()
    session = _session("alice")
    await store.put(session_id, session)
    assert await store.update(session_id, session) is True
    await store.delete_for_subject("alice")
    assert await store.update(session_id, session) is False
    assert await store.get(session_id) is None


async def test_a_store_file_from_before_the_index_gets_its_subjects(tmp_path: Path):
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as connection:  # the table as earlier versions created it
        connection.execute("CREATE TABLE sessions (key TEXT PRIMARY KEY, body TEXT NOT NULL, expires REAL NOT NULL)")
        connection.execute(
            "INSERT INTO sessions VALUES (?, ?, ?)", ("k1", _session("alice").to_json(), time.time() + 600)
        )
    store = SqliteSessionStore(path)
    assert await store.delete_for_subject("alice") == 1
