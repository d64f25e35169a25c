"""Server-side sessions: the browser holds only an opaque id; tokens and claims stay here.

Two stores share one interface: SQLite (embedded default; survives a backend restart, shared by the
processes of one host, which refresh a session one at a time through a file lock) and Redis
(`REFLEX_REDIS_URL`, shared by every worker). Sessions are keyed by a hash of the cookie value, so a
leaked store does not hand out usable cookies. Each store also indexes sessions by the person's subject
(`sub`), so "sign out everywhere" ends every session of one person on every replica at once, and by the
IdP session (`sid`) they came from, so a back-channel logout from Keycloak ends exactly those sessions. The
store also remembers the ids of logout tokens already used, so none is accepted twice on any replica.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from console.identity.file_locks import FileLocks

IDLE_TIMEOUT_SECONDS = 4 * 3600
# A Redis that does not answer within these is treated as down (the page says so) rather than waited for.
REDIS_CONNECT_TIMEOUT_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 5.0
# A sign-in completed in a popup is handed to the framed console with a one-time code this short-lived.
HANDOVER_SECONDS = 60


class SessionStoreUnavailable(Exception):
    """The session store cannot be reached (Redis down or restarting): no session can be read or kept."""

    def __init__(self, message: str = "the console's session store (Redis) cannot be reached") -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Session:
    """One signed-in browser: its tokens (never sent to the browser) and when it was last used."""

    access_token: str
    refresh_token: str
    id_token: str
    access_expires_at: float  # epoch seconds
    refresh_expires_at: float  # epoch seconds; 0 when the IdP did not say
    claims: dict[str, Any] = field(default_factory=dict)  # validated access-token claims
    created_at: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    idp_session_id: str = ""  # the ID token's `sid`: the Keycloak SSO session this sign-in belongs to

    @property
    def subject(self) -> str:
        """The person's Keycloak user id ("" for a session without one)."""
        return str(self.claims.get("sub") or "")

    @property
    def idp_sid(self) -> str:
        """The Keycloak session id; sessions stored before it was recorded fall back to the access token's."""
        return self.idp_session_id or str(self.claims.get("sid") or "")

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Session:
        return cls(**json.loads(raw))


def new_session_id() -> str:
    """An unguessable cookie value (256 bits)."""
    return secrets.token_urlsafe(32)


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore(Protocol):
    async def get(self, session_id: str) -> Session | None: ...

    async def put(self, session_id: str, session: Session) -> None: ...

    async def update(self, session_id: str, session: Session) -> bool:
        """Write a session back only while it still exists (a refresh or touch never revives a signed-out one)."""
        ...

    async def delete(self, session_id: str) -> None: ...

    async def take_for_subject(self, subject: str) -> list[Session]:
        """Delete every session of one person; return them (their refresh tokens are revoked after)."""
        ...

    async def delete_for_subject(self, subject: str) -> int:
        """Delete every session of one person; return how many there were."""
        ...

    async def take_for_idp_session(self, sid: str) -> list[Session]:
        """Delete every session signed in through one Keycloak session (`sid`); return them."""
        ...

    async def first_use(self, token_id: str, until: float) -> bool:
        """Remember a one-time token id until `until` (epoch seconds); False when it was already seen."""
        ...

    def refresh_lock(self, session_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """Held while a session's tokens are refreshed, by every process sharing the store."""
        ...

    async def put_handover(self, code: str, session_id: str) -> None:
        """Remember which session a one-time code hands over (for HANDOVER_SECONDS)."""
        ...

    async def take_handover(self, code: str) -> str | None:
        """The session id behind a one-time code, once; None when unknown, used or expired."""
        ...


class SqliteSessionStore:
    """Sessions in a SQLite file; calls run in a thread so the event loop never waits on disk.

    Every process of the host may use the file at once: refreshes are serialised by file locks beside it.
    """

    def __init__(self, path: Path, idle_timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        self._path = path
        self._idle_timeout = idle_timeout
        path.parent.mkdir(parents=True, exist_ok=True)
        self._locks = FileLocks(path.parent / f"{path.stem}-locks")
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS sessions (key TEXT PRIMARY KEY, body TEXT NOT NULL, expires REAL NOT NULL,"
                " subject TEXT NOT NULL DEFAULT '', idp_sid TEXT NOT NULL DEFAULT '')"
            )
            columns = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
            if "subject" not in columns:  # a file written before the subject index: its rows get one now
                connection.execute("ALTER TABLE sessions ADD COLUMN subject TEXT NOT NULL DEFAULT ''")
                for key, body in connection.execute("SELECT key, body FROM sessions").fetchall():
                    subject = Session.from_json(body).subject
                    connection.execute("UPDATE sessions SET subject = ? WHERE key = ?", (subject, key))
            if "idp_sid" not in columns:  # a file from before the IdP session index
                connection.execute("ALTER TABLE sessions ADD COLUMN idp_sid TEXT NOT NULL DEFAULT ''")
                for key, body in connection.execute("SELECT key, body FROM sessions").fetchall():
                    sid = Session.from_json(body).idp_sid
                    connection.execute("UPDATE sessions SET idp_sid = ? WHERE key = ?", (sid, key))
            connection.execute("CREATE INDEX IF NOT EXISTS sessions_by_subject ON sessions (subject)")
            connection.execute("CREATE INDEX IF NOT EXISTS sessions_by_idp_sid ON sessions (idp_sid)")
            connection.execute("CREATE TABLE IF NOT EXISTS used_tokens (id TEXT PRIMARY KEY, expires REAL NOT NULL)")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS handovers (code TEXT PRIMARY KEY, session_id TEXT NOT NULL, expires REAL)"
            )

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def _get(self, key: str) -> Session | None:
        with self._connect() as connection:
            row = connection.execute("SELECT body, expires FROM sessions WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            if row[1] < time.time():
                connection.execute("DELETE FROM sessions WHERE key = ?", (key,))
                return None
            return Session.from_json(row[0])

    def _put(self, key: str, session: Session) -> None:
        expires = session.last_seen + self._idle_timeout
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO sessions (key, body, expires, subject, idp_sid) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET body = excluded.body, expires = excluded.expires,"
                " subject = excluded.subject, idp_sid = excluded.idp_sid",
                (key, session.to_json(), expires, session.subject, session.idp_sid),
            )
            connection.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))

    def _update(self, key: str, session: Session) -> bool:
        expires = session.last_seen + self._idle_timeout
        with self._connect() as connection:
            cursor = connection.execute(
                "UPDATE sessions SET body = ?, expires = ?, subject = ?, idp_sid = ? WHERE key = ? AND expires >= ?",
                (session.to_json(), expires, session.subject, session.idp_sid, key, time.time()),
            )
            return cursor.rowcount > 0

    def _delete(self, key: str) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM sessions WHERE key = ?", (key,))

    def _take_where(self, column: str, value: str) -> list[Session]:
        if not value:
            return []
        with self._connect() as connection:
            rows = connection.execute(
                f"DELETE FROM sessions WHERE {column} = ? RETURNING body, expires",  # noqa: S608 - a fixed column
                (value,),
            ).fetchall()
        now = time.time()
        return [Session.from_json(body) for body, expires in rows if expires >= now]

    def _first_use(self, token_id: str, until: float) -> bool:
        with self._connect() as connection:
            connection.execute("DELETE FROM used_tokens WHERE expires < ?", (time.time(),))
            cursor = connection.execute(
                "INSERT OR IGNORE INTO used_tokens (id, expires) VALUES (?, ?)", (_key(token_id), until)
            )
            return cursor.rowcount > 0

    async def get(self, session_id: str) -> Session | None:
        return await asyncio.to_thread(self._get, _key(session_id))

    async def put(self, session_id: str, session: Session) -> None:
        await asyncio.to_thread(self._put, _key(session_id), session)

    async def update(self, session_id: str, session: Session) -> bool:
        return await asyncio.to_thread(self._update, _key(session_id), session)

    async def delete(self, session_id: str) -> None:
        await asyncio.to_thread(self._delete, _key(session_id))

    async def take_for_subject(self, subject: str) -> list[Session]:
        return await asyncio.to_thread(self._take_where, "subject", subject)

    async def delete_for_subject(self, subject: str) -> int:
        return len(await self.take_for_subject(subject))

    async def take_for_idp_session(self, sid: str) -> list[Session]:
        return await asyncio.to_thread(self._take_where, "idp_sid", sid)

    async def first_use(self, token_id: str, until: float) -> bool:
        return await asyncio.to_thread(self._first_use, token_id, until)

    def refresh_lock(self, session_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        # Across processes: two workers refreshing one session would be refused by Keycloak's rotation.
        return self._locks.hold(_key(session_id))

    def _put_handover(self, code: str, session_id: str) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM handovers WHERE expires < ?", (time.time(),))
            connection.execute(
                "INSERT INTO handovers (code, session_id, expires) VALUES (?, ?, ?)",
                (_key(code), session_id, time.time() + HANDOVER_SECONDS),
            )

    def _take_handover(self, code: str) -> str | None:
        with self._connect() as connection:
            row = connection.execute(
                "DELETE FROM handovers WHERE code = ? RETURNING session_id, expires", (_key(code),)
            ).fetchone()
        return row[0] if row and row[1] >= time.time() else None

    async def put_handover(self, code: str, session_id: str) -> None:
        await asyncio.to_thread(self._put_handover, code, session_id)

    async def take_handover(self, code: str) -> str | None:
        return await asyncio.to_thread(self._take_handover, code)


@contextlib.contextmanager
def _reachable() -> Iterator[None]:
    """Redis's connection failures as `SessionStoreUnavailable`, which pages explain (other errors are bugs)."""
    from redis import exceptions

    try:
        yield
    except (exceptions.ConnectionError, exceptions.TimeoutError) as error:
        raise SessionStoreUnavailable() from error


class RedisSessionStore:
    """Sessions in Redis (the one Reflex uses for multi-worker state), expiring after the idle timeout.

    A set per subject lists the person's session keys (and one per Keycloak session id, likewise); it expires
    with the idle timeout from the last write of any of them, so it outlives every session it lists and goes
    when they have all gone.
    """

    def __init__(self, url: str, idle_timeout: float = IDLE_TIMEOUT_SECONDS, prefix: str = "console:session:") -> None:
        from redis import asyncio as redis_asyncio  # only needed when Redis is configured

        self._redis = redis_asyncio.from_url(
            url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._idle_timeout = int(idle_timeout)
        self._prefix = prefix

    async def get(self, session_id: str) -> Session | None:
        with _reachable():
            raw = await self._redis.get(self._prefix + _key(session_id))
        return Session.from_json(raw) if raw else None

    def _subject_key(self, subject: str) -> str:
        return f"{self._prefix}subject:{hashlib.sha256(subject.encode()).hexdigest()}"

    def _sid_key(self, sid: str) -> str:
        return f"{self._prefix}sid:{hashlib.sha256(sid.encode()).hexdigest()}"

    def _indexes(self, session: Session) -> list[str]:
        return [
            *([self._subject_key(session.subject)] if session.subject else []),
            *([self._sid_key(session.idp_sid)] if session.idp_sid else []),
        ]

    async def _write(self, session_id: str, session: Session, *, only_existing: bool) -> bool:
        key = _key(session_id)
        written = await self._redis.set(self._prefix + key, session.to_json(), ex=self._idle_timeout, xx=only_existing)
        indexes = self._indexes(session)
        if written and indexes:
            async with self._redis.pipeline(transaction=True) as pipeline:
                for index in indexes:
                    pipeline.sadd(index, key)
                    pipeline.expire(index, self._idle_timeout)
                await pipeline.execute()
        return bool(written)

    async def put(self, session_id: str, session: Session) -> None:
        with _reachable():
            await self._write(session_id, session, only_existing=False)

    async def update(self, session_id: str, session: Session) -> bool:
        with _reachable():
            return await self._write(session_id, session, only_existing=True)

    async def delete(self, session_id: str) -> None:
        key = _key(session_id)
        with _reachable():
            raw = await self._redis.getdel(self._prefix + key)
        indexes = self._indexes(Session.from_json(raw)) if raw else []
        if indexes:
            async with self._redis.pipeline(transaction=False) as pipeline:
                for index in indexes:
                    pipeline.srem(index, key)
                await pipeline.execute()

    async def take_for_subject(self, subject: str) -> list[Session]:
        return await self._take_indexed(self._subject_key(subject)) if subject else []

    async def take_for_idp_session(self, sid: str) -> list[Session]:
        return await self._take_indexed(self._sid_key(sid)) if sid else []

    async def first_use(self, token_id: str, until: float) -> bool:
        ttl = max(1, int(until - time.time()) + 1)
        return bool(await self._redis.set(f"{self._prefix}used:{_key(token_id)}", b"1", ex=ttl, nx=True))

    async def _take_indexed(self, index: str) -> list[Session]:
        async with self._redis.pipeline(transaction=False) as pipeline:
            pipeline.smembers(index)
            (members,) = await pipeline.execute()
        keys = [member.decode() if isinstance(member, bytes) else member for member in members]
        async with self._redis.pipeline(transaction=True) as pipeline:
            for key in keys:
                pipeline.getdel(self._prefix + key)
            pipeline.delete(index)
            bodies = (await pipeline.execute())[:-1]
        return [Session.from_json(body) for body in bodies if body]

    async def delete_for_subject(self, subject: str) -> int:
        return len(await self.take_for_subject(subject))

    async def close(self) -> None:
        await self._redis.aclose()

    def refresh_lock(self, session_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        # A Redis lock, so two workers never refresh one session at once (Keycloak rotates refresh tokens).
        return self._redis.lock(f"{self._prefix}lock:{_key(session_id)}", timeout=30, blocking_timeout=30)

    async def put_handover(self, code: str, session_id: str) -> None:
        await self._redis.set(f"{self._prefix}handover:{_key(code)}", session_id, ex=HANDOVER_SECONDS)

    async def take_handover(self, code: str) -> str | None:
        raw = await self._redis.getdel(f"{self._prefix}handover:{_key(code)}")
        return raw.decode() if isinstance(raw, bytes) else raw
