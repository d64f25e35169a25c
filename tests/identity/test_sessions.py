import time

from console.identity.sessions import Session, SqliteSessionStore, new_session_id


def _session(**overrides) -> Session:
    values = {
        "access_token": "at",
        "refresh_token": "rt",
        "id_token": "it",
        "access_expires_at": time.time() + 300,
        "refresh_expires_at": time.time() + 1800,
        "claims": {"sub": "u1", "preferred_username": "sre"},
    }
    values.update(overrides)
    return Session(**values)


async def test_a_session_survives_a_new_store_on_the_same_file(tmp_path):
    session_id = new_session_id()
    await SqliteSessionStore(tmp_path / "sessions.db").put(session_id, _session())
    restarted = SqliteSessionStore(tmp_path / "sessions.db")
    loaded = await restarted.get(session_id)
    assert loaded is not None and loaded.claims["preferred_username"] == "sre"


async def test_unknown_deleted_and_idle_sessions_are_gone(tmp_path):
    store = SqliteSessionStore(tmp_path / "sessions.db", idle_timeout=60)
    assert await store.get("nope") is None
    session_id = new_session_id()
    await store.put(session_id, _session())
    await store.delete(session_id)
    assert await store.get(session_id) is None
    idle_id = new_session_id()
    await store.put(idle_id, _session(last_seen=time.time() - 61))
    assert await store.get(idle_id) is None


async def test_the_store_never_keys_by_the_cookie_value(tmp_path):
    session_id = new_session_id()
    await SqliteSessionStore(tmp_path / "sessions.db").put(session_id, _session())
    assert session_id.encode() not in (tmp_path / "sessions.db").read_bytes()


def test_session_ids_are_long_and_unique():
    ids = {new_session_id() for _ in range(100)}
    assert len(ids) == 100 and all(len(value) >= 43 for value in ids)


async def test_a_handover_code_works_once(tmp_path):
    store = SqliteSessionStore(tmp_path / "sessions.db")
    session_id = new_session_id()
    await store.put_handover("code-1", session_id)
    assert await store.take_handover("code-1") == session_id
    assert await store.take_handover("code-1") is None
    assert await store.take_handover("never-issued") is None
